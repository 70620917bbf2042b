"""Waiver files: every problem is a malformed waiver at its line, never an exception or a silent skip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cfgate.waivers import WaiverFileError, load_waiver_file


def load(tmp_path: Path, text: str) -> list:
    path = tmp_path / "cfgate-waivers.yaml"
    path.write_text(text)
    return list(load_waiver_file(path, "cfgate-waivers.yaml", cwd=tmp_path))


def problems(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    return [(w.location.line, p) for w in load(tmp_path, text) for p in w.problems]


def test_a_valid_record(tmp_path):
    [w] = load(tmp_path, "version: 1\nwaivers:\n  - path: infra/*.tf\n    rule: [CFG113, 'CFG114,CFG2']\n"
                         "    subject: google_*\n    line: 7\n    reason: why\n    until: 2025-10-01\n    owner: team\n")
    assert w.problems == () and w.kind == "external" and w.location.line == 3
    assert w.selectors == ("CFG113", "CFG114", "CFG2") and w.lines == (7,) and w.subject == "google_*"
    assert w.until == dt.date(2025, 10, 1) and w.reason == "why" and w.owner == "team" and w.base == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("version: 1\nwaivers: [\n", (3, "not valid YAML")),
    ("- a\n- b\n", (1, "a waiver file is a mapping")),
    ("version: 2\nwaivers: []\n", (1, "version must be 1")),
    ("version: 1\nwaiver: []\n", (2, "unknown key 'waiver'")),
    ("version: 1\n", (1, "no 'waivers' list")),
    ("version: 1\nwaivers: {path: x}\n", (2, "'waivers' must be a list")),
    ("version: 1\nwaivers:\n  - just text\n", (3, "a waiver record is a mapping")),
    ("version: 1\nwaivers:\n  - {path: x, rule: CFG1, reason: r, until: 2025-10-01, line: zero}\n", (3, "line 'zero'")),
    ("version: 1\nwaivers:\n  - {path: x, rule: CFG1, reason: r, until: 2025-10-01, line: 0}\n", (3, "line '0'")),
    ("version: 1\nwaivers:\n  - {path: x, rule: CFG1, reason: r, until: 2025-10-01, path: y}\n", (3, "'path' is given twice")),
    ("version: 1\nwaivers:\n  - {path: x, rule: [], reason: r, until: 2025-10-01}\n", (3, "rule is empty")),
    ("version: 1\nwaivers:\n  - {path: x, rule: CFG1, reason: [a], until: 2025-10-01}\n", (3, "reason must be text")),
    ("version: 1\nwaivers:\n  - {path: x, rule: CFG1, reason: r, until: 2025-13-01}\n", (3, "is not a date")),
])
def test_problems_are_reported_at_their_line(tmp_path, text, expected):
    line, words = expected
    found = problems(tmp_path, text)
    assert any(at == line and words in p for at, p in found), found


def test_an_empty_file_or_list_has_no_waivers(tmp_path):
    assert load(tmp_path, "") == []
    assert load(tmp_path, "version: 1\nwaivers:\n") == []


def test_non_utf8_is_a_malformed_waiver(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_bytes(b"version: 1\n\xff\n")
    [w] = load_waiver_file(path, "w.yaml", cwd=tmp_path)
    assert w.location.line == 2 and "not UTF-8" in w.problems[0]


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(WaiverFileError, match="no such file|No such file"):
        load_waiver_file(tmp_path / "none.yaml", "none.yaml")


def test_globs_are_relative_to_the_waiver_file(tmp_path):
    sub = tmp_path / "ops"
    sub.mkdir()
    path = sub / "w.yaml"
    path.write_text("version: 1\nwaivers:\n  - {path: '../infra/*.tf', rule: CFG1, reason: r, until: 2025-10-01}\n")
    [w] = load_waiver_file(path, "ops/w.yaml", cwd=tmp_path)
    assert w.base == ".." and w.relative("infra/main.tf") == "../infra/main.tf"
