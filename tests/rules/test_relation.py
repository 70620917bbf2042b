"""``relation`` rules: CEL over bound entities, value conversion, unknowns, missing attributes, errors,
secrets, load-time checks, and a CEL library that is loaded only when a policy needs it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from casefiles import Case, check_args, expected, observed
from clirunner import run_cli

from cfgate import cel
from cfgate.engine import evaluate
from cfgate.entities import entities
from cfgate.models import Evaluation
from cfgate.policies.loader import PolicyError, load_policy
from cfgate.rules.base import Context
from cfgate.rules.registry import compile_rule
from cfgate.rules.relation import cel_value, env_number
from cfgate.sources import load_workspace

ROOT = Path(__file__).resolve().parents[2]
RELATION_CASES = sorted((ROOT / "fixtures" / "relations").glob("*/case.yaml"))
AS_OF = dt.date(2025, 9, 19)

SEED_POOL = "class DatabaseManager:\n    pool_size = 50\n    max_overflow = 50\n    pool_timeout = 600\n"


# -- fixture cases: the real CLI over real files, exact findings ---------------------------------------------------------

@pytest.mark.parametrize("spec_file", RELATION_CASES, ids=[p.parent.name for p in RELATION_CASES])
def test_relation_case(spec_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = Case("relations", spec_file.parent.name, spec_file.parent, yaml.safe_load(spec_file.read_text()))
    monkeypatch.chdir(case.path)
    result = run_cli(check_args(case))
    assert result.code == 0, result.stderr
    want, with_severity = expected(case)
    assert observed(json.loads(result.stdout), with_severity) == want, case.spec["description"]


# -- helpers ------------------------------------------------------------------------------------------------------------

def rule_yaml(**fields: Any) -> dict[str, Any]:
    return {"id": "ACME090", "name": "a-relation", "kind": "relation", "title": "t", **fields}


def write_policy(directory: Path, *rules: dict[str, Any]) -> Path:
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "name": "t", "rules": list(rules)}, sort_keys=False))
    return path


def run_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], *, scrub: bool = True,
             **fields: Any) -> list[Evaluation]:
    """Evaluate one relation rule over the files; ``scrub=False`` skips the engine's secret net."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    write_policy(tmp_path, rule_yaml(**fields))
    monkeypatch.chdir(tmp_path)
    rule = compile_rule(load_policy("policy.yaml").policy.rules[0], "policy.yaml")
    workspace = load_workspace(["."], ("policy.yaml",))
    if scrub:
        return list(evaluate(workspace, [rule], AS_OF).evaluations)
    return list(rule.evaluate(Context(workspace=workspace, entities=entities(workspace), as_of=AS_OF)))


POOL_BIND = {"pool": {"source": "python"}}
TOTAL = "pool.pool_size + pool.max_overflow <= 40"


# -- the example rule -----------------------------------------------------------------------------------------------------

def test_seed_values_fail_with_the_values_in_the_message(tmp_path, monkeypatch):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=POOL_BIND, expr=TOTAL)
    assert (result.status, result.severity, result.location.line) == ("fail", "error", 2)
    assert result.message == (
        "pool.pool_size + pool.max_overflow <= 40 is false for pool=DatabaseManager "
        "(pool.pool_size=50, pool.max_overflow=50)"
    )
    assert result.subject == "pool=DatabaseManager"
    assert result.details["values"] == {"pool.pool_size": 50, "pool.max_overflow": 50}


def test_within_budget_passes(tmp_path, monkeypatch):
    source = "class DatabaseManager:\n    pool_size = 20\n    max_overflow = 10\n"
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": source}, bind=POOL_BIND, expr=TOTAL)
    assert result.status == "pass"
    assert "holds for pool=DatabaseManager (pool.pool_size=20, pool.max_overflow=10)" in result.message


def test_message_placeholders(tmp_path, monkeypatch):
    [result] = run_rule(
        tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=POOL_BIND, expr=TOTAL,
        message="{pool.pool_size} + {pool.max_overflow} > 40 [{bindings}] {expr} / {subject} / {pool.pool_recycle}",
    )
    assert result.message == (
        "50 + 50 > 40 [pool.pool_size=50, pool.max_overflow=50] pool.pool_size + pool.max_overflow <= 40 "
        "/ pool=DatabaseManager / not set"
    )


def test_location_is_the_first_attribute_the_expression_names(tmp_path, monkeypatch):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=POOL_BIND,
                        expr="pool.max_overflow + pool.pool_size <= 40")
    assert result.location.line == 3
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=POOL_BIND, expr="size(pool) < 3")
    assert result.location.line == 1  # nothing named: where the pool is


# -- joins across sources --------------------------------------------------------------------------------------------------

def test_env_value_joined_with_a_pool(tmp_path, monkeypatch):
    files = {".env": "DATABASE_POOL_SIZE=50\nDATABASE_MAX_OVERFLOW=5\n", "db.py": SEED_POOL}
    bind = {"env": {"source": "env", "keys": "DATABASE_POOL_SIZE"}, "pool": {"source": "python"}}
    [result] = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="env.value + pool.max_overflow <= 40")
    assert (result.status, result.location.file, result.location.line) == ("fail", ".env", 1)
    assert "env.value=50, pool.max_overflow=50" in result.message
    assert result.details["bindings"]["env"] == {"subject": "DATABASE_POOL_SIZE", "file": ".env", "line": 1}


def test_every_combination_is_evaluated(tmp_path, monkeypatch):
    files = {".env": "A_TIMEOUT=10\nB_TIMEOUT=700\nC_TIMEOUT=abc\n", "db.py": SEED_POOL}
    bind = {"t": {"source": "env", "keys": "*_TIMEOUT"}, "pool": {"source": "python"}}
    results = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="t.value <= pool.pool_timeout")
    assert [(r.location.line, r.status, r.severity) for r in results] == [
        (1, "pass", "error"), (2, "fail", "error"), (3, "fail", "error"),
    ]
    assert "no such overload" in results[2].message  # "abc" <= 600: a string is not a number


def test_too_many_combinations_is_one_error_finding(tmp_path, monkeypatch):
    files = {".env": "A=1\nB=2\nC=3\n"}
    bind = {"x": {"source": "env"}, "y": {"source": "env"}}
    results = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="x.value <= y.value", max_combinations=8)
    assert len(results) == 1
    assert (results[0].status, results[0].severity) == ("fail", "error")
    assert "3 x x 3 y = 9 combinations, more than max_combinations (8)" in results[0].message
    assert len(run_rule(tmp_path, monkeypatch, files, bind=bind, expr="x.value <= y.value", max_combinations=9)) == 9


def test_an_empty_selection_evaluates_nothing(tmp_path, monkeypatch):
    bind = {"env": {"source": "env", "keys": "NOPE"}, "pool": {"source": "python"}}
    assert run_rule(tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=bind, expr="env.value == pool.pool_size") == []


def test_entity_fields_are_in_the_map(tmp_path, monkeypatch):
    files = {".env": "DATABASE_POOL_SIZE=50\n"}
    bind = {"env": {"source": "env"}}
    expr = 'env.key == "DATABASE_POOL_SIZE" && env.file == ".env" && env.source == "env" && !has(env.name)'
    [result] = run_rule(tmp_path, monkeypatch, files, bind=bind, expr=expr)
    assert result.status == "pass"


def test_values_show_where_they_came_from():
    from cfgate.entities import Attr, Entity
    from cfgate.models import Location, Origin
    from cfgate.policies.model import RelationRule
    from cfgate.rules.relation import RelationPolicyRule

    where = Location(file="db.py", line=7)
    origins = (Origin(what="DATABASE_POOL_SIZE", location=Location(file=".env", line=3)),
               Origin(what="default 25", location=where))
    pool = Entity("python", "db.py", "Db", Location(file="db.py", line=5),
                  {"pool_size": Attr(50, where, "int(os.getenv(...))", origins), "max_overflow": Attr(50, where)})
    spec = RelationRule.model_validate(rule_yaml(bind=POOL_BIND, expr=TOTAL))
    rule = RelationPolicyRule(compile_rule(spec, "p.yaml").meta, spec)
    [result] = rule.evaluate(Context(workspace=load_workspace([]), entities=[pool], as_of=AS_OF))
    chain = [str(origin) for origin in origins]  # "DATABASE_POOL_SIZE in .env:3", "default 25 in db.py:7"
    assert result.message.endswith(f"(pool.pool_size=50 ({', '.join(chain)}), pool.max_overflow=50)")
    assert result.details["origins"] == {"pool.pool_size": chain}


# -- unknown, missing, errors --------------------------------------------------------------------------------------------

UNKNOWN_POOL = """\
import os


class Db:
    pool_size = int(os.environ["DATABASE_POOL_SIZE"])
    max_overflow = compute_overflow()
    pool_timeout = 30
"""


def test_unknown_attributes_make_the_evaluation_unknown_with_reasons(tmp_path, monkeypatch):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": UNKNOWN_POOL}, bind=POOL_BIND, expr=TOTAL)
    assert (result.status, result.location.line) == ("unknown", 5)
    assert result.message.endswith("pool.pool_size, pool.max_overflow are unknown")
    assert "pool.pool_size is unknown: " in result.reason and "DATABASE_POOL_SIZE" in result.reason
    assert "pool.max_overflow is unknown: compute_overflow(): computed at run time" in result.reason


def test_unknown_attributes_the_expression_does_not_use_do_not_matter(tmp_path, monkeypatch):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": UNKNOWN_POOL}, bind=POOL_BIND, expr="pool.pool_timeout <= 30")
    assert result.status == "pass"


def test_dynamic_access_to_an_unknown_attribute_is_unknown(tmp_path, monkeypatch):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": UNKNOWN_POOL}, bind=POOL_BIND,
                        expr='["pool_size"].all(k, pool[k] > 0)')
    assert result.status == "unknown" and result.reason.startswith("pool.pool_size is unknown")


def test_unknown_with_another_needed_attribute_missing_is_not_evaluated(tmp_path, monkeypatch):
    source = 'import os\n\n\nclass Db:\n    pool_size = int(os.getenv("DATABASE_POOL_SIZE"))\n'
    assert run_rule(tmp_path, monkeypatch, {"db.py": source}, bind=POOL_BIND, expr=TOTAL) == []
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": source}, bind=POOL_BIND,
                        expr="has(pool.max_overflow) ? " + TOTAL + " : pool.pool_size <= 40")
    assert result.status == "unknown"  # guarded: knowing pool_size would decide it


def test_missing_attributes_mean_not_applicable_unless_guarded(tmp_path, monkeypatch):
    files = {"db.py": "class Db:\n    pool_size = 50\n"}
    assert run_rule(tmp_path, monkeypatch, files, bind=POOL_BIND, expr=TOTAL) == []
    [result] = run_rule(tmp_path, monkeypatch, files, bind=POOL_BIND,
                        expr="(has(pool.max_overflow) ? pool.max_overflow : 10) + pool.pool_size <= 40")
    assert result.status == "fail"
    # CEL's || absorbs the no-such-key error when the other side decides
    [result] = run_rule(tmp_path, monkeypatch, files, bind=POOL_BIND, expr="pool.max_overflow > 0 || pool.pool_size > 0")
    assert result.status == "pass"


def test_env_key_without_a_value_has_no_value(tmp_path, monkeypatch):
    bind = {"env": {"source": "env"}}
    assert run_rule(tmp_path, monkeypatch, {".env": "DATABASE_POOL_SIZE\n"}, bind=bind, expr="env.value > 0") == []


@pytest.mark.parametrize("expr, fragment", [
    ("pool.pool_size + pool.max_overflow", "the expression gave 100 (int), not a bool"),
    ('pool.pool_size + "a" == 1', "convert with double(x), int(x) or string(x)"),
    ("pool.pool_size / 0 == 1", "division by zero"),
    ("pool.pool_size * 9223372036854775807 > 0", "overflow"),
])
def test_evaluation_errors_are_error_findings(tmp_path, monkeypatch, expr, fragment):
    [result] = run_rule(tmp_path, monkeypatch, {"db.py": SEED_POOL}, bind=POOL_BIND, expr=expr, severity="info")
    assert (result.status, result.severity) == ("fail", "error")
    assert fragment in result.message and fragment in result.details["error"]


def test_int_and_double_compare_but_do_not_mix_in_arithmetic(tmp_path, monkeypatch):
    files = {".env": "POOL_TIMEOUT=30.5\n", "db.py": SEED_POOL}
    bind = {"env": {"source": "env", "keys": "POOL_TIMEOUT"}, "pool": {"source": "python"}}
    [result] = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="env.value < pool.pool_timeout")
    assert result.status == "pass"
    [result] = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="env.value + pool.pool_timeout > 0")
    assert result.status == "fail" and "double(x)" in result.message
    [result] = run_rule(tmp_path, monkeypatch, files, bind=bind, expr="env.value + double(pool.pool_timeout) == 630.5")
    assert result.status == "pass"


# -- secrets --------------------------------------------------------------------------------------------------------------

def test_secret_values_never_reach_a_message(tmp_path, monkeypatch):
    files = {".env": "DATABASE_PASSWORD=hunter2-correct-horse\nDATABASE_URL=postgresql://app:s3cr3t-pw@db/app\n"}
    bind = {"pw": {"source": "env", "keys": "DATABASE_PASSWORD"}, "url": {"source": "env", "keys": "DATABASE_URL"}}
    for expr in ('pw.value == "x" || url.value == "x"', "int(pw.value) > 0", "pw.value + 1 > 0"):
        for result in run_rule(tmp_path, monkeypatch, files, scrub=False, bind=bind, expr=expr,
                               message="{bindings} / {pw.value} / {url.value}"):
            text = json.dumps(result.model_dump(mode="json"))
            assert "hunter2" not in text and "s3cr3t" not in text, text


# -- conversion --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("50", 50), ("-3", -3), ("+7", 7), ("0", 0), ("30.5", 30.5), ("1e3", 1000.0), ("5.", 5.0), (".5", 0.5),
    ("9223372036854775808", 9.223372036854776e18),
    ("050", "050"), ("0x10", "0x10"), (" 50", " 50"), ("50 ", "50 "), ("inf", "inf"), ("nan", "nan"), ("1_000", "1_000"),
    ("", ""), (".", "."), ("e5", "e5"), ("true", "true"), ("2025-09-18", "2025-09-18"),
])
def test_env_values_that_are_written_as_numbers_become_numbers(text, value):
    got = env_number(text)
    assert got == value and type(got) is type(value)


def test_cel_values_keep_their_written_type():
    from decimal import Decimal
    from fractions import Fraction

    assert cel_value(True) is True and type(cel_value(3)) is int and type(cel_value(3.0)) is float
    assert cel_value(2**63) == float(2**63)
    assert cel_value(Decimal(4)) == 4 and type(cel_value(Decimal("4"))) is int  # noqa: FURB157
    assert type(cel_value(Decimal("4.0"))) is float
    assert cel_value(Fraction(1, 2)) == 0.5
    assert cel_value({"a": (1, "x", None)}) == {"a": [1, "x", None]}
    assert cel_value(object.__new__(object)).startswith("<object")


# -- static reading of expressions ---------------------------------------------------------------------------------------------

def test_references_in_text_order_outside_strings_and_comments():
    expr = 'env.value == pool["pool_size"] && "pool.fake" != pool.name // pool.comment\n && x.pool.y && pool.all(k, true)'
    assert [str(r) for r in cel.references(expr, ["pool", "env"])] == ["env.value", "pool.pool_size", "pool.name"]
    assert cel.guarded("has(pool.a) && !has( pool . b ) && pool.c", ["pool"]) == {cel.Reference("pool", "a"),
                                                                                  cel.Reference("pool", "b")}


def test_unbound_names():
    assert cel.unbound_names("poo.pool_size + pool.max_overflow <= 40", ["pool"]) == ["poo"]
    assert cel.unbound_names("[1, 2].all(x, x < pool.a) && cel.bind(t, 1, t > 0) && type(1) == int", ["pool"]) == []


# -- policy files ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, pointer, fragment", [
    ({"bind": POOL_BIND, "expr": "pool.pool_size +"}, "/rules/0/expr", "invalid CEL expression: 1:17: Syntax error"),
    ({"bind": POOL_BIND, "expr": "poo.pool_size > 1"}, "/rules/0/expr", "uses poo, which no 'bind' entry defines (bound: pool)"),
    ({"bind": {"in": {"source": "env"}}, "expr": "true"}, "/rules/0/bind/in", "'in' is a reserved word"),
    ({"bind": {"my-pool": {"source": "env"}}, "expr": "true"}, "/rules/0/bind", "'my-pool' does not match"),
    ({"bind": {}, "expr": "true"}, "/rules/0/bind", "should be non-empty"),
    ({"bind": POOL_BIND, "expr": TOTAL, "message": "total {value}"}, "/rules/0/message", "unknown placeholder {value}"),
    ({"bind": POOL_BIND, "expr": TOTAL, "message": "{env.value}"}, "/rules/0/message",
     "valid: {expr}, {bindings}, {subject}, {pool.<attribute>}"),
    ({"bind": POOL_BIND, "expr": TOTAL, "select": {"source": "python"}}, "/rules/0/select",
     "not used by relation rules: 'bind' selects"),
    ({"bind": POOL_BIND}, "/rules/0", "'expr' is a required property"),
])
def test_invalid_relation_rules_name_line_and_pointer(tmp_path, fields, pointer, fragment):
    path = write_policy(tmp_path, rule_yaml(**fields))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.pointer == pointer and fragment in str(info.value), str(info.value)
    lines = path.read_text().splitlines()
    key = pointer.rsplit("/", 1)[-1]
    assert key == "0" or lines[info.value.line - 1].lstrip(" -").startswith(f"{key}:")


def test_invalid_cel_in_a_policy_file_exits_2_with_file_line_and_pointer(tmp_path, monkeypatch):
    write_policy(tmp_path, rule_yaml(bind=POOL_BIND, expr="pool.pool_size >>> 40"))
    (tmp_path / "db.py").write_text(SEED_POOL)
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", ".", "--policy", "policy.yaml", "--exclude", "policy.yaml"])
    assert result.code == 2
    assert result.stderr.startswith("cfgate: error: policy.yaml:11: invalid policy at /rules/0/expr: invalid CEL expression:")


# -- loading the library -----------------------------------------------------------------------------------------------------

def python(*parts: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    code = "".join(textwrap.dedent(part) for part in parts)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=False)


def test_importing_cfgate_does_not_import_the_cel_library():
    result = python("""
        import sys
        import cfgate, cfgate.cli, cfgate.engine, cfgate.policies.loader, cfgate.rules.registry, cfgate.cel
        cfgate.rules.registry.build_catalog()  # the default policy has no relation rule
        print(sorted(m for m in sys.modules if m == "cel" or m.startswith(("cel.", "celpy"))))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_relation_policy_loads_only_the_compiled_evaluator():
    policy = ROOT / "fixtures" / "relations" / "relations.yaml"
    result = python(f"""
        import sys
        from cfgate.rules.registry import build_catalog
        build_catalog([{str(policy)!r}])
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("cel", "prompt_toolkit", "rich")))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['cel.cel']"


def test_falls_back_to_the_package_import_when_the_layout_changes():
    result = python("""
        import cfgate.cel as c
        c._load_extension = lambda directory: None
        print(c.compile_expression("pool.a + 1 == 3").execute({"pool": {"a": 2}}))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


BLOCK_CEL = """
    import importlib.abc, sys

    class NoCel(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "cel" or name.startswith("cel."):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, NoCel())
"""


def test_without_the_library_a_relation_policy_exits_2_with_the_install_command(tmp_path):
    write_policy(tmp_path, rule_yaml(bind=POOL_BIND, expr=TOTAL))
    (tmp_path / "db.py").write_text(SEED_POOL)
    result = python(BLOCK_CEL, """
        sys.argv = ["cfgate", "check", ".", "--policy", "policy.yaml", "--exclude", "policy.yaml"]
        from cfgate.cli import run
        run()
    """, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "policy.yaml:11: invalid policy at /rules/0/expr: relation rules need the CEL evaluator" in result.stderr
    assert "pip install 'cfgate[cel]'" in result.stderr


def test_without_the_library_other_policies_still_work(tmp_path):
    (tmp_path / ".env").write_text("A=1\n")
    result = python(BLOCK_CEL, """
        sys.argv = ["cfgate", "check", "."]
        from cfgate.cli import run
        run()
    """, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
