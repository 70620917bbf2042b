"""`cfgate audit` without --base: what the report holds, in each format, escaped and redacted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
from clirunner import run_cli

from cfgate.audit import render
from cfgate.audit.collect import (
    AuditOptions,
    collect,
    policy_set_sha256,
    waiver_register,
)
from cfgate.models import Evaluation, Location, RunResult

ROOT = Path(__file__).resolve().parents[2]
EDGE = ROOT / "fixtures" / "audit" / "edge"
AS_OF = "2025-09-16"
SECRETS = ("hunter2", "tok_live")


@pytest.fixture
def edge(monkeypatch):
    monkeypatch.chdir(EDGE.parent)
    return EDGE


def audit(*args: str):
    return run_cli(["audit", "edge", "--as-of", AS_OF, *args])


def test_json_holds_hashes_policies_and_every_evaluation(edge):
    result = audit("--format", "json")
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["report"] == "cfgate-audit" and document["schema_version"] == 1
    assert document["as_of"] == AS_OF and document["tool"] == "cfgate" and document["version"]
    inputs = {i["file"]: i for i in document["inputs"]}
    for name in (".env.staging", "main.tf"):
        data = (edge / name).read_bytes()
        assert inputs[f"edge/{name}"] == {"file": f"edge/{name}", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    policies = [(p["path"], p["sha256"]) for p in document["policies"]]
    assert policies and document["policy_set_sha256"] == policy_set_sha256(policies)
    assert document["verdict"]["exit_code"] == 1 and document["run"]["fail_on"] == "error"
    statuses = {e["status"] for e in document["evaluations"]}
    assert {"pass", "fail", "unknown"} <= statuses  # passed evaluations are part of the record too
    assert all(len(e["fingerprint"]) == 64 for e in document["evaluations"])
    assert document["comparison"] is None


def test_bypass_register_has_every_state(edge):
    document = json.loads(audit("--format", "json").stdout)
    register = {b["flag"]: b for b in document["bypasses"]}
    expected = {
        "EMERGENCY_DEVELOPMENT_MODE": ("overdue", "2025-09-01", -15),
        "SKIP_CAPACITY_CHECKS": ("active", "2025-09-25", 9),
        "SKIP_WARMUP": ("beyond the allowed window", "2025-12-31", 106),
        "DISABLE_SLO_CHECKS": ("no expiry", None, None),
        "BYPASS_RATE_LIMIT": ("off", None, None),
    }
    assert {flag: (b["state"], b["expiry"], b["days_left"]) for flag, b in register.items()} == expected
    assert register["SKIP_CAPACITY_CHECKS"]["expiry_source"] == "the comment on edge/.env.staging:5"
    md = audit("--format", "md").stdout
    assert "| `EMERGENCY_DEVELOPMENT_MODE` | `edge/.env.staging:4` | true | 2025-09-01 | 15 days overdue | overdue |" in md
    assert "| `SKIP_CAPACITY_CHECKS` | `edge/.env.staging:5` | true | 2025-09-25 | 9 days left | active |" in md


def test_unknowns_carry_their_reason(edge):
    document = json.loads(audit("--format", "json").stdout)
    unknown = document["unknowns"]
    assert {u["subject"] for u in unknown} == {"google_vpc_access_connector.edge.max_instances"}
    assert all("var.connector_max has no default" in u["reason"] for u in unknown)
    html = audit("--format", "html").stdout
    assert '<table id="unknown-table">' in html and "var.connector_max has no default" in html


def test_values_from_files_are_escaped_and_secrets_redacted(edge):
    for fmt in ("html", "md", "json"):
        text = audit("--format", fmt).stdout
        for secret in SECRETS:
            assert secret not in text, (fmt, secret)
    html = audit("--format", "html").stdout
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html.lower() and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "default-src 'none'" in html  # nothing can be fetched, even by markup that slipped through
    md = audit("--format", "md").stdout
    assert re.search(r"(?<!\\)<img", md) is None and "\\<img src=x onerror=alert(1)\\>" in md


def test_evaluations_show_provenance(edge):
    html = audit("--format", "html").stdout
    # the unknown's details name the variable it came from
    assert "expr=var.connector_max" in html
    assert "<th>Provenance</th>" in html


def test_empty_waiver_register_renders(edge):
    html = audit("--format", "html").stdout
    md = audit("--format", "md").stdout
    assert '<section id="waiver-register"><h2>Waiver register (0)</h2>' in html
    assert "## Waiver register (0)" in md and "No waivers" in md


def _evaluation(rule: str, name: str, status: str, line: int, subject: str, waiver: dict, severity: str = "error") -> Evaluation:
    return Evaluation(rule=rule, name=name, severity=severity, status=status, message=f"{name} on {subject}",
                      location=Location(file="app/.env", line=line), subject=subject, value="600",
                      reason="capacity test for #1278" if status == "waived" else None, details={"waiver": waiver})


def test_waiver_register_from_waived_evaluations_and_waiver_checks():
    active = {"kind": "inline", "file": "app/.env", "line": 3, "until": "2025-10-01", "owner": "platform-team",
              "reason": "capacity test for #1278", "id": "app/.env:3"}
    unused = {"kind": "file", "file": "cfgate-waivers.yaml", "line": 7, "until": "2025-09-20", "owner": "db-team",
              "reason": "old <b>migration</b>", "id": "cfgate-waivers.yaml:7"}
    expired = {"kind": "inline", "file": "app/.env", "line": 8, "until": "2025-09-01", "owner": None,
               "reason": "load test", "id": "app/.env:8"}
    malformed = {"kind": "inSource", "file": "main.tf", "line": 2, "until": "2025-09-20", "owner": "nobody",
                 "reason": "typo", "id": "main.tf:2", "rules": []}
    result = RunResult(as_of=dt.date(2025, 9, 16), evaluations=(
        _evaluation("CFG011", "waiver-expired", "pass", 3, "waive CFG220", {**active, "rules": ["CFG220"]}),
        _evaluation("CFG220", "env-timeout-above-request-timeout", "waived", 4, "REDIS_TIMEOUT", active),
        _evaluation("CFG220", "env-timeout-above-request-timeout", "waived", 5, "CLICKHOUSE_TIMEOUT", active),
        _evaluation("CFG012", "waiver-unused", "fail", 7, "waive CFG301", unused, "warning"),
        _evaluation("CFG011", "waiver-expired", "fail", 8, "waive CFG220", expired),
        _evaluation("CFG010", "waiver-malformed", "fail", 2, "waive CFG199", malformed),
    ))
    register = waiver_register(result, ["CFG011", "CFG012", "CFG220"])
    assert register.checked
    by_id = {w.id: w for w in register.waivers}
    assert by_id["app/.env:3"].states == ("active",) and len(by_id["app/.env:3"].hides) == 2
    assert (by_id["app/.env:3"].owner, by_id["app/.env:3"].days_left, by_id["app/.env:3"].rules) == ("platform-team", 15, ("CFG220",))
    assert by_id["cfgate-waivers.yaml:7"].states == ("unused",) and by_id["cfgate-waivers.yaml:7"].hides == ()
    assert by_id["app/.env:8"].states == ("expired",) and by_id["app/.env:8"].days_left == -15
    assert by_id["main.tf:2"].states == ("malformed",) and by_id["main.tf:2"].rules == ("CFG199",)
    # rendered: the register, and the waivers on the timeline (a waiver that waives nothing is not drawn as active)
    report = dataclasses.replace(collect_edge(), waivers=register)
    html = render("html", report)
    assert html.count('data-kind="waiver"') == 4 and "platform-team" in html
    tones = re.findall(r'data-kind="waiver" data-tone="([a-z-]+)"><title>waiver ([A-Z0-9]+)', html)
    assert sorted(tones) == [("ok", "CFG220"), ("overdue", "CFG220"), ("void", "CFG199"), ("void", "CFG301")]
    assert "old &lt;b&gt;migration&lt;/b&gt;" in html and "<b>migration" not in html
    md = render("md", report)
    assert "| `app/.env:3` | CFG220 | platform-team | capacity test for #1278 | 2025-10-01 | 15 days left | active |" in md
    assert "| `cfgate-waivers.yaml:7` | CFG301 | db-team |" in md and "unused; waiver-unused on waive CFG301" in md


def collect_edge():
    from cfgate.cli.common import _gate

    gate = _gate(paths=[str(EDGE)], as_of=AS_OF, fmt="text", color=False)
    return collect(gate.options, gate.rules, AuditOptions(policies=gate.ctx.policies))


@pytest.mark.parametrize("args, message", [
    (["-o", "report.txt"], "cannot tell the format"),
    (["--format", "pdf"], "--format 'pdf'"),
    (["--report", "yaml=x.yaml"], "unknown format 'yaml'"),
])
def test_format_errors(edge, args, message):
    result = audit(*args)
    assert result.code == 2 and message in result.stderr


def test_format_from_extension_and_atomic_write(edge, tmp_path):
    target = tmp_path / "reports" / "audit.markdown"
    result = audit("-o", str(target))
    assert result.code == 1 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# cfgate audit report: as of 2025-09-16")
    assert [p.name for p in target.parent.iterdir()] == ["audit.markdown"]  # no temp file left behind
    assert "audit report written to" in result.stderr


def test_fail_on_never_exits_zero_and_says_so(edge):
    result = audit("--fail-on", "never", "--format", "md")
    assert result.code == 0
    assert "The gate passes (exit code 0, fail on never)" in result.stdout


def test_a_failed_write_leaves_the_old_report_intact(edge, tmp_path, monkeypatch):
    """The report goes through fsutil.atomic_write: a write that fails before its rename changes nothing."""
    import cfgate.fsutil

    target = tmp_path / "report.html"
    target.write_text("the previous report\n", encoding="utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cfgate.fsutil.os, "replace", refuse)
    result = audit("-o", str(target))
    assert result.code == 2 and "cannot write the report" in result.stderr
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


GOLDEN_AFTER = ROOT / "fixtures" / "golden-path" / "after"


@pytest.fixture
def waived_tree(tmp_path, monkeypatch):
    """The golden path's after tree with an inline waiver, an expired one, and a waiver file."""
    import shutil

    tree = tmp_path / "tree"
    shutil.copytree(GOLDEN_AFTER, tree)
    tf = tree / "terraform-gcp-staging" / "vpc-connector.tf"
    tf.write_text(tf.read_text(encoding="utf-8").replace(
        "  max_instances  = 100",
        '  # cfgate: waive CFG113 until=2025-10-01 reason="capacity test for #1278" owner=platform-team\n  max_instances  = 100'),
        encoding="utf-8")
    env = tree / ".env.staging.tests"
    env.write_text(env.read_text(encoding="utf-8").replace(
        "REDIS_TIMEOUT=600", '# cfgate: waive CFG220 until=2025-09-01 reason="old load test" owner=db-team\nREDIS_TIMEOUT=600'),
        encoding="utf-8")
    (tree / "waivers.yaml").write_text("version: 1\nwaivers:\n  - path: .env.staging.tests\n    rule: CFG301\n"
                                       "    reason: \"nothing to waive here\"\n    until: 2025-09-30\n    owner: payments\n",
                                       encoding="utf-8")
    monkeypatch.chdir(tree)
    return tree


def test_waiver_register_from_real_waivers(waived_tree):
    document = json.loads(run_cli(["audit", "--as-of", AS_OF, "--waivers", "waivers.yaml", "-f", "json"]).stdout)
    register = {w["id"]: w for w in document["waivers"]["waivers"]}
    inline = register["terraform-gcp-staging/vpc-connector.tf:10"]
    assert (inline["states"], inline["owner"], inline["days_left"]) == (["active"], "platform-team", 15)
    assert [h["subject"] for h in inline["hides"]] == ["google_vpc_access_connector.connector.max_instances"]
    assert register[".env.staging.tests:6"]["states"] == ["expired"] and register[".env.staging.tests:6"]["days_left"] == -15
    external = register["waivers.yaml:3"]
    assert (external["kind"], external["states"], external["hides"]) == ("external", ["unused"], [])


def test_audit_runs_the_engine_as_check_does(waived_tree):
    """The audit keeps the workspace, so it calls the engine's steps itself: it must end where engine.run does."""
    from cfgate.cli.common import _gate
    from cfgate.engine import run

    gate = _gate(as_of=AS_OF, fmt="text", color=False, waivers=Path("waivers.yaml"))
    expected = run(gate.options, gate.rules)
    assert any(e.status == "waived" for e in expected.evaluations)
    report = collect(gate.options, gate.rules, AuditOptions(policies=gate.ctx.policies))
    keys = ("rule", "status", "file", "line", "subject", "value", "message", "reason", "details")
    assert [(e.rule, e.status, e.location.file, e.location.line, e.subject, e.value, e.message, e.reason, e.details)
            for e in expected.evaluations] == [tuple(getattr(e, k) for k in keys) for e in report.evaluations]


def test_a_baseline_is_one_register_entry(waived_tree):
    from cfgate.baseline import create, dumps

    check = run_cli(["check", "--as-of", AS_OF, "-f", "json"])
    assert check.code == 1
    from cfgate.cli.common import _gate
    from cfgate.engine import run

    gate = _gate(as_of=AS_OF, fmt="text", color=False)
    (waived_tree / "baseline.json").write_text(dumps(create(run(gate.options, gate.rules))), encoding="utf-8")
    result = run_cli(["audit", "--as-of", AS_OF, "--baseline", "baseline.json", "-f", "json"])
    assert result.code == 0, result.stderr  # every failure is in the baseline
    register = {w["id"]: w for w in json.loads(result.stdout)["waivers"]["waivers"]}
    baseline = register["baseline baseline.json"]
    assert baseline["states"] == ["baseline"] and baseline["kind"] == "baseline" and len(baseline["hides"]) >= 10
    # the expired waiver's own check is in the baseline too, and the register still says it expired
    assert register[".env.staging.tests:6"]["states"] == ["expired (in baseline)"]
    assert run_cli(["audit", "--baseline", "missing.json"]).code == 2
