"""Bypass coverage, judged by the bypass rule itself (CFG210), without a network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from cfgate.policies.model import ProbeBypass
from cfgate.rules.registry import build_catalog
from cfgate.sources import load_workspace
from cfgate.stages import FlagVerdict, choose_layer, coverage, judge_flag

CATALOG = build_catalog()  # the default policy: CFG210 with a 14-day window and a 3-day warning


def verdict(project: Callable[..., Path], env: str, as_of: str, flag: str = "EMERGENCY_DEVELOPMENT_MODE",
            rule: str | None = None) -> FlagVerdict | None:
    project({".env": env})
    workspace = load_workspace(["."])
    layer = choose_layer(workspace, {}, None)
    assert layer is not None
    return judge_flag(flag, layer, workspace, CATALOG, dt.date.fromisoformat(as_of), rule)


SEED = "EMERGENCY_DEVELOPMENT_MODE=true\nBYPASS_INFRASTRUCTURE_VALIDATION=true\nEMERGENCY_BYPASS_EXPIRY=2025-09-18\n"


def test_unexpired_flag_is_valid_and_names_its_expiry(project: Callable[..., Path]) -> None:
    v = verdict(project, SEED, "2025-09-10")
    assert v is not None and v.valid and v.rule == "CFG210" and v.expiry == "2025-09-18"
    assert "EMERGENCY_DEVELOPMENT_MODE is valid until 2025-09-18" in v.summary
    assert "EMERGENCY_BYPASS_EXPIRY in .env:3" in v.summary


def test_a_flag_expiring_within_the_warn_window_is_still_valid(project: Callable[..., Path]) -> None:
    v = verdict(project, SEED, "2025-09-17")
    assert v is not None and v.valid and v.days_left == 1


def test_expiry_day_itself_is_valid_and_the_day_after_is_not(project: Callable[..., Path]) -> None:
    assert verdict(project, SEED, "2025-09-18").valid  # type: ignore[union-attr]
    v = verdict(project, SEED, "2025-09-19")
    assert v is not None and not v.valid and "expired on 2025-09-18" in v.summary and "CFG210" in v.summary


@pytest.mark.parametrize(("env", "why"), [
    ("EMERGENCY_DEVELOPMENT_MODE=true\n", "has no expiry"),
    ("EMERGENCY_DEVELOPMENT_MODE=true  # expires: 2025-12-31\n", "more than the 14 days allowed"),
    ("EMERGENCY_DEVELOPMENT_MODE=true  # expires: soon\n", "cannot read the expiry"),
])
def test_invalid_flags_say_why(project: Callable[..., Path], env: str, why: str) -> None:
    v = verdict(project, env, "2025-09-10")
    assert v is not None and not v.valid and why in v.summary


def test_disabled_or_unset_flags_cover_nothing(project: Callable[..., Path]) -> None:
    assert verdict(project, "EMERGENCY_DEVELOPMENT_MODE=false\n", "2025-09-10") is None
    assert verdict(project, "OTHER=1\n", "2025-09-10") is None


def test_an_unknown_judging_rule_makes_the_bypass_ignored(project: Callable[..., Path]) -> None:
    v = verdict(project, SEED, "2025-09-10", rule="CFG999")
    assert v is not None and not v.valid and "CFG999" in v.summary


def test_a_flag_no_bypass_rule_selects_is_not_trusted(project: Callable[..., Path]) -> None:
    v = verdict(project, "LET_IT_SLIDE=true  # expires: 2025-09-12\n", "2025-09-10", flag="LET_IT_SLIDE")
    assert v is not None and not v.valid and "no bypass rule selects LET_IT_SLIDE" in v.summary


def test_coverage_by_probe_glob_and_kind(project: Callable[..., Path]) -> None:
    project({".env": SEED})
    workspace = load_workspace(["."])
    layer = choose_layer(workspace, {}, None)
    entries = [
        ProbeBypass(flags=["EMERGENCY_DEVELOPMENT_MODE"], probes="DATABASE_*", kinds=["postgres"]),
        ProbeBypass(flags=["BYPASS_INFRASTRUCTURE_VALIDATION"], probes=["dns:*"]),
    ]
    valid = coverage(entries, layer, workspace, CATALOG, dt.date(2025, 9, 10))
    assert valid.for_probe("DATABASE_URL", "postgres").valid.flag == "EMERGENCY_DEVELOPMENT_MODE"  # type: ignore[union-attr]
    assert valid.for_probe("DATABASE_URL", "tcp").valid is None
    assert valid.for_probe("dns:db", "dns").valid.flag == "BYPASS_INFRASTRUCTURE_VALIDATION"  # type: ignore[union-attr]
    assert valid.for_probe("REDIS_URL", "redis").valid is None
    expired = coverage(entries, layer, workspace, CATALOG, dt.date(2025, 9, 19))
    cover = expired.for_probe("DATABASE_URL", "postgres")
    assert cover.valid is None and [v.flag for v in cover.ignored] == ["EMERGENCY_DEVELOPMENT_MODE"]
