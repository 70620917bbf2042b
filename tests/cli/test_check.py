"""`cfgate check` from the command line: JSON contract, exit codes, bad input without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clirunner import run_cli

CONNECTOR = 'resource "google_vpc_access_connector" "c" {{\n  name = "c"\n{body}}}\n'


def write(root, files):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)


def test_json_contract(tmp_path, monkeypatch):
    write(tmp_path, {"infra/main.tf": CONNECTOR.format(body="  max_instances = 100\n"), ".env": "REDIS_TIMEOUT=5\n"})
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--format", "json", "--as-of", "2025-09-19", "--select", "CFG1", "--select", "CFG2"])
    doc = json.loads(result.stdout)
    assert result.code == 1
    assert set(doc) == {"tool", "as_of", "summary", "findings"}
    assert doc["tool"]["name"] == "cfgate" and doc["as_of"] == "2025-09-19"
    assert {k: doc["summary"][k] for k in ("files", "errors", "warnings", "unknown")} == {"files": 2, "errors": 1, "warnings": 0, "unknown": 0}
    assert doc["findings"] == [{
        "rule": "CFG113", "name": "vpc-connector-max-instances-out-of-range", "severity": "error", "status": "fail",
        "message": "max_instances = 100 is outside the allowed range 3..10", "file": "infra/main.tf", "line": 3,
        "column": 3, "subject": "google_vpc_access_connector.c.max_instances", "value": 100,
        "details": {"op": "between", "bound": [3, 10]},
    }]


def test_valid_connector_gives_no_connector_finding(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": CONNECTOR.format(body='  machine_type = "e2-micro"\n  min_instances = 2\n  max_instances = 10\n')})
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--format", "json"])
    assert result.code == 0 and json.loads(result.stdout)["findings"] == []


def test_unknown_value_is_neither_pass_nor_fail(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": 'variable "x" {}\n' + CONNECTOR.format(body="  max_instances = var.x\n")})
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--format", "json"])
    doc = json.loads(result.stdout)
    assert result.code == 0
    assert [(f["rule"], f["status"], f["line"]) for f in doc["findings"]] == [("CFG113", "unknown", 4)]
    assert "var.x" in doc["findings"][0]["reason"]
    assert run_cli(["check", "--fail-on-unknown"]).code == 1


def test_findings_are_sorted_and_output_is_deterministic(tmp_path, monkeypatch):
    write(tmp_path, {"b.tf": CONNECTOR.format(body="  max_instances = 100\n  min_instances = 50\n"),
                     "a/.env": "X_TIMEOUT=900\nA_TIMEOUT=700\n"})
    monkeypatch.chdir(tmp_path)
    first = run_cli(["check", "--format", "json", "--as-of", "2025-01-01"]).stdout
    assert first == run_cli(["check", "--format", "json", "--as-of", "2025-01-01"]).stdout
    doc = json.loads(first)
    keys = [(f["file"], f["line"], f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_threshold(tmp_path, monkeypatch, fail_on, code):
    write(tmp_path, {".env": "SKIP_CAPACITY_CHECKS=true # expires: 2025-09-18\n"})
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "--as-of", "2025-09-17", "--fail-on", fail_on, "--select", "CFG210"]).code == code


@pytest.mark.parametrize("files, rule, line", [
    ({"blob.tf": b"\x00\x01binary"}, "CFG001", 1),
    ({"main.tf": 'resource "a" "b" {\n  x = 1\n'}, "CFG001", 3),
    ({".env": b"A=1\nB=\xff\n"}, "CFG001", 2),
])
def test_bad_input_is_a_finding_not_a_crash(tmp_path, monkeypatch, files, rule, line):
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--format", "json"])
    assert result.code == 1 and "Traceback" not in result.stderr
    assert [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [(rule, line)]


def test_usage_errors_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "missing-dir"]).code == 2
    assert run_cli(["check", "--as-of", "17/09/2025"]).code == 2
    assert run_cli(["check", "--select", "NOPE999"]).code == 2
    assert run_cli(["check", "--format", "yaml"]).code == 2
    (tmp_path / "p.yaml").write_text("version: 1\nname: p\nrules:\n  - id: ACME001\n    kind: threshold\n    name: x\n    title: t\n    select: {sourc: env}\n    check: {op: '<=', value: 1}\n")
    result = run_cli(["check", "--policy", "p.yaml"])
    assert result.code == 2
    assert "p.yaml:8: invalid policy at /rules/0/select/sourc: unknown key 'sourc'" in result.stderr


def test_secrets_never_printed(tmp_path, monkeypatch):
    write(tmp_path, {".env": "DATABASE_URL=postgresql://app:hunter2pass@db:5432/app\nDB_PASSWORD_TIMEOUT=sup3rsecret\nAPI_TOKEN=tok_abcdef\n"})
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json"):
        out = run_cli(["check", "--format", fmt, "--show-passed"]).stdout
        assert "hunter2pass" not in out and "sup3rsecret" not in out and "tok_abcdef" not in out


def test_excludes_and_skipped_directories(tmp_path, monkeypatch):
    bad = CONNECTOR.format(body="  max_instances = 100\n")
    write(tmp_path, {".terraform/modules/x/main.tf": bad, "node_modules/p/main.tf": bad, "venv/pyvenv.cfg": "",
                     "venv/lib/main.tf": bad, "legacy/main.tf": bad, "ok.tf": CONNECTOR.format(body="")})
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--format", "json", "--exclude", "legacy"])
    assert result.code == 0 and json.loads(result.stdout)["summary"]["files"] == 1


def test_settings_from_pyproject(tmp_path, monkeypatch):
    write(tmp_path, {"pyproject.toml": '[tool.cfgate]\nignore = ["CFG113"]\nfail_on = "error"\n',
                     "main.tf": CONNECTOR.format(body="  max_instances = 100\n")})
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check"]).code == 0
    write(tmp_path, {"pyproject.toml": '[tool.cfgate]\nignroe = ["CFG113"]\n'})
    result = run_cli(["check"])
    assert result.code == 2 and "pyproject.toml:2: invalid cfgate setting 'ignroe'" in result.stderr


def test_as_of_changes_the_verdict(tmp_path, monkeypatch):
    write(tmp_path, {".env": "SKIP_CAPACITY_CHECKS=true\nSKIP_CAPACITY_CHECKS_EXPIRY=2025-09-18\n"})
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "--as-of", "2025-09-10"]).code == 0
    assert run_cli(["check", "--as-of", "2025-09-19"]).code == 1


def test_real_process_entry_points(tmp_path):
    for argv in ([sys.executable, "-m", "cfgate", "--version"], ["cfgate", "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0 and done.stdout.startswith("cfgate ")
    done = subprocess.run(["cfgate", "check", "nowhere"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "nowhere: no such file or directory" in done.stderr and "Traceback" not in done.stderr


def test_rules_explain_and_policy_commands():
    listing = json.loads(run_cli(["rules", "--format", "json"]).stdout)
    assert {"CFG001", "CFG113", "CFG210"} <= {r["id"] for r in listing}
    by_name = run_cli(["explain", "vpc-connector-max-instances-out-of-range"])
    assert by_name.code == 0 and "CFG113" in by_name.stdout and "Bad example" in by_name.stdout
    assert run_cli(["explain", "CFG999"]).code == 2
