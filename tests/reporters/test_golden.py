"""Each CI format on the golden-path "after" tree, compared byte for byte with its golden file."""

from __future__ import annotations

import pytest
from clirunner import run_cli

from cfgate.reporters import get

ARGS = ["check", "fixtures/golden-path/after", "--as-of", "2025-09-19"]
GOLDEN = {"sarif": "golden-path-after.sarif", "junit": "golden-path-after.junit.xml",
          "github": "golden-path-after.github.txt", "markdown": "golden-path-after.md"}


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_format_matches_its_golden_file(fmt, at_root, golden):
    result = run_cli([*ARGS, "--format", fmt])
    assert result.code == 1, result.stderr  # the after tree fails the gate; the reporter did not decide that
    golden(GOLDEN[fmt], result.stdout)


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_output_is_byte_identical_from_run_to_run(fmt, at_root):
    first, second = run_cli([*ARGS, "--format", fmt]), run_cli([*ARGS, "--format", fmt])
    assert first.stdout == second.stdout


def test_report_files_equal_stdout_and_formats_can_share_one_run(at_root, tmp_path):
    stdout = {fmt: run_cli([*ARGS, "--format", fmt]).stdout for fmt in GOLDEN}
    reports = [arg for fmt in GOLDEN for arg in ("--report", f"{fmt}={tmp_path / 'out' / GOLDEN[fmt]}")]
    result = run_cli([*ARGS, "--format", "text", *reports])
    assert result.code == 1, result.stderr
    assert result.stdout.rstrip().endswith("(as of 2025-09-19)")  # the --format text report still goes to stdout
    for fmt, name in GOLDEN.items():
        assert (tmp_path / "out" / name).read_bytes().decode("utf-8") == stdout[fmt], fmt


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_every_status_matches_its_golden_file(fmt, mixed, golden):
    """Built in conftest: pass, failures at each severity, an unknown, both kinds of waiver, a repeat, awkward text."""
    result, ctx = mixed
    golden(GOLDEN[fmt].replace("golden-path-after", "every-status"), get(fmt)(result, ctx))
