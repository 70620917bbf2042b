"""``check --format F [--output FILE] [--report FORMAT=PATH ...]``: several formats from one run."""

from __future__ import annotations

import json

import pytest
from clirunner import run_cli

ARGS = ["check", "fixtures/golden-path/after", "--as-of", "2025-09-19"]


def test_format_and_output_work_as_before(at_root, tmp_path):
    out = tmp_path / "report.json"
    result = run_cli([*ARGS, "--format", "json", "--output", str(out)])
    assert result.code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["as_of"] == "2025-09-19"


def test_several_reports_plus_output(at_root, tmp_path):
    result = run_cli([*ARGS, "-f", "json", "-o", str(tmp_path / "r.json"),
                      "--report", f"sarif={tmp_path / 'ci' / 'cfgate.sarif'}", "--report", f"junit={tmp_path / 'ci' / 'junit.xml'}",
                      "--report", f"markdown={tmp_path / 'summary.md'}", "--report", f"sarif={tmp_path / 'copy.sarif'}"])
    assert result.code == 1, result.stderr  # the exit code is the gate's, whatever the formats
    assert result.stdout == ""
    assert json.loads((tmp_path / "ci" / "cfgate.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert (tmp_path / "ci" / "cfgate.sarif").read_bytes() == (tmp_path / "copy.sarif").read_bytes()
    assert (tmp_path / "ci" / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## cfgate report")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "ci", "ci/cfgate.sarif", "ci/junit.xml", "copy.sarif", "r.json", "summary.md"]  # no temp file left behind


def test_report_files_are_never_coloured(at_root, tmp_path):
    result = run_cli([*ARGS, "--color", "--report", f"text={tmp_path / 'report.txt'}"])
    assert "\033[" in result.stdout  # asked for on stdout
    assert "\033[" not in (tmp_path / "report.txt").read_text(encoding="utf-8")


def test_report_replaces_an_existing_file_atomically(at_root, tmp_path):
    target = tmp_path / "cfgate.sarif"
    target.write_text("old", encoding="utf-8")
    assert run_cli([*ARGS, "--report", f"sarif={target}"]).code == 1
    assert target.read_text(encoding="utf-8").startswith("{") and [p.name for p in tmp_path.iterdir()] == ["cfgate.sarif"]


@pytest.mark.parametrize(("spec", "message"), [
    ("sarif", "expected FORMAT=PATH"),
    ("=out.sarif", "expected FORMAT=PATH"),
    ("sarif=", "expected FORMAT=PATH"),
    ("xml=out.xml", "unknown format 'xml'; choose one of text, json, sarif, junit, github, markdown"),
    ("sarif=-", "use --format sarif to write to stdout"),
])
def test_bad_report_specs_are_usage_errors(at_root, tmp_path, spec, message):
    result = run_cli([*ARGS, "--report", spec, "--report", f"junit={tmp_path / 'j.xml'}"])
    assert result.code == 2 and message in result.stderr and result.stdout == ""
    assert not (tmp_path / "j.xml").exists()  # refused before anything ran or was written


def test_one_file_cannot_take_two_reports(at_root, tmp_path):
    same = tmp_path / "out"
    result = run_cli([*ARGS, "--report", f"sarif={same}", "--report", f"junit={tmp_path / '.' / 'out'}"])
    assert result.code == 2 and "is already written by --report sarif=" in result.stderr
    result = run_cli([*ARGS, "-f", "json", "-o", str(same), "--report", f"sarif={same}"])
    assert result.code == 2 and "is already written by --output" in result.stderr
    assert not same.exists()


def test_an_unwritable_report_is_an_error_not_a_traceback(at_root, tmp_path):
    result = run_cli([*ARGS, "--report", f"sarif={tmp_path}"])  # a directory
    assert result.code == 2 and f"cannot write the report to {tmp_path}" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_documents_the_design():
    text = " ".join(run_cli(["check", "--help"]).stdout.split())
    assert "--report FORMAT=PATH" in text and "--report sarif=cfgate.sarif --report junit=cfgate.xml" in text
    assert "text, json, sarif, junit, github or markdown" in text
