"""The seed story end to end: the "after" tree fails on every value the remediation got wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirunner import run_cli

ROOT = Path(__file__).resolve().parent.parent
ENV = "fixtures/golden-path/after/.env.staging.tests"
TF = "fixtures/golden-path/after/terraform-gcp-staging/vpc-connector.tf"
PY = "fixtures/golden-path/after/netra_backend/app/db/database_manager.py"

STATIC = [
    ("CFG220", ENV, 2, "error"), ("CFG220", ENV, 5, "error"), ("CFG220", ENV, 6, "error"), ("CFG220", ENV, 7, "error"),
    ("CFG112", TF, 9, "error"), ("CFG113", TF, 10, "error"), ("CFG111", TF, 11, "error"), ("CFG119", TF, 12, "error"),
    ("CFG116", TF, 13, "error"), ("CFG120", TF, 13, "error"),
    ("CFG301", PY, 12, "error"),
    ("CFG121", TF, 12, "info"), ("CFG121", TF, 13, "info"),
]


def findings(as_of: str) -> tuple[int, dict]:
    result = run_cli(["check", "fixtures/golden-path/after", "--format", "json", "--as-of", as_of])
    return result.code, json.loads(result.stdout)


def rows(document, status="fail"):
    return sorted((f["rule"], f["file"], f["line"], f["severity"]) for f in document["findings"] if f["status"] == status)


@pytest.fixture(autouse=True)
def _root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_before_expiry_the_bypass_flags_warn():
    code, doc = findings("2025-09-17")
    bypass = [("CFG210", ENV, line, "warning") for line in (10, 11, 12, 13)]
    assert code == 1
    assert [r for r in rows(doc) if r[0] not in ("CFG230", "CFG231") and not r[0].startswith("CFG4")] == sorted(STATIC + bypass)


def test_after_expiry_each_flag_is_an_error_on_its_own_line():
    code, doc = findings("2025-09-19")
    bypass = [("CFG210", ENV, line, "error") for line in (10, 11, 12, 13)]
    assert code == 1
    assert [r for r in rows(doc) if r[0] not in ("CFG230", "CFG231") and not r[0].startswith("CFG4")] == sorted(STATIC + bypass)
    assert doc["summary"]["files"] == 3


def test_before_tree_flags_what_was_already_wrong():
    result = run_cli(["check", "fixtures/golden-path/before", "--format", "json", "--as-of", "2025-09-17"])
    doc = json.loads(result.stdout)
    tf = TF.replace("after", "before")
    assert result.code == 1
    assert [r for r in rows(doc) if r[0].startswith("CFG1")] == sorted(
        [("CFG113", tf, 10, "error"), ("CFG119", tf, 12, "error"), ("CFG120", tf, 13, "error"),
         ("CFG121", tf, 12, "info"), ("CFG121", tf, 13, "info")])
