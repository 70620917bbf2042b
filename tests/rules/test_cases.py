"""One collector runs every fixture case in fixtures/rules/ and compares exact findings."""

from __future__ import annotations

import json
import os

import pytest
from casefiles import all_cases, check_args, expected, observed
from clirunner import run_cli

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case, monkeypatch):
    monkeypatch.chdir(case.path)
    result = run_cli(check_args(case))
    assert result.code == 0, result.stderr
    want, with_severity = expected(case)
    got = observed(json.loads(result.stdout), with_severity)
    assert got == want, f"{case.id}: {case.spec.get('description', '')}"
