"""Baselines: record today's findings, fail only on new ones, list the fixed ones; written atomically."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clirunner import run_cli

from cfgate import __version__

AS_OF = ["--as-of", "2025-09-19"]
ENV = "REDIS_TIMEOUT=600\nAPI_TIMEOUT=900\n"
TF = 'resource "google_vpc_access_connector" "c" {\n  name = "c"\n  max_instances = 50\n}\n'


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(ENV)
    (tmp_path / "main.tf").write_text(TF)
    return tmp_path


def create(*args: str) -> None:
    result = run_cli(["baseline", "create", ".", *AS_OF, *args])
    assert result.code == 0, result.stderr


def check(*args: str) -> tuple[int, dict]:
    result = run_cli(["check", ".", "--format", "json", *AS_OF, "--baseline", "cfgate-baseline.json", *args])
    assert result.code in (0, 1), result.stderr
    return result.code, json.loads(result.stdout)


def test_create_records_every_finding_deterministically(tree):
    create()
    first = (tree / "cfgate-baseline.json").read_bytes()
    create()
    assert (tree / "cfgate-baseline.json").read_bytes() == first
    document = json.loads(first)
    assert document["version"] == 1 and document["as_of"] == "2025-09-19" and document["identity"] == "cfgateIdentity/v1"
    assert document["tool"] == {"name": "cfgate", "version": __version__}
    rows = [(f["rule"], f["file"], f["subject"]) for f in document["findings"]]
    assert rows == [("CFG220", ".env", "API_TIMEOUT"), ("CFG220", ".env", "REDIS_TIMEOUT"),
                    ("CFG113", "main.tf", "google_vpc_access_connector.c.max_instances")]
    assert all(len(f["fingerprint"]) == 64 for f in document["findings"])


def test_check_passes_on_known_findings_and_reports_them_as_waived(tree):
    create()
    code, report = check()
    assert code == 0
    assert {f["status"] for f in report["findings"]} == {"waived"}
    first = report["findings"][0]
    assert first["details"]["baseline"] is True and first["reason"] == "in baseline cfgate-baseline.json (recorded 2025-09-19)"
    assert first["details"]["waiver"]["kind"] == "external" and first["details"]["waiver"]["file"] == "cfgate-baseline.json"
    assert report["baseline"] == {"file": "cfgate-baseline.json", "as_of": "2025-09-19", "known": 3, "new": 0, "fixed": []}


def test_the_fingerprint_survives_lines_moving(tree):
    create()
    (tree / ".env").write_text("# a comment\n\n# and another\n" + ENV)
    (tree / "main.tf").write_text("# header\n" + TF.replace("  name = \"c\"\n", "  name = \"c\"\n\n  # moved\n"))
    code, report = check()
    assert code == 0 and report["baseline"]["new"] == 0 and report["baseline"]["known"] == 3
    assert [f["line"] for f in report["findings"] if f["file"] == "main.tf"] == [6]


def test_only_new_findings_fail_and_fixed_ones_are_listed(tree):
    create()
    (tree / ".env").write_text("REDIS_TIMEOUT=600\nAPI_TIMEOUT=30\nDB_TIMEOUT=700\n")
    code, report = check()
    assert code == 1
    failing = [(f["subject"], f["status"]) for f in report["findings"] if f["status"] == "fail"]
    assert failing == [("DB_TIMEOUT", "fail")]
    assert report["baseline"]["known"] == 2 and report["baseline"]["new"] == 1
    assert [f["subject"] for f in report["baseline"]["fixed"]] == ["API_TIMEOUT"]
    text = run_cli(["check", ".", *AS_OF, "--baseline", "cfgate-baseline.json"]).stdout
    assert "Baseline cfgate-baseline.json (recorded 2025-09-19): 2 known findings waived, 1 new, 1 fixed" in text
    assert ".env:2: fixed CFG220 API_TIMEOUT = 900 s exceeds the request timeout of 300 s" in text
    assert "REDIS_TIMEOUT" not in text  # baselined findings are counted, not listed


def test_a_changed_value_is_a_new_finding(tree):
    create()
    (tree / "main.tf").write_text(TF.replace("50", "40"))
    code, report = check()
    assert code == 1 and report["baseline"]["new"] == 1
    assert [f["value"] for f in report["baseline"]["fixed"]] == [50]


def test_a_repeated_finding_is_counted(tmp_path):
    """Two equal findings (same rule, file, subject and value) take two entries; a third is new."""
    import datetime as dt

    from cfgate.baseline import apply, load
    from cfgate.baseline import create as create_document
    from cfgate.models import Evaluation, Location, RunResult

    def result(lines: list[int]) -> RunResult:
        evaluations = tuple(Evaluation(rule="CFG220", name="n", severity="error", status="fail", message="m",
                                       location=Location(file=".env", line=line), subject="REDIS_TIMEOUT", value="600")
                            for line in lines)
        return RunResult(as_of=dt.date(2025, 9, 19), evaluations=evaluations)

    document = create_document(result([1, 2]))
    assert len(document["findings"]) == 2 and document["findings"][0]["fingerprint"] == document["findings"][1]["fingerprint"]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(document))
    baseline = load(path, "b.json")
    marked, outcome = apply(result([1, 2, 3]), baseline)
    assert (outcome.known, outcome.new, outcome.fixed) == (2, 1, ())
    assert [e.status for e in marked.evaluations] == ["waived", "waived", "fail"]
    _, outcome = apply(result([5]), baseline)
    assert (outcome.known, outcome.new, len(outcome.fixed)) == (1, 0, 1)


def test_sarif_shows_baselined_findings_as_external_suppressions(tree):
    create()
    result = run_cli(["check", ".", "--format", "sarif", *AS_OF, "--baseline", "cfgate-baseline.json"])
    assert result.code == 0
    results = json.loads(result.stdout)["runs"][0]["results"]
    suppressions = [r["suppressions"][0] for r in results if r.get("suppressions")]
    assert len(suppressions) == 3 and {s["kind"] for s in suppressions} == {"external"}
    assert suppressions[0]["location"]["physicalLocation"]["artifactLocation"]["uri"] == "cfgate-baseline.json"


def test_waived_findings_are_not_recorded(tree):
    (tree / ".env").write_text("REDIS_TIMEOUT=600  # cfgate: waive CFG220 until=2025-10-01 reason=\"slow upstream\"\n")
    create("--select", "CFG220")
    assert json.loads((tree / "cfgate-baseline.json").read_text())["findings"] == []


def test_the_baseline_setting_and_output_option(tree):
    (tree / "cfgate.toml").write_text('baseline = "ci/baseline.json"\n')
    create()
    assert (tree / "ci" / "baseline.json").is_file()
    result = run_cli(["check", ".", *AS_OF])
    assert result.code == 0, result.stdout
    create("--output", "other.json")
    assert (tree / "other.json").is_file()
    result = run_cli(["baseline", "create", ".", *AS_OF, "--output", "-"])
    assert json.loads(result.stdout)["version"] == 1


@pytest.mark.parametrize(("content", "words"), [
    (None, "no such file"),
    ('{"version": 1, "findings": [', "not valid JSON"),
    ("[]", "not a cfgate baseline"),
    ('{"version": 9, "findings": []}', "version 9 is not supported"),
    ('{"version": 1, "identity": "other/v9", "findings": []}', "its fingerprints are 'other/v9'"),
    ('{"version": 1, "findings": [{"rule": "CFG1"}]}', "findings[0] has no valid 'fingerprint'"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_a_missing_or_corrupt_baseline_is_a_usage_error(tree, content, words):
    path = tree / "cfgate-baseline.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = run_cli(["check", ".", *AS_OF, "--baseline", "cfgate-baseline.json"])
    assert result.code == 2
    assert result.stderr.startswith("cfgate: error: baseline cfgate-baseline.json") and words in result.stderr


# --- atomic writes: a kill -9 mid-write leaves the old file or the complete new one, never a mix -------------

WRITER = r"""
import sys
from cfgate.fsutil import atomic_write

target, size = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
generation = 0
while True:
    generation += 1
    body = (f"{generation:08d}" * (size // 8))[:size]
    atomic_write(target, f"BEGIN {generation} {size}\n{body}\nEND {generation}\n")
"""


def _complete(text: str) -> bool:
    head, _, rest = text.partition("\n")
    words = head.split()
    if len(words) != 3 or words[0] != "BEGIN":
        return False
    generation, size = int(words[1]), int(words[2])
    body, _, tail = rest.partition("\n")
    return len(body) == size and tail == f"END {generation}\n" and body == (f"{generation:08d}" * (size // 8))[:size]


def test_a_killed_writer_never_leaves_a_partial_file(tmp_path):
    """A real process rewrites a 4 MB file in a loop and is killed with SIGKILL at random moments."""
    target = tmp_path / "report.json"
    old = "BEGIN 0 8\n00000000\nEND 0\n"
    target.write_text(old)
    rng = random.Random(20250919)
    seen: set[str] = set()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    deadline = time.monotonic() + 6.0
    kills = 0
    while kills < 25 and time.monotonic() < deadline:
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(4_000_000)],
                                   stdout=subprocess.PIPE, env=env)
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        kills += 1
        text = target.read_text()
        assert text == old or _complete(text), f"kill {kills}: a partial file ({len(text)} characters)"
        seen.add(text.split("\n", 1)[0])
    assert kills >= 5
    leftovers = list(tmp_path.glob(".report.json.*.tmp"))
    # temp files a SIGKILL left behind show that kills did land mid-write; the target was whole every time
    assert leftovers, "no kill landed during a write: the test proved nothing"


def test_a_killed_baseline_create_leaves_the_old_baseline(tmp_path):
    """``cfgate baseline create`` killed at random moments of a run on a large tree: the old baseline or the new one."""
    for index in range(60):
        (tmp_path / f"svc{index:02d}.env").write_text("".join(f"T{n}_TIMEOUT={600 + n}\n" for n in range(40)))
    command = [sys.executable, "-m", "cfgate", "baseline", "create", ".", "--select", "CFG220"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([*command, "--as-of", "2025-01-01"], cwd=tmp_path, check=True, env=env, capture_output=True)
    target = tmp_path / "cfgate-baseline.json"
    old = target.read_text()
    started = time.monotonic()
    subprocess.run([*command, "--as-of", "2025-09-19", "--output", "new.json"], cwd=tmp_path, check=True, env=env,
                   capture_output=True)
    full = time.monotonic() - started
    new = (tmp_path / "new.json").read_text()
    assert len(json.loads(new)["findings"]) == 2400 and old != new
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen([*command, "--as-of", "2025-09-19"], cwd=tmp_path, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 1.05) * full)
        process.send_signal(signal.SIGKILL)
        process.wait()
        text = target.read_text()
        assert text in (old, new), "a partial baseline"
        target.write_text(old)


def test_changed_only_uses_the_baseline_of_the_changed_files_alone(tmp_path, monkeypatch):
    """A pre-commit run reads a few files: baselined findings elsewhere are not 'fixed'."""
    from clirunner import run_cli

    connector = 'resource "google_vpc_access_connector" "c" {{\n  max_instances = {n}\n}}\n'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text(connector.format(n=100))
    (tmp_path / "b" / "main.tf").write_text(connector.format(n=50))
    monkeypatch.chdir(tmp_path)
    assert run_cli(["baseline", "create", ".", "--select", "CFG113"]).code == 0
    result = run_cli(["check", "--changed-only", "a/main.tf", "--baseline", "cfgate-baseline.json", "--select", "CFG113",
                      "--format", "json"])
    document = json.loads(result.stdout)
    assert result.code == 0
    assert document["baseline"]["fixed"] == [] and document["baseline"]["known"] == 1
