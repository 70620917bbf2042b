"""Meta-tests over the rule catalog: unique ids, names and aliases; documented examples behave as
documented; every rule has a failing and a passing fixture case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from casefiles import all_cases

from cfgate.engine import evaluate
from cfgate.rules.registry import build_catalog
from cfgate.sources import load_workspace

CATALOG = build_catalog()
RULES = sorted(CATALOG.rules, key=lambda r: r.meta.id)

LIVE_FAMILY = "CFG9"
"""Exemption: the probe rules (CFG9xx) judge live endpoints, so no static run can make them fail or pass,
and no static fixture case can show them. They are exempt from the static example and fixture-case
tests below, and only from those; ``tests/stages/test_rule_examples.py`` runs their documented
examples live against servers on loopback, and ``tests/stages/`` holds their cases."""
STATIC_RULES = [r for r in RULES if not r.meta.id.startswith(LIVE_FAMILY)]


def test_only_probe_rules_are_exempt_from_static_examples():
    from cfgate.rules.probes import PROBE_RULES

    exempt = [r for r in RULES if r not in STATIC_RULES]
    assert exempt and all(any(r is p for p in PROBE_RULES) for r in exempt)


def test_ids_names_and_aliases_are_unique():
    seen: dict[str, str] = {}
    for rule in RULES:
        for token in (rule.meta.id, rule.meta.name, *rule.meta.aliases):
            assert token not in seen, f"{token} used by {seen[token]} and {rule.meta.id}"
            seen[token] = rule.meta.id


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_metadata_is_complete(rule):
    meta = rule.meta
    assert re.fullmatch(r"CFG\d{3}", meta.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name)
    assert meta.title and meta.rationale and meta.fix
    assert meta.bad is not None and meta.good is not None, "every rule documents a bad and a good example"


def _run_example(rule, example, tmp_path, monkeypatch):
    for name, content in example.files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    monkeypatch.chdir(tmp_path)
    as_of = dt.date.fromisoformat(example.as_of) if example.as_of else dt.date(2025, 9, 17)
    result = evaluate(load_workspace(["."]), [rule], as_of)  # a finding: fail, or unknown for rules that report gaps
    return [e for e in result.evaluations if e.rule == rule.meta.id and e.status in ("fail", "unknown")]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[r.meta.id for r in STATIC_RULES])
def test_bad_example_fails(rule, tmp_path, monkeypatch):
    assert _run_example(rule, rule.meta.bad, tmp_path, monkeypatch), f"{rule.meta.id}: the bad example does not fail"


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[r.meta.id for r in STATIC_RULES])
def test_good_example_passes(rule, tmp_path, monkeypatch):
    assert not _run_example(rule, rule.meta.good, tmp_path, monkeypatch), f"{rule.meta.id}: the good example fails"


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[r.meta.id for r in STATIC_RULES])
def test_every_rule_has_a_failing_and_a_passing_case(rule):
    cases = [c for c in all_cases() if c.rule == rule.meta.id]
    failing = [c for c in cases if any(e["rule"] == rule.meta.id and e["status"] in ("fail", "unknown") for e in c.spec.get("expect", []))]
    passing = [c for c in cases if not any(e["rule"] == rule.meta.id for e in c.spec.get("expect", []))]
    assert failing, f"fixtures/rules/{rule.meta.id}/ has no case where the rule fails"
    assert passing, f"fixtures/rules/{rule.meta.id}/ has no case where the rule passes"
