"""Baselines: adopt cfgate on a repository with known findings, and fail only on new ones.

``cfgate baseline create`` records every failing finding (status ``fail`` or ``unknown``, any
severity; waived findings are not recorded) by its fingerprint: rule + file + subject + value, the
same identity SARIF's ``partialFingerprints`` use (:mod:`cfgate.reporters.fingerprint`), never the
line, so moving a finding does not make it new. A changed value is a new finding on purpose.

The file is deterministic JSON (same findings, same bytes), written atomically::

    {
      "version": 1,
      "tool": {"name": "cfgate", "version": "0.1.0"},
      "as_of": "2025-09-19",
      "identity": "cfgateIdentity/v1",
      "findings": [
        {"fingerprint": "<sha256>", "rule": "CFG113", "name": "...", "file": "main.tf", "line": 5,
         "subject": "...", "value": 50, "severity": "error", "status": "fail", "message": "..."},
        ...
      ]
    }

``line`` and ``message`` are there for people reading the file (and for the list of fixed
findings); only ``fingerprint`` is matched. A fingerprint recorded twice (two equal findings)
covers two findings.

``cfgate check --baseline FILE`` then marks each current finding found in the baseline as
``waived``, with the reason ``in baseline FILE (recorded DATE)``, ``details["baseline"] = True``
and ``details["waiver"] = {"kind": "external", "file": FILE, "id": <fingerprint>, ...}`` (so SARIF
shows it as an external suppression). Waived findings never fail the gate, so only new findings
do. Baseline entries that no longer match anything are reported as fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .models import Evaluation, RunResult
from .reporters.fingerprint import FINGERPRINT_KEY, fingerprint

VERSION = 1
DEFAULT_NAME = "cfgate-baseline.json"
_ENTRY_KEYS = ("fingerprint", "rule", "name", "file", "line", "subject", "value", "severity", "status", "message")


class BaselineError(Exception):
    """A baseline file that is missing, unreadable or not a cfgate baseline (a usage error, exit 2)."""


@dataclass(frozen=True)
class BaselineEntry:
    """One recorded finding."""

    fingerprint: str
    rule: str
    name: str
    file: str
    line: int
    subject: str
    value: Any
    severity: str
    status: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _ENTRY_KEYS}


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    path: str  # as shown in messages and reasons
    as_of: str
    tool_version: str
    entries: tuple[BaselineEntry, ...]


@dataclass(frozen=True)
class BaselineOutcome:
    """How a run compares with its baseline: how many findings it knew, how many are new, which are fixed."""

    file: str
    as_of: str
    known: int  # current findings found in the baseline (now waived)
    new: int  # current findings not in the baseline
    fixed: tuple[BaselineEntry, ...]  # baseline entries no current finding matches

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "as_of": self.as_of, "known": self.known, "new": self.new,
                "fixed": [entry.as_json() for entry in self.fixed]}


def entry_of(e: Evaluation) -> BaselineEntry:
    return BaselineEntry(fingerprint=fingerprint(e), rule=e.rule, name=e.name, file=e.location.file,
                         line=e.location.line, subject=e.subject, value=e.value, severity=e.severity,
                         status=e.status, message=e.message)


def _order(entry: BaselineEntry) -> tuple:
    return (entry.file, entry.rule, entry.subject, entry.fingerprint, entry.line, entry.message)


def create(result: RunResult) -> dict[str, Any]:
    """The baseline document for a run: every finding (fail or unknown), sorted."""
    entries = sorted((entry_of(e) for e in result.evaluations if e.status in ("fail", "unknown")), key=_order)
    return {
        "version": VERSION,
        "tool": {"name": "cfgate", "version": __version__},
        "as_of": result.as_of.isoformat(),
        "identity": FINGERPRINT_KEY,
        "findings": [entry.as_json() for entry in entries],
    }


def dumps(document: dict[str, Any]) -> str:
    """Deterministic JSON: fixed key order, two-space indent, UTF-8, one trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path, shown: str | None = None) -> Baseline:
    """Read and check a baseline file; every problem is a :class:`BaselineError` with a clear message."""
    shown = shown or path.as_posix()
    hint = f"create one with: cfgate baseline create --output {shown}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BaselineError(f"baseline {shown}: no such file; {hint}") from None
    except OSError as exc:
        raise BaselineError(f"baseline {shown}: cannot read it: {exc.strerror or exc}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {shown}: not UTF-8 text; {hint}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {shown}:{exc.lineno}: not valid JSON ({exc.msg}); it may be truncated or "
                            f"edited by hand; {hint}") from None
    if not isinstance(document, dict) or "findings" not in document:
        raise BaselineError(f"baseline {shown}: not a cfgate baseline (no 'findings'); {hint}")
    if document.get("version") != VERSION:
        raise BaselineError(f"baseline {shown}: version {document.get('version')!r} is not supported "
                            f"(this cfgate reads version {VERSION}); {hint}")
    if document.get("identity", FINGERPRINT_KEY) != FINGERPRINT_KEY:
        raise BaselineError(f"baseline {shown}: its fingerprints are {document.get('identity')!r}, this cfgate computes "
                            f"{FINGERPRINT_KEY}; {hint}")
    findings = document["findings"]
    if not isinstance(findings, list):
        raise BaselineError(f"baseline {shown}: 'findings' is not a list; {hint}")
    entries: list[BaselineEntry] = []
    for index, item in enumerate(findings):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str) or len(item["fingerprint"]) != 64:
            raise BaselineError(f"baseline {shown}: findings[{index}] has no valid 'fingerprint'; {hint}")
        entries.append(BaselineEntry(
            fingerprint=item["fingerprint"], rule=str(item.get("rule", "")), name=str(item.get("name", "")),
            file=str(item.get("file", "")), line=int(item["line"]) if isinstance(item.get("line"), int) else 0,
            subject=str(item.get("subject", "")), value=item.get("value"), severity=str(item.get("severity", "")),
            status=str(item.get("status", "")), message=str(item.get("message", "")),
        ))
    tool = document.get("tool") if isinstance(document.get("tool"), dict) else {}
    return Baseline(path=shown, as_of=str(document.get("as_of", "")), tool_version=str(tool.get("version", "")),
                    entries=tuple(entries))


def apply(result: RunResult, baseline: Baseline, within: frozenset[str] | None = None) -> tuple[RunResult, BaselineOutcome]:
    """Mark the findings the baseline knows as waived; count the new ones; list the fixed entries.

    ``within`` limits the baseline to these files (the changed files of a pre-commit run): an entry for a
    file that was not checked is neither known nor fixed.
    """
    entries = [e for e in baseline.entries if within is None or e.file in within]
    remaining: Counter[str] = Counter(entry.fingerprint for entry in entries)
    reason = f"in baseline {baseline.path}" + (f" (recorded {baseline.as_of})" if baseline.as_of else "")
    out: list[Evaluation] = []
    known = new = 0
    for e in result.evaluations:
        if e.status not in ("fail", "unknown"):
            out.append(e)
            continue
        digest = fingerprint(e)
        if remaining[digest] > 0:
            remaining[digest] -= 1
            known += 1
            waiver = {"kind": "external", "file": baseline.path, "id": digest, "reason": reason, "status": e.status}
            details = {**e.details, "baseline": True, "waiver": waiver}
            out.append(e.model_copy(update={"status": "waived", "reason": reason, "details": details}))
        else:
            new += 1
            out.append(e)
    fixed: list[BaselineEntry] = []
    for entry in entries:  # entries are sorted; keep the last ones of a repeated fingerprint as fixed
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            fixed.append(entry)
    outcome = BaselineOutcome(file=baseline.path, as_of=baseline.as_of, known=known, new=new, fixed=tuple(fixed))
    out.sort(key=Evaluation.sort_key)  # the status is part of the order
    return result.model_copy(update={"evaluations": tuple(out)}), outcome
