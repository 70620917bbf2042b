"""The before/after arithmetic and matching, on hand-made sides."""

from __future__ import annotations

import pytest

from cfgate.audit.compare import SideValue, number, percent_text, value_changes
from cfgate.audit.model import ValueCell


def known(value, line=1, rules=("CFG113",)) -> SideValue:
    return SideValue(ValueCell("known", value=value, line=line), tuple(rules))


def unknown(reason="var.n has no value", line=1) -> SideValue:
    return SideValue(ValueCell("unknown", reason=reason, line=line), ("CFG113",))


@pytest.mark.parametrize("value, expected", [
    (50, (50.0, "")), ("600", (600.0, "")), ("30s", (30.0, "s")), (" 2.5 ", (2.5, "")), ("-3", (-3.0, "")),
    (True, None), ("true", None), ("e2-standard-4", None), (None, None), ([1], None), (float("inf"), None),
])
def test_number(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize("percent, text", [(100.0, "+100%"), (1900.0, "+1900%"), (-50.0, "-50%"),
                                           (66.66666, "+66.7%"), (0.0, "+0%"), (-96.6667, "-96.7%")])
def test_percent_text(percent, text):
    assert percent_text(percent) == text


def only(base, head):
    changes = value_changes(base, head)
    assert len(changes) == 1, changes
    return changes[0]


def test_percentages_need_the_same_unit_and_a_base_other_than_zero():
    key = ("a.env", "TIMEOUT")
    assert only({key: known("30")}, {key: known("600")}).change == "+1900%"
    assert only({key: known("30s")}, {key: known("10m")}).change == "changed"
    change = only({key: known(0)}, {key: known(5)})
    assert (change.change, change.percent, change.before_number, change.after_number) == ("from 0", None, 0.0, 5.0)
    assert value_changes({key: known(5)}, {key: known(5.0)}) == ()  # 5 and 5.0 are the same number in JSON


@pytest.mark.parametrize("before, after, text", [
    (known(5), unknown(), "unknown after"),
    (unknown(), known(5), "unknown before"),
    (unknown("a"), unknown("b"), "unknown before and after"),
    (None, unknown(), "added, unknown"),
    (unknown(), None, "removed"),
])
def test_unknown_values_never_get_a_percentage(before, after, text):
    key = ("main.tf", "google_vpc_access_connector.c.max_instances")
    change = only({key: before} if before else {}, {key: after} if after else {})
    assert (change.change, change.percent) == (text, None)
    assert change.before_number is None or change.after_number is None


def test_same_unknown_is_not_a_change():
    key = ("main.tf", "x.y")
    assert value_changes({key: unknown("r")}, {key: unknown("r")}) == ()


def test_a_subject_that_moved_file_is_matched_by_subject():
    subject = "google_vpc_access_connector.c.max_instances"
    change = only({("old.tf", subject): known(50)}, {("new.tf", subject): known(100)})
    assert (change.file, change.base_file, change.change) == ("new.tf", "old.tf", "+100%")
    # moved with the same value: nothing changed
    assert value_changes({("old.tf", subject): known(50)}, {("new.tf", subject): known(50)}) == ()


def test_an_ambiguous_move_is_not_guessed():
    subject = "DATABASE_TIMEOUT"
    base = {("a.env", subject): known("30")}
    head = {("b.env", subject): known("600"), ("c.env", subject): known("600")}
    changes = value_changes(base, head)
    assert sorted((c.file, c.change) for c in changes) == [("a.env", "removed"), ("b.env", "added"), ("c.env", "added")]


def test_a_pool_built_in_a_call_is_matched_when_its_line_moves():
    base = {("db.py", "create_async_engine@19.pool_size"): known(5, 19, ())}
    head = {("db.py", "create_async_engine@21.pool_size"): known(10, 21, ())}
    change = only(base, head)
    assert (change.subject, change.change, change.base_file) == ("create_async_engine@21.pool_size", "+100%", None)
