"""`cfgate audit --base GIT_REF`: the golden path's remediation as two commits, compared honestly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirunner import run_cli

AS_OF = "2025-09-16"
VPC = "terraform-gcp-staging/vpc-connector.tf"
ENV = ".env.staging.tests"
PY = "netra_backend/app/db/database_manager.py"


def audit_json(*args: str) -> dict:
    result = run_cli(["audit", "--as-of", AS_OF, "--format", "json", *args])
    assert result.code == 1, result.stderr  # the after tree fails the gate, and audit exits as check does
    return json.loads(result.stdout)


def changes(document: dict) -> dict[tuple[str, str], dict]:
    return {(c["file"], c["subject"]): c for c in document["comparison"]["values"]}


def test_changed_values_match_the_seed_table(golden_repo):
    document = audit_json("--base", "HEAD~1")
    values = changes(document)

    def check(file: str, subject: str, before, after, change: str) -> dict:
        row = values[(file, subject)]
        assert (row["before"]["value"], row["after"]["value"], row["change"]) == (before, after, change), row
        return row

    check(VPC, "google_vpc_access_connector.connector.max_instances", 50, 100, "+100%")
    check(VPC, "google_vpc_access_connector.connector.min_instances", 5, 10, "+100%")
    check(VPC, "google_vpc_access_connector.connector.min_throughput", 300, 500, "+66.7%")
    check(VPC, "google_vpc_access_connector.connector.machine_type", "e2-standard-4", "e2-standard-8", "changed")
    check(PY, "DatabaseManager.pool_size", 25, 50, "+100%")
    check(PY, "DatabaseManager.pool_timeout", 30, 600, "+1900%")
    check(ENV, "DATABASE_TIMEOUT", "30", "600", "+1900%")
    check(ENV, "DATABASE_POOL_SIZE", "25", "50", "+100%")
    added = check(ENV, "REDIS_TIMEOUT", None, "600", "added")
    assert added["before"]["state"] == "absent" and added["percent"] is None
    assert values[(VPC, "google_vpc_access_connector.connector.max_instances")]["percent"] == 100.0
    # a changed value no rule looks at is listed, and says so
    recycle = check(PY, "DatabaseManager.pool_recycle", 1800, 900, "-50%")
    assert recycle["rules"] == []
    assert values[(ENV, "DATABASE_POOL_SIZE")]["rules"] == []
    # unchanged values are not listed; a rotated credential is listed as changed, redacted on both sides
    assert (VPC, "google_vpc_access_connector.connector.region") not in values
    url = values[(ENV, "DATABASE_URL")]
    assert url["change"] == "changed (redacted)" and url["percent"] is None
    assert url["before"]["value"] == url["after"]["value"] == "postgresql://app:***@db.internal:5432/app"
    assert document["comparison"]["commit"] and document["comparison"]["ref"] == "HEAD~1"


def test_new_fixed_and_unchanged_findings(golden_repo):
    comparison = audit_json("--base", "HEAD~1")["comparison"]
    new = {(f["rule"], f["subject"]): f for f in comparison["new"]}
    fixed = {(f["rule"], f["subject"]): f for f in comparison["fixed"]}
    assert new[("CFG113", "google_vpc_access_connector.connector.max_instances")]["value"] == 100
    assert new[("CFG220", "DATABASE_TIMEOUT")]["note"] == "passed before with the value 30"
    assert new[("CFG220", "REDIS_TIMEOUT")]["note"] == "not present before"
    assert {("CFG210", flag) for flag in ("EMERGENCY_DEVELOPMENT_MODE", "SKIP_CAPACITY_CHECKS")} <= set(new)
    # matched by fingerprint (rule, file, subject, value): 50 -> 100 is not a fix, and the note says so
    old = fixed[("CFG113", "google_vpc_access_connector.connector.max_instances")]
    assert old["value"] == 50 and old["status_before"] == "fail" and old["status_after"] is None
    assert old["note"] == "still fails with the new value 100"
    # the credential is flagged on both sides, without its value: the same finding
    assert [(f["rule"], f["subject"], f["value"]) for f in comparison["unchanged"]] == [
        ("CFG243", "DATABASE_URL", None)]
    assert {i["file"]: i["change"] for i in comparison["inputs"]} == {ENV: "modified", PY: "modified", VPC: "modified"}


def test_unchanged_findings_and_a_real_fix(make_repo):
    make_repo({"a.tf": 'resource "google_vpc_access_connector" "c" {\n  min_instances = 2\n  max_instances = 50\n}\n',
               ".env": "REDIS_TIMEOUT=600\nCLICKHOUSE_TIMEOUT=900\n"},
              {"a.tf": '# moved down a line\nresource "google_vpc_access_connector" "c" {\n  min_instances = 2\n  max_instances = 50\n}\n',
               ".env": "REDIS_TIMEOUT=600\nCLICKHOUSE_TIMEOUT=30\n"})
    comparison = audit_json("--base", "HEAD~1")["comparison"]
    unchanged = {(f["rule"], f["subject"]) for f in comparison["unchanged"]}
    assert ("CFG113", "google_vpc_access_connector.c.max_instances") in unchanged  # the line moved: same finding
    assert ("CFG220", "REDIS_TIMEOUT") in unchanged
    fixed = {(f["rule"], f["subject"]): f for f in comparison["fixed"]}
    assert fixed[("CFG220", "CLICKHOUSE_TIMEOUT")]["note"] == "passes now with the value 30"
    assert comparison["new"] == []
    values = changes({"comparison": comparison})
    assert values[(".env", "CLICKHOUSE_TIMEOUT")]["change"] == "-96.7%"
    assert (".env", "REDIS_TIMEOUT") not in values


def test_unknown_on_either_side_gives_no_percentage(make_repo):
    literal = 'resource "google_vpc_access_connector" "c" {\n  min_instances = 2\n  max_instances = 5\n}\n'
    unresolved = 'variable "n" {\n  type = number\n}\n\nresource "google_vpc_access_connector" "c" {\n  min_instances = 2\n  max_instances = var.n\n}\n'
    make_repo({"main.tf": literal}, {"main.tf": unresolved})
    result = run_cli(["audit", "--as-of", AS_OF, "--format", "json", "--base", "HEAD~1"])
    assert result.code == 0, result.stderr
    row = changes(json.loads(result.stdout))[("main.tf", "google_vpc_access_connector.c.max_instances")]
    assert row["change"] == "unknown after" and row["percent"] is None
    assert row["before"] == {"state": "known", "value": 5, "reason": None, "line": 3}
    assert row["after"]["state"] == "unknown" and "var.n" in row["after"]["reason"]
    md = run_cli(["audit", "--as-of", AS_OF, "--format", "md", "--base", "HEAD~1"]).stdout
    assert "| 5 | unknown (var.n has no default" in md and "| unknown after |" in md


def test_markdown_table_and_html_rows(golden_repo):
    md = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "--format", "md"])
    assert "| `google_vpc_access_connector.connector.max_instances` | `terraform-gcp-staging/vpc-connector.tf:10` | 50 | 100 | +100% | CFG113, CFG114 |" in md.stdout
    assert "| `DATABASE_TIMEOUT` | `.env.staging.tests:2` | 30 | 600 | +1900% | CFG220 |" in md.stdout
    assert "### New findings (17)" in md.stdout and "### Fixed findings (5)" in md.stdout
    html = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "--format", "html"]).stdout
    assert '<table id="changed-values">' in html and '<svg id="before-after-chart"' in html
    assert "50 \u2192 100 (+100%)" in html and "30 \u2192 600 (+1900%)" in html


def test_run_from_a_subdirectory_matches_files(golden_repo):
    import os

    os.chdir(golden_repo / "terraform-gcp-staging")
    document = audit_json(".", "--base", "HEAD~1")
    values = changes(document)
    assert values[("vpc-connector.tf", "google_vpc_access_connector.connector.max_instances")]["change"] == "+100%"
    assert all(i["change"] == "modified" for i in document["comparison"]["inputs"])


@pytest.mark.parametrize("where", ["parent", "elsewhere"])
def test_run_from_outside_the_repository_matches_files(golden_repo, tmp_path, monkeypatch, where):
    """From the repository's parent, display paths are "repo/..."; from an unrelated directory they are absolute."""
    if where == "parent":
        monkeypatch.chdir(golden_repo.parent)
        target, prefix = "repo", "repo/"
    else:
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
        target, prefix = str(golden_repo), f"{golden_repo.as_posix()}/"
    comparison = audit_json(target, "--base", "HEAD~1")["comparison"]
    row = changes({"comparison": comparison})[(prefix + VPC, "google_vpc_access_connector.connector.max_instances")]
    assert (row["change"], row["base_file"]) == ("+100%", None)
    assert [(i["file"], i["change"]) for i in comparison["inputs"]] == [(prefix + f, "modified") for f in (ENV, PY, VPC)]
    assert len(comparison["unchanged"]) == 1  # the credential finding: both sides matched by file


def test_a_directory_that_did_not_exist_at_the_base(make_repo):
    make_repo({"README": "x\n"}, {"README": "x\n", "infra/.env": "REDIS_TIMEOUT=600\n"})
    document = audit_json("infra", "--base", "HEAD~1")
    comparison = document["comparison"]
    assert "infra: no input files at HEAD~1" in comparison["notes"]
    assert [(c["subject"], c["change"]) for c in comparison["values"]] == [("REDIS_TIMEOUT", "added")]
    assert [i["change"] for i in comparison["inputs"]] == ["added"]


def test_the_base_is_read_never_run(make_repo, run_git, tmp_path):
    """Blobs are read raw: a filter driver or export-subst in .gitattributes never runs or applies."""
    marker = tmp_path / "PWNED"
    repo = make_repo({".gitattributes": "*.env filter=evil\n*.env export-ignore\n", "x.env": "REDIS_TIMEOUT=600\n"},
                     {".gitattributes": "*.env filter=evil\n*.env export-ignore\n", "x.env": "REDIS_TIMEOUT=30\n"})
    run_git(repo, "config", "filter.evil.smudge", f"touch {marker}; cat")
    run_git(repo, "config", "core.hooksPath", str(tmp_path / "hooks"))
    document = json.loads(run_cli(["audit", "--as-of", AS_OF, "--format", "json", "--base", "HEAD~1"]).stdout)
    assert not marker.exists()
    assert [(c["subject"], c["change"]) for c in document["comparison"]["values"]] == [("REDIS_TIMEOUT", "-95%")]


@pytest.mark.parametrize("ref, message", [("no-such-ref", "no such commit"), ("--output=x", "not a git revision")])
def test_bad_base_is_a_usage_error(golden_repo, ref, message):
    result = run_cli(["audit", "--as-of", AS_OF, "--base", ref])
    assert result.code == 2 and message in result.stderr


def test_base_outside_a_repository(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("REDIS_TIMEOUT=600\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1"])
    assert result.code == 2 and "git repository" in result.stderr


def test_no_secret_from_either_revision_in_any_output(golden_repo: Path):
    reports = ["--report", "html=out/a.html", "--report", "md=out/a.md", "--report", "json=out/a.json",
               "--report", "sarif=out/a.sarif", "--report", "junit=out/a.xml"]
    result = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "--show-passed", *reports])
    assert result.code == 1, result.stderr
    outputs = {p.name: p.read_text(encoding="utf-8") for p in (golden_repo / "out").iterdir()}
    assert sorted(outputs) == ["a.html", "a.json", "a.md", "a.sarif", "a.xml"]
    outputs["stdout"], outputs["stderr"] = result.stdout, result.stderr
    for name, text in outputs.items():
        assert "hunter2" not in text and "oldpass1999" not in text, name
    assert "DATABASE_URL" in outputs["a.html"] and "DATABASE_URL" in outputs["a.md"]  # reported on, without the secret


def test_two_runs_are_byte_identical(golden_repo):
    for fmt in ("html", "md", "json"):
        first = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "-o", f"one.{fmt}"])
        second = run_cli(["audit", "--as-of", AS_OF, "--base", "HEAD~1", "-o", f"two.{fmt}"])
        assert first.code == second.code == 1
        assert (golden_repo / f"one.{fmt}").read_bytes() == (golden_repo / f"two.{fmt}").read_bytes(), fmt
