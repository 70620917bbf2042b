"""``--format json``: the contract other tools (and our own checks) depend on.

``{"tool": {...}, "as_of", "summary": {files, errors, warnings, unknown}, "findings": [...]}``;
findings are failures, unknowns and waived findings (``status: "waived"``, with the justification as
``reason`` and the waiver in ``details.waiver``), sorted by file, line and rule; passes only with
``--show-passed``. With ``--baseline``, ``"baseline": {file, as_of, known, new, fixed: [...]}``
compares the run with the baseline (baselined findings are waived ones with ``details.baseline``).
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..models import Evaluation, RunResult
from .base import ReportContext


def finding(e: Evaluation) -> dict:
    item = {
        "rule": e.rule,
        "name": e.name,
        "severity": e.severity,
        "status": e.status,
        "message": e.message,
        "file": e.location.file,
        "line": e.location.line,
        "column": e.location.column,
        "subject": e.subject,
        "value": e.value,
    }
    if e.reason is not None:
        item["reason"] = e.reason
    if e.details:
        item["details"] = e.details
    return item


def summary(result: RunResult) -> dict:
    return {
        "files": len(result.files),
        "errors": sum(1 for e in result.evaluations if e.status == "fail" and e.severity == "error"),
        "warnings": sum(1 for e in result.evaluations if e.status == "fail" and e.severity == "warning"),
        "info": sum(1 for e in result.evaluations if e.status == "fail" and e.severity == "info"),
        "unknown": result.count("unknown"),
        "passed": result.count("pass"),
        "waived": result.count("waived"),
    }


def render(result: RunResult, ctx: ReportContext, baseline: Any = None) -> str:
    """The JSON report; ``baseline`` is a :class:`cfgate.baseline.BaselineOutcome` when check ran with one."""
    document: dict[str, Any] = {
        "tool": {"name": "cfgate", "version": __version__},
        "as_of": result.as_of.isoformat(),
        "summary": summary(result),
        "findings": [finding(e) for e in result.evaluations
                     if e.is_finding or e.status == "waived" or (ctx.show_passed and e.status == "pass")],
    }
    if baseline is not None:
        document["baseline"] = baseline.as_json()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
