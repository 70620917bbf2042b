"""The inline waiver grammar: every mistake is named, nothing is dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from cfgate.waivers.syntax import is_directive, parse_comment, tokenize


def test_the_documented_form():
    parsed = parse_comment(' cfgate: waive CFG123 until=2025-10-01 reason="capacity test for #1278" owner=platform-team')
    assert parsed.problems == ()
    assert parsed.selectors == ("CFG123",)
    assert parsed.until == dt.date(2025, 10, 1)
    assert parsed.reason == "capacity test for #1278"
    assert parsed.owner == "platform-team"


def test_selectors_names_prefixes_and_lists():
    parsed = parse_comment("cfgate: waive CFG113, vpc-connector-max-instances-out-of-range,CFG2 until=2025-10-01 reason=x")
    assert parsed.problems == ()
    assert parsed.selectors == ("CFG113", "vpc-connector-max-instances-out-of-range", "CFG2")


def test_quotes_and_escapes():
    parsed = parse_comment(r"""cfgate: waive CFG1 until=2025-10-01 reason="say \"hi\" a=b" owner='team a'""")
    assert parsed.problems == ()
    assert parsed.reason == 'say "hi" a=b' and parsed.owner == "team a"


@pytest.mark.parametrize(("text", "problem"), [
    ("cfgate: waive CFG1 until=2025-10-01 reason=two words", "unexpected 'words'"),
    ("cfgate: waive CFG1 until=2025-02-30 reason=x", "until '2025-02-30' is not a date"),
    ("cfgate: waive CFG1 until=2025-1-1 reason=x", "until '2025-1-1' is not a date"),
    ("cfgate: waive CFG1 reason=x", "missing until"),
    ("cfgate: waive CFG1 until=2025-10-01", "missing reason"),
    ('cfgate: waive CFG1 until=2025-10-01 reason=""', "missing reason"),
    ('cfgate: waive CFG1 until=2025-10-01 reason="open', 'unclosed " quote'),
    ("cfgate: waive CFG1 until=2025-10-01 reason=x ticket=OPS-1", "unknown key 'ticket'"),
    ("cfgate: waive CFG1 until=2025-10-01 reason=x reason=y", "'reason' is given twice"),
    ("cfgate: waive until=2025-10-01 reason=x", "no rule given"),
    ("cfgate: waive CFG1,,CFG2 until=2025-10-01 reason=x", "an empty rule"),
    ("cfgate: waive CFG1 until=2025-10-01 reason=x owner=", "owner is empty"),
    ("cfgate: waiver CFG1 until=2025-10-01 reason=x", "unknown cfgate directive 'waiver'"),
    ("cfgate:", "unknown cfgate directive nothing"),
])
def test_each_mistake_is_a_problem(text, problem):
    parsed = parse_comment(text)
    assert any(problem in p for p in parsed.problems), parsed.problems


def test_directive_marker():
    assert is_directive(" cfgate: waive X") and is_directive("CFGATE:waive X") and is_directive("cfgate : anything")
    assert not is_directive(" see cfgate: docs") and not is_directive(" cfgate-waivers.yaml lists more")


def test_tokenize_keeps_the_plain_part_of_each_token():
    tokens, problems = tokenize('a reason="x y" "q"')
    assert problems == [] and tokens == [("a", "a"), ("reason=x y", "reason="), ("q", "")]
