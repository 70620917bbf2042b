"""No format ever shows a secret from the inputs, whatever else it renders."""

from __future__ import annotations

import pytest
from clirunner import run_cli

from cfgate.reporters import FORMATS

ENV_FILE = """\
DATABASE_URL=postgresql://app:hunter2@db/x
DB_PASSWORD=hunter2secret
REDIS_TIMEOUT=600
DATABASE_URL_TIMEOUT=postgresql://app:hunter2@db/x?connect_timeout=600
"""


@pytest.fixture
def leaky_tree(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(ENV_FILE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_secret_in_any_format(leaky_tree, fmt):
    result = run_cli(["check", ".", "--as-of", "2025-09-19", "--show-passed", "--format", fmt])
    assert result.code in (0, 1), result.stderr
    assert "TIMEOUT" in result.stdout  # the run did report on the file (markdown writes REDIS\\_TIMEOUT)
    assert "hunter2" not in result.stdout and "hunter2" not in result.stderr


def test_no_secret_in_report_files(leaky_tree):
    reports = [arg for fmt in sorted(FORMATS) for arg in ("--report", f"{fmt}=reports/out.{fmt}")]
    result = run_cli(["check", ".", "--as-of", "2025-09-19", "--show-passed", *reports])
    assert result.code in (0, 1), result.stderr
    written = sorted((leaky_tree / "reports").iterdir())
    assert [p.name for p in written] == sorted(f"out.{fmt}" for fmt in FORMATS)
    for path in written:
        assert "hunter2" not in path.read_text(encoding="utf-8"), path.name
