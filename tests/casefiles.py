"""Data-driven rule cases: ``fixtures/rules/<ID>/<case>/`` holds real input files plus ``case.yaml``.

``case.yaml``::

    description: why this case exists
    as_of: 2025-09-19          # optional evaluation date
    policy: [policy.yaml]      # optional policy files inside the case dir (default: cfgate's default policy)
    select: [CFG113]           # optional: only these rules (default: all active rules)
    args: []                   # optional extra arguments for `cfgate check`
    expect:                    # every non-passing evaluation, exactly (rule, file, line, status[, severity])
      - {rule: CFG113, file: main.tf, line: 3, status: fail}

The case runs through the real CLI (``cfgate check --format json``) with the case directory as the
working directory, so paths in ``expect`` are relative to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULE_CASES = ROOT / "fixtures" / "rules"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    path: Path
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"


def all_cases() -> list[Case]:
    cases = []
    for spec_file in sorted(RULE_CASES.glob("*/*/case.yaml")):
        case_dir = spec_file.parent
        cases.append(Case(case_dir.parent.name, case_dir.name, case_dir, yaml.safe_load(spec_file.read_text()) or {}))
    return cases


def check_args(case: Case) -> list[str]:
    spec = case.spec
    args = ["check", ".", "--format", "json", "--fail-on", "never", "--exclude", "case.yaml"]
    if spec.get("as_of"):
        args += ["--as-of", str(spec["as_of"])]
    for policy in spec.get("policy", []):
        args += ["--policy", policy]
        args += ["--exclude", policy]
    for token in spec.get("select", []):
        args += ["--select", token]
    return args + list(spec.get("args", []))


def observed(document: dict[str, Any], with_severity: bool) -> list[tuple]:
    rows = []
    for f in document["findings"]:
        row = (f["rule"], f["file"], f["line"], f["status"])
        rows.append(row + ((f["severity"],) if with_severity else ()))
    return sorted(rows)


def expected(case: Case) -> tuple[list[tuple], bool]:
    items = case.spec.get("expect", [])
    with_severity = any("severity" in item for item in items)
    rows = []
    for item in items:
        row = (item["rule"], item["file"], int(item["line"]), item["status"])
        rows.append(row + ((item.get("severity", "error"),) if with_severity else ()))
    return sorted(rows), with_severity
