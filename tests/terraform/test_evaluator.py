"""Unit tests for the Terraform expression evaluator (no terraform binary needed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cfgate.models.values import Unknown
from cfgate.terraform.errors import EvalError
from cfgate.terraform.evaluator import (
    Expr,
    Scope,
    evaluate,
    evaluate_or_unknown,
    evaluate_text,
    locals_from_text,
    parse_expression,
)
from cfgate.terraform.functions import FUNCTIONS, TERRAFORM_FUNCTION_NAMES
from cfgate.terraform.tfnumber import TFNumber


def ev(text: str, scope: Scope | None = None) -> object:
    return evaluate_text(text, scope)


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 / 2", 5),
        ("5 / 2", 2.5),
        ("1.5e3", 1500),
        ("2 * 3 + 4", 10),
        ("-7 % 3", -1),
        ("0.1 + 0.2", 0.3),
        ("-0", 0),
        ("12345678901234567890 * 10", 123456789012345678900),
    ],
)
def test_arithmetic_results_are_int_when_integral(text: str, expected: object) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tostring(5)", "5"),
        ("tostring(10 / 2)", "5"),
        ("tostring(5 / 2)", "2.5"),
        ("tostring(0.1 + 0.2)", "0.3"),
        ('"${1e20}x"', "100000000000000000000x"),
        ("tostring(10 / 3)", "3." + "3" * 153 + "2"),
        ("tostring(pow(2, 0.5))", "1.4142135623730951"),
        ("tostring(length([1, 2]) / length([1, 2, 3]))", "0.6666666666666666667"),
        ("tostring(0 * -1)", "-0"),
        ("tostring(1 / 0)", "+Inf"),
    ],
)
def test_numbers_print_like_terraform(text: str, expected: str) -> None:
    assert ev(text) == expected


def test_tfnumber_keeps_precision_per_value() -> None:
    third = TFNumber.parse("1") / TFNumber.parse("3")
    assert third.prec == 512
    assert (
        TFNumber.from_float(0.1) + TFNumber.parse("0")
    ).to_text() == "0.1000000000000000055511151231257827021181583404541015625"
    assert TFNumber.parse("2.675").to_fixed(2) == "2.67"  # the binary value is below 2.675


# -- strings and templates ----------------------------------------------------------------


def test_escapes_and_interpolation() -> None:
    assert ev(r'"a\tb\u00e9 ${1 + 1} $${not} %%{not}"') == "a\tbé 2 ${not} %{not}"
    assert ev('"${[1, 2]}"') == [1, 2], "a lone interpolation passes its value through"
    with pytest.raises(EvalError, match="invalid escape"):
        ev(r'"\q"')


def test_template_directives_and_strip_markers() -> None:
    scope = Scope(variables={"items": ["a", "b"], "on": True})
    assert ev('"%{ for i, x in var.items }${i}=${x};%{ endfor }"', scope) == "0=a;1=b;"
    assert ev('"%{ if var.on }yes%{ else }no%{ endif }"', scope) == "yes"
    assert ev('"a %{~ if true ~} b %{~ endif ~} c"') == "abc"


def test_heredocs() -> None:
    flush = '<<-EOT\n    first\n      second\n\n    ${upper("x")}\n  EOT'
    assert ev(flush) == "first\n  second\n\nX\n", "the smallest indentation (4) is removed"
    assert ev("<<EOT\nkeep \\n as is\n  EOT") == "keep \\n as is\n"
    loop = "<<EOT\n%{ for x in [1, 2] ~}\nv${x}\n%{ endfor ~}\nEOT"
    assert ev(loop) == "v1\nv2\n"


def test_strings_are_nfc() -> None:
    assert ev('"e\\u0301"') == "é"


# -- operators, conditionals, collections ---------------------------------------------------


def test_comparison_logic_and_type_strictness() -> None:
    assert ev('1 == "1"') is False
    assert ev('"2" + 1') == 3
    assert ev("[1] == tolist([1])") is False
    assert ev('!"false"') is True
    with pytest.raises(EvalError):
        ev("1 + true")


def test_conditional_unifies_branch_types() -> None:
    assert ev('true ? 1 : "a"') == "1"
    assert ev('false ? { a = 1 } : { a = "x", b = 2 }') == {"a": "x", "b": "2"}
    assert ev('true ? 1 : tonumber("x")') == 1, "errors in the branch not taken are ignored"
    with pytest.raises(EvalError, match="Inconsistent conditional"):
        ev("true ? 1 : true")


def test_indexing_attributes_and_splats() -> None:
    scope = Scope(variables={"servers": [{"name": "a", "port": 80}, {"name": "b", "port": 443}], "m": {"k-1": 1}})
    assert ev("var.servers[1].name", scope) == "b"
    assert ev("var.servers[*].port", scope) == [80, 443]
    assert ev("var.servers.*.name[0]", scope) == "a"
    assert ev('var.m["k-1"]', scope) == 1
    assert ev("var.servers.0.port", scope) == 80
    with pytest.raises(EvalError, match="Invalid index"):
        ev("var.servers[2]", scope)
    with pytest.raises(EvalError, match="Unsupported attribute"):
        ev("var.servers[0].nope", scope)


def test_for_expressions() -> None:
    assert ev("[for x in [1, 2, 3] : x * 2 if x > 1]") == [4, 6]
    assert ev("{ for k, v in { b = 1, a = 2 } : v => k }") == {"1": "b", "2": "a"}
    assert ev('{ for x in ["a", "b", "a"] : x => x... }') == {"a": ["a", "a"], "b": ["b"]}
    with pytest.raises(EvalError, match="Duplicate object key"):
        ev('{ for x in ["a", "a"] : x => 1 }')


# -- functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(3, 1, 2)", 1),
        ("max([4, 9]...)", 9),
        ('lookup({ a = 1 }, "b", 7)', 7),
        ('coalesce("", null, "x")', "x"),
        ("merge({ a = 1 }, { b = 2 })", {"a": 1, "b": 2}),
        ('format("%05.1f|%-4d|%q|%v", 3.14159, 7, "hi", [1])', '003.1|7   |"hi"|[1]'),
        ('replace("a-b-c", "/-(.)/", "[$1]")', "a[b][c]"),
        ('join(", ", toset(["b", "a"]))', "a, b"),
        ('jsonencode({ b = [1, 2.5], a = "<&>" })', '{"a":"\\u003c\\u0026\\u003e","b":[1,2.5]}'),
        ('try(tonumber("x"), 7)', 7),
        ('can(tonumber("x"))', False),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('parseint("FF", 16)', 255),
        ('substr("hello", -3, 2)', "ll"),
        ("range(10, 0, -3)", [10, 7, 4, 1]),
        ('toset(["b", "a", "b"])', ["a", "b"]),
    ],
)
def test_functions(text: str, expected: object) -> None:
    assert ev(text) == expected


def test_function_errors_are_eval_errors() -> None:
    with pytest.raises(EvalError, match="tonumber"):
        ev('tonumber("abc")')
    with pytest.raises(EvalError, match="no function named"):
        ev("sqrt(2)")
    with pytest.raises(EvalError, match="argument must not be null"):
        ev("upper(null)")


def test_unsupported_and_provider_functions_are_unknown() -> None:
    result = ev('file("${path.module}/x.txt")')
    assert isinstance(result, Unknown)
    assert result.reason == "function file is not supported by cfgate"
    provider = ev('provider::aws::arn_parse("x")')
    assert isinstance(provider, Unknown) and "provider function" in provider.reason


def test_registry_names_are_terraform_functions() -> None:
    assert set(FUNCTIONS) <= TERRAFORM_FUNCTION_NAMES
    assert len(FUNCTIONS) >= 90


# -- references, scope, unknowns -----------------------------------------------------------


def test_variables_locals_and_builtins() -> None:
    scope = Scope(
        variables={"connector_max": 10, "region": "eu"},
        locals=locals_from_text({"cap": "min(var.connector_max * 2, 15)", "name": '"${var.region}-${local.cap}"'}),
        path_module="modules/net",
    )
    assert ev("local.cap", scope) == 15
    assert ev("local.name", scope) == "eu-15"
    assert ev("path.module", scope) == "modules/net"
    assert ev("terraform.workspace", scope) == "default"


def test_count_and_each() -> None:
    scope = Scope()
    assert ev("count.index * 10", scope.with_count(2)) == 20
    assert ev('"${each.key}=${each.value.port}"', scope.with_each("web", {"port": 80})) == "web=80"
    outside = ev("count.index", scope)
    assert isinstance(outside, Unknown) and "count" in outside.reason


def test_resource_references_are_unknown_with_reason() -> None:
    result = ev("google_sql_database_instance.db.name")
    assert result == Unknown(
        expr="google_sql_database_instance.db.name",
        reason="resource attribute google_sql_database_instance.db.name is known only after apply",
        chain=("google_sql_database_instance.db.name",),
    )
    for text, word in [
        ("data.aws_ami.x.id", "data source"),
        ("module.net.vpc_id", "module output"),
        ("self.id", "self"),
    ]:
        unknown = ev(text)
        assert isinstance(unknown, Unknown) and word in unknown.reason


def test_unknown_propagates_with_a_chain() -> None:
    missing = Unknown(expr="var.connector_max", reason="no value in any tfvars", chain=("var.connector_max",))
    scope = Scope(variables={"connector_max": missing}, locals=locals_from_text({"cap": "var.connector_max * 2"}))
    result = ev("min(local.cap, 10)", scope)
    assert isinstance(result, Unknown)
    assert result.expr == "min(local.cap, 10)"
    assert result.reason == "no value in any tfvars"
    assert result.chain == ("var.connector_max", "local.cap = var.connector_max * 2", "min(local.cap, 10)")
    missing_var = ev("var.nope + 1")
    assert isinstance(missing_var, Unknown) and "variable nope has no value" in missing_var.reason


def test_terraform_short_circuits_keep_known_results() -> None:
    scope = Scope(variables={"id": Unknown(expr="var.id", reason="r")})
    assert ev("true ? 1 : var.id", scope) == 1
    assert ev('coalesce("a", var.id)', scope) == "a"
    assert ev("length([var.id, 2])", scope) == 2
    assert ev("[var.id, 2][1]", scope) == 2
    assert ev('var.id == "" ? 3 : 3', scope) == 3, "both branches equal numbers: Terraform knows the result"
    assert ev('"x-${var.id}" == null', scope) is False
    assert ev('startswith("x-${var.id}", "x")', scope) is True
    assert isinstance(ev('var.id == "" ? 1 : 2', scope), Unknown)
    assert isinstance(ev('false && var.id == "a"', scope), Unknown), "Terraform does not short-circuit &&"
    assert isinstance(ev("try(var.id, 1)", scope), Unknown)
    partial = ev("[1, var.id]", scope)
    assert isinstance(partial, list) and partial[0] == 1 and isinstance(partial[1], Unknown)


def test_local_cycles_are_unknown_and_listed() -> None:
    scope = Scope(
        locals=locals_from_text({"a": "local.b + 1", "b": "local.a", "c": "local.c", "d": "local.a * 2", "ok": "1"})
    )
    result = ev("local.d", scope)
    assert isinstance(result, Unknown)
    assert result.reason == "local values form a cycle: local.a -> local.b -> local.a"
    assert ev("local.ok", scope) == 1
    assert scope.find_local_cycles() == [("a", "b", "a"), ("c", "c")]


def test_locals_are_lazy_and_memoised() -> None:
    scope = Scope(locals=locals_from_text({"bad": 'tonumber("x")', "good": "2"}))
    assert ev("local.good", scope) == 2, "an invalid local that is not referenced does not matter"
    with pytest.raises(EvalError):
        ev("local.bad", scope)
    expr = scope.locals["good"]
    scope.locals["good"] = Expr(parse_expression("3").node, parse_expression("3").source)
    assert ev("local.good", scope) == 2, "memoised: evaluated once"
    assert expr.text == "2"


def test_evaluate_a_node_from_a_parsed_document() -> None:
    import hcl2

    source = textwrap.dedent(
        """
        resource "google_vpc_access_connector" "connector" {
          name          = "conn"
          max_instances = var.connector_max
          min_instances = min(var.connector_max, 2)
          machine_type  = google_compute_network.vpc.name
        }
        """
    )
    block = hcl2.parses(source).body.children[1]
    attrs = {
        str(a.identifier.token.value): a.expression for a in block.body.children if type(a).__name__ == "AttributeRule"
    }
    scope = Scope(variables={"connector_max": 10})
    assert evaluate(attrs["max_instances"], scope, source) == 10
    assert evaluate(attrs["min_instances"], scope, source) == 2
    unknown = evaluate(attrs["machine_type"], scope, source)
    assert isinstance(unknown, Unknown) and unknown.expr == "google_compute_network.vpc.name"
    assert Scope(locals={"x": (attrs["min_instances"], source)}, variables={"connector_max": 1}).locals["x"].text == (
        "min(var.connector_max, 2)"
    )


def test_evaluate_or_unknown_and_syntax_errors() -> None:
    expr = parse_expression("[1][5]")
    result = evaluate_or_unknown(expr.node, Scope(), expr.source)
    assert isinstance(result, Unknown) and result.reason.startswith("invalid: ")
    with pytest.raises(EvalError, match="syntax"):
        parse_expression("1 +")


def test_error_carries_the_expression_text() -> None:
    with pytest.raises(EvalError) as info:
        ev('upper("a") + 1')
    assert info.value.expr is not None


def test_importing_the_package_does_not_import_hcl2() -> None:
    code = "import sys, cfgate.terraform.evaluator; print('hcl2' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


# -- variables: type constraints and -var values --------------------------------------------


def test_type_constraints_convert_like_terraform() -> None:
    from cfgate.terraform.variables import apply_type_constraint, parse_type_constraint

    obj = parse_type_constraint("object({ a = string, b = optional(number, 5), c = optional(list(string)) })")
    assert apply_type_constraint({"a": 1, "extra": True}, obj) == {"a": "1", "b": 5, "c": None}
    assert apply_type_constraint("10", parse_type_constraint("number")) == 10
    assert apply_type_constraint([3, 1, 3], parse_type_constraint("set(number)")) == [1, 3]
    assert apply_type_constraint({"x": 1, "y": "a"}, parse_type_constraint("map(any)")) == {"x": "1", "y": "a"}
    unknown = Unknown(expr="var.x", reason="r")
    assert apply_type_constraint(unknown, parse_type_constraint("number")) == unknown
    with pytest.raises(EvalError, match="input variable"):
        apply_type_constraint("ten", parse_type_constraint("number"))
    with pytest.raises(EvalError, match="required"):
        apply_type_constraint({}, obj)
    with pytest.raises(EvalError, match="Invalid type"):
        parse_type_constraint("strng")


def test_scope_applies_variable_types() -> None:
    from cfgate.terraform.variables import parse_type_constraint

    scope = Scope(
        variables={"max": "10", "zones": ["a", "b"]},
        variable_types={"max": parse_type_constraint("number"), "zones": parse_type_constraint("list(string)")},
    )
    assert ev("var.max + 1", scope) == 11
    assert ev('var.zones == tolist(["a", "b"])', scope) is True


def test_cli_var_values_follow_terraform_parsing_rules() -> None:
    from cfgate.terraform.variables import cli_var_value, parse_type_constraint

    assert cli_var_value("us-east-1") == "us-east-1", "untyped: the text, literally"
    assert cli_var_value("10", parse_type_constraint("number")) == 10
    assert cli_var_value('["a", 1]', parse_type_constraint("list(string)")) == ["a", "1"]
    assert cli_var_value("{ a = 1 }", parse_type_constraint("map(number)")) == {"a": 1}
