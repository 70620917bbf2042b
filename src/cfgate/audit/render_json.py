"""The audit as JSON: the report record as data, for archiving and for other tools.

``{"report": "cfgate-audit", "schema_version": 1, "tool", "version", "as_of", "policy_set_sha256",
"policies", "rules", "run", "verdict", "inputs", "evaluations", "bypasses", "waivers", "unknowns",
"comparison"}``; ``comparison`` is null without ``--base``.
"""

from __future__ import annotations

import json

from .model import AuditReport


def render(report: AuditReport) -> str:
    document = {"report": "cfgate-audit", "schema_version": report.schema_version, **report.to_dict()}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
