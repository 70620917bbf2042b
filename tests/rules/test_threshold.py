"""Every policy operator, on the value kinds the inputs produce (numbers, env strings, booleans, durations)."""

from __future__ import annotations

import pytest

from cfgate.rules.threshold import NotComparable, compare


@pytest.mark.parametrize("op, value, bound, expected", [
    (">=", 10, 10, True), (">=", "9", 10, False),
    (">", 11, 10, True), (">", "10", 10, False),
    ("<=", "300", 300, True), ("<=", 600, 300, False),
    ("<", 2.5, 3, True), ("<", "3", 3, False),
    ("==", "e2-micro", "e2-micro", True), ("==", "10", 10, True), ("==", "TRUE", True, True), ("==", 1, 2, False),
    ("!=", "e2-standard-8", "e2-micro", True), ("!=", 10, "10", False),
    ("in", "f1-micro", ["f1-micro", "e2-micro"], True), ("in", "e2-standard-8", ["f1-micro", "e2-micro"], False),
    ("not_in", "prod", ["dev", "staging"], True), ("not_in", "dev", ["dev", "staging"], False),
    ("regex", "staging-connector", r"^staging-", True), ("regex", "prod-connector", r"^staging-", False),
    ("between", 9, [2, 9], True), ("between", "10", [2, 9], False),
    ("multiple_of", 500, 100, True), ("multiple_of", 350, 100, False), ("multiple_of", "1.5", 0.5, True),
])
def test_operators(op, value, bound, expected):
    assert compare(op, value, bound) is expected


@pytest.mark.parametrize("op, value", [(">=", "forever"), ("<=", True), ("between", "ten"), ("multiple_of", None)])
def test_a_known_value_of_the_wrong_kind_is_not_comparable(op, value):
    with pytest.raises(NotComparable):
        compare(op, value, [1, 2] if op == "between" else 1)
