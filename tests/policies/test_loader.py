"""Policy files: the schema is generated from the models and checked in; errors point at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfgate.policies.loader import PolicyError, dump_schema, load_policy

ROOT = Path(__file__).resolve().parents[2]

RULE = "version: 1\nname: p\nrules:\n  - id: ACME001\n    name: a-rule\n    kind: threshold\n    title: t\n    select: {source: env}\n"


def test_checked_in_schema_is_current():
    assert (ROOT / "policy/schema/policy.schema.json").read_text() == dump_schema(), \
        "regenerate with: cfgate policy schema > policy/schema/policy.schema.json"


def test_shipped_policies_are_valid():
    for path in [ROOT / "policy/default.yaml", *sorted((ROOT / "policy/builtin").glob("*.yaml"))]:
        assert load_policy(path).policy.rules


@pytest.mark.parametrize("tail, line, pointer, fragment", [
    ("    check: {op: '=<', value: 3}\n", 9, "/rules/0/check/op", "valid: >=, >"),
    ("    check: {op: '<=', value: 3, atribute: x}\n", 9, "/rules/0/check/atribute", "unknown key 'atribute'"),
    ("    check: {op: in, value: 3}\n", 9, "/rules/0/check/value", "needs a list"),
    ("    check: {op: regex, value: '(['}\n", 9, "/rules/0/check/value", "invalid regular expression"),
    ("    check: {op: '<='}\n", 9, "/rules/0/check", "needs 'value' or 'ref'"),
    ("    severity: fatal\n    check: {op: '<=', value: 1}\n", 9, "/rules/0/severity", "valid: error, warning, info"),
])
def test_invalid_policies_name_line_pointer_and_choices(tmp_path, tail, line, pointer, fragment):
    path = tmp_path / "p.yaml"
    path.write_text(RULE + tail)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.line == line and info.value.pointer == pointer and fragment in str(info.value)


def test_json_policies_and_yaml_syntax_errors(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"version": 1, "name": "j", "rules": []}')
    assert load_policy(path).policy.name == "j"
    path.write_text("version: 1\nname: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(path)


def test_duplicate_ids_rejected(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(RULE + "    check: {op: '<=', value: 1}\n" + RULE.split("rules:\n")[1] + "    check: {op: '<=', value: 2}\n")
    with pytest.raises(PolicyError, match="used by rule 0"):
        load_policy(path)
