"""Markdown summary: verdict, counts, findings, unknowns, waivers, passed collapsed; cells escaped."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cfgate.models import RunResult
from cfgate.reporters import ReportContext
from cfgate.reporters.markdown import cell, code, render


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``heading``, split on unescaped pipes."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    rows = lines[start + 2:end]  # after the header and the delimiter row
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a | b", "a \\| b"),
    ("one\ntwo", "one<br>two"),
    ("one\r\ntwo", "one<br>two"),
    ("*not bold* _nor_ `code`", "\\*not bold\\* \\_nor\\_ \\`code\\`"),
    ("<script>&amp;", "\\<script\\>&amp;amp;"),
    ("[link](http://x)", "\\[link\\](http://x)"),
])
def test_cell_escaping(raw, escaped):
    assert cell(raw) == escaped


def test_code_span_escapes_only_pipes():
    assert code("app/db_pool.py:12") == "`app/db_pool.py:12`"
    assert code("a|b") == "`a\\|b`"
    assert code("a`b") == "a\\`b"  # a backtick cannot sit in a single-backtick span: plain escaped text instead


def test_mixed_statuses(mixed):
    result, ctx = mixed
    text = render(result, ctx)
    assert text.splitlines()[2] == ":x: **cfgate: 2 errors, 1 warning, 2 info, 1 unknown** in 2 files (as of 2025-09-19)"
    counts = {label: int(number) for label, number in table_rows(text, text.splitlines()[2])}
    assert counts == {"Errors": 2, "Warnings": 1, "Info": 2, "Unknown": 1, "Waived": 2, "Passed": 1, "Files": 2}

    findings = table_rows(text, "### Findings (5)")
    assert len(findings) == 5 and all(len(row) == 4 for row in findings)  # no stray pipe split a row
    first = next(row for row in findings if row[0] == "`infra/vpc.tf:10`")
    assert first[1] == "CFG113 vpc-connector-max-instances-out-of-range" and first[2] == "error"
    assert first[3] == "max\\_instances = 100 \\| is outside 3..10<br>second line<br>**Fix:** Set max\\_instances to at most 10."

    unknown = table_rows(text, "### Unknown (1)")
    assert unknown == [["`infra/vpc.tf:12`", "CFG113 vpc-connector-max-instances-out-of-range",
                        "google\\_vpc\\_access\\_connector.d.max\\_instances cannot be checked: its value is unknown",
                        "var.n: an expression, not a literal"]]
    waived = table_rows(text, "### Waived (2)")
    assert [row[3] for row in waived] == ["load test, see OPS-9", "capacity test until 2025-10-01, ticket OPS-12"]
    assert "<details><summary>1 check passed</summary>" in text and "Run with `--show-passed`" in text


def test_show_passed_lists_them_inside_the_collapsed_block(mixed):
    result, ctx = mixed
    text = render(result, ReportContext(rules=ctx.rules, show_passed=True))
    block = text.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "| `infra/vpc.tf:10` | CFG114 vpc-connector-instances-not-ordered | `google_vpc_access_connector.c.attr10` |" in block


def test_clean_run():
    text = render(RunResult(as_of=dt.date(2025, 9, 19), files=("a.tf",)), ReportContext())
    assert ":white_check_mark: **cfgate: no findings** in 1 file (as of 2025-09-19)" in text
    assert "### Findings" not in text and "### Unknown" not in text and "No check passed." in text


def test_only_warnings_is_not_a_red_cross(make):
    e = make("CFG210", "fail", 1, severity="warning")
    assert render(RunResult(as_of=dt.date(2025, 9, 19), evaluations=(e,)), ReportContext()).splitlines()[2].startswith(":warning:")
