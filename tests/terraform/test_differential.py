"""Differential test: cfgate's Terraform evaluator against the real ``terraform console``.

Every case is written once into a generated ``main.tf`` as a local value and evaluated by both
sides from that same text:

* known cases as ``try(base64encode(jsonencode(EXPR)), "!ERR")``: Terraform and cfgate must
  produce byte-identical JSON, or must both fail (``!ERR``: Terraform reports an error and
  cfgate raises ``EvalError``);
* unknown cases reference ``terraform_data.r`` (built into Terraform, so no provider download):
  with no state, Terraform prints ``(known after apply)`` exactly where cfgate must return an
  ``Unknown``, and a value where Terraform can still know it (``length([unknown])``).

All cases run in one ``terraform console`` call (it prints only the last line of piped input,
so the whole batch is one expression). Offline: no provider, no checkpoint call.
"""

from __future__ import annotations

import base64
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import need

from cfgate.models.values import Unknown
from cfgate.terraform.evaluator import Expr, Scope, evaluate, evaluate_text
from cfgate.terraform.variables import type_constraint

VARIABLES = {
    "n": "5",
    "f": "2.5",
    "s": '"hello"',
    "b": "true",
    "l": "[1, 2, 3]",
    "names": '["b", "a", "c"]',
    "m": '{ a = 1, b = "x" }',
    "nested": "{ x = { y = [1, 2] } }",
    "nul": "null",
    "num_str": '"42"',
    "servers": '[{ name = "a", port = 80 }, { name = "b", port = 443 }]',
}

TYPED_VARIABLES = {  # name: (type, default) - Terraform converts the default to the type
    "t_num": ("number", '"10"'),
    "t_bool": ("bool", '"true"'),
    "t_str": ("string", "5"),
    "t_obj": ("object({ a = string, b = optional(number, 5), c = optional(list(string)) })", "{ a = 1, extra = true }"),
    "t_list": ("list(string)", '[1, "a"]'),
    "t_set": ("set(number)", "[3, 1, 3]"),
    "t_map": ("map(any)", '{ x = 1, y = "a" }'),
    "t_tuple": ("tuple([string, bool])", '[1, "true"]'),
    "t_nested": (
        "list(object({ name = string, port = optional(number, 80) }))",
        '[{ name = "a" }, { name = "b", port = "8080" }]',
    ),
    "t_any": ("any", '[1, "a"]'),
}

LOCALS = {
    "doubled": "var.n * 2",
    "greeting": '"${var.s}-${local.doubled}"',
    "ports": "[for s in var.servers : s.port]",
    "by_name": "{ for s in var.servers : s.name => s }",
    "cap": "min(local.doubled, 7)",
}

HEREDOCS = [
    "<<EOT\nhello\nworld\nEOT",
    "<<-EOT\n    indented\n      more\n    EOT",
    "<<-EOT\n  a\n\n    b\n  EOT",
    "<<EOT\nn=${var.n} s=${upper(var.s)}\nEOT",
    "<<-EOT\n    %{ for x in var.l ~}\n    item ${x}\n    %{ endfor ~}\n    EOT",
    "<<EOT\n%{ if var.b }yes%{ else }no%{ endif }\nEOT",
    "<<EOT\nliteral $${not_interp} and %%{not_directive}\nEOT",
    "<<EOT\nback\\slash \\n stays\nEOT",
    "<<-EOT\n\t\ttabs\n\t\tEOT",
    "<<-EOT\n  ${var.s}\n    x\n  EOT",
    "<<EOT\n  keep  \n   spaces\nEOT",
    "<<EOT\nEOT",
    "<<-EOT\n    %{~ if var.b ~}\n    trimmed\n    %{~ endif ~}\n    EOT",
]

KNOWN_CASES = [
    # literals and numbers
    "1",
    "-7",
    "1.5",
    "1e3",
    "1.5e-3",
    "2E2",
    "0.1 + 0.2",
    "10 / 2",
    "5 / 2",
    "10 / 3",
    "-7 / 2",
    "7 % 3",
    "-7 % 3",
    "7 % -3",
    "7.5 % 2",
    "-7.5 % 2",
    "1 / 3 * 3",
    "0.1 * 3",
    "2 * 3 + 4",
    "2 * (3 + 4)",
    "1 - 2 - 3",
    "12345678901234567890 * 10",
    "-0",
    "0 * -1",
    "1e20",
    "1e-10",
    "100 / 7",
    "3 - 0.1",
    "length([1, 2]) / 3",
    "123456789.125",
    "1/0 == 1/0",
    "9007199254740993",
    # strings, escapes, templates
    '"a\\tb\\nc"',
    '"quote \\" and backslash \\\\"',
    '"\\u00e9\\U0001F600"',
    '"$${literal}"',
    '"%%{literal}"',
    '"x${1 + 1}y"',
    '"${var.n}"',
    '"${var.f}"',
    '"${var.b}"',
    '"n=${var.n}, f=${var.f / 2}"',
    '"${10 / 3}"',
    '"%{ if var.b }on%{ else }off%{ endif }"',
    '"%{ for x in var.l }${x},%{ endfor }"',
    '"%{ for k, v in var.m }${k}=${v};%{ endfor }"',
    '"%{ for i, x in var.names }${i}:${x} %{ endfor }"',
    '"a %{~ if true ~} b %{~ endif ~} c"',
    '"${"}"}"',
    '"${null}"',
    '"x${null}"',
    '"x${[1]}"',
    '"%{ if "true" }y%{ endif }"',
    '"%{ if 1 }y%{ endif }"',
    # operators
    "1 == 1",
    "1 == 1.0",
    '1 == "1"',
    '"a" != "b"',
    "[1, 2] == [1, 2]",
    "[1] == tolist([1])",
    "{ a = 1 } == { a = 1 }",
    "{ a = 1 } == tomap({ a = 1 })",
    "null == null",
    "[null] == [null]",
    "[1] == [null]",
    "1 < 2",
    '1 < "2"',
    "2 >= 2",
    "3 <= 2.5",
    "true && false",
    "true || false",
    "!true",
    '!"false"',
    'true && "true"',
    '"2" + 1',
    '"a" + 1',
    "true + 1",
    "-var.n",
    "!var.b",
    "1 > null",
    "var.n > 3 && var.b",
    "(1 + 2) * -3",
    # conditionals
    'true ? 1 : "a"',
    'false ? 1 : "a"',
    'true ? [1] : ["a"]',
    "true ? { a = 1 } : { b = 2 }",
    'true ? [1, 2] : ["a"]',
    "true ? 1 : true",
    "true ? null : 1",
    "false ? null : [1]",
    "null ? 1 : 2",
    '"true" ? 1 : 2',
    "1 ? 2 : 3",
    'var.n > 3 ? "big" : "small"',
    'true ? 1 : tonumber("x")',
    'false ? 1 : tonumber("x")',
    # collections, indexing, attributes, splats
    '[1, "a", true, null]',
    "{ b = 1, a = 2 }",
    "{ a = 1, a = 2 }",
    '{ "k-1" = 1, (var.s) = 2 }',
    '{ 1 = "one" }',
    "var.l[0]",
    "var.l[2]",
    "var.l[3]",
    "var.l[-1]",
    'var.l["1"]',
    "var.l[1.5]",
    "var.m.a",
    'var.m["b"]',
    "var.m.c",
    "var.nested.x.y[1]",
    "var.nested.x.y.0",
    "var.servers[1].name",
    "var.servers[*].name",
    "var.servers.*.port",
    "var.servers[*].missing",
    "var.nul[*]",
    "var.n[*]",
    "var.m[*]",
    "tolist(var.l)[*]",
    "toset(var.names)[0]",
    "var.nul.x",
    "var.nul[0]",
    "var.s[0]",
    "var.l.x",
    "tomap(var.m).a",
    # for expressions
    "[for x in var.l : x * 2]",
    "[for x in var.l : x if x > 1]",
    '[for i, x in var.names : "${i}${x}"]',
    "{ for k, v in var.m : k => v }",
    "{ for x in var.names : x => upper(x) }",
    "{ for s in var.servers : s.port => s.name }",
    '{ for x in ["a", "b", "a"] : x => x... }',
    '{ for x in ["a", "b", "a"] : x => x }',
    "[for x in toset([3, 1, 2]) : x]",
    '[for k, v in toset(["b", "a"]) : "${k}${v}"]',
    "[for x in var.nul : x]",
    '[for x in "abc" : x]',
    "[for x in var.l : x if x]",
    "[for x in [] : x]",
    "{ for x in [] : x => x }",
    "{ for x in [1, 2] : x => x if x > 1 }",
    "[for k, v in { b = 2, a = 1 } : v]",
    # variables and locals
    "var.n",
    "var.f",
    "var.s",
    "var.b",
    "var.l",
    "var.names",
    "var.m",
    "var.nested",
    "var.nul",
    "var.num_str",
    "local.doubled",
    "local.greeting",
    "local.ports",
    "local.by_name",
    "local.by_name.b.port",
    "local.cap",
    "var.num_str + 1",
    "var.n + var.f",
    # numeric functions
    "abs(-3)",
    "abs(2.5)",
    "abs(-0)",
    "ceil(1.2)",
    "ceil(-1.5)",
    "floor(1.8)",
    "floor(-1.5)",
    "ceil(5)",
    "floor(10 / 3)",
    "log(8, 2)",
    "log(100, 10)",
    "pow(2, 10)",
    "pow(2, 0.5)",
    "pow(1.5, 2)",
    "pow(2, -1)",
    "max(1, 5, 3)",
    "min(1, 5, 3)",
    "max(var.l...)",
    'min("3", 10)',
    "max()",
    "min(2.5, 2.50)",
    "signum(-3)",
    "signum(0)",
    "signum(7)",
    "signum(2.5)",
    'parseint("FF", 16)',
    'parseint("-101", 2)',
    'parseint("zZ", 62)',
    'parseint("12", 1)',
    'parseint("19", 8)',
    "parseint(12, 10)",
    'sum([1, 2.5, "3"])',
    "sum([])",
    "sum(var.l)",
    'tonumber("1e3")',
    'tonumber("+5")',
    'tonumber(".5")',
    'tonumber("5.")',
    'tonumber(" 5")',
    'tonumber("0x10")',
    'tonumber("abc")',
    "tonumber(null)",
    "tonumber(true)",
    "tonumber(7)",
    # string functions
    'lower("HeLLo")',
    'upper("straße")',
    'title("hello world-foo_bar x.y")',
    'strrev("héllo")',
    'chomp("a\\n\\n\\r\\n")',
    'chomp("a\\nb")',
    'trimspace("  \\t x y \\n")',
    'trim("?!hello?!", "!?")',
    'trimprefix("hello", "he")',
    'trimprefix("hello", "x")',
    'trimsuffix("hello", "lo")',
    'substr("hello", 1, 3)',
    'substr("hello", -3, 2)',
    'substr("hello", 10, 2)',
    'substr("hello", -10, 2)',
    'substr("hello", 2, -1)',
    'substr("hello", 0, 0)',
    'startswith("hello", "he")',
    'startswith("hello", "")',
    'endswith("hello", "lo")',
    'strcontains("hello", "ell")',
    'split(",", "a,b,,c")',
    'split("", "abc")',
    'split(",", "")',
    'join(", ", ["a", 1, true])',
    'join("-", ["a"], ["b", "c"])',
    'join("-", [])',
    'join("-", [null])',
    'replace("hello", "l", "L")',
    'replace("aaa", "a", "$1")',
    'replace("a-b-c", "/-(.)/", "[$1]")',
    'replace("abc", "", "-")',
    'replace("2024-01-15", "/(\\\\d+)-(\\\\d+)-(\\\\d+)/", "$3/$2/$1")',
    'replace("a.b", ".", "-")',
    'indent(2, "a\\nb\\nc")',
    'length("héllo")',
    'length("")',
    'regex("a(b+)c", "xabbbc")',
    'regex("[0-9]+", "ab123")',
    'regex("(?P<first>[a-z]+)-(?P<second>[0-9]+)", "ab-12")',
    'regex("z", "abc")',
    'regexall("[0-9]+", "a1b22c333")',
    'regexall("(\\\\w)(\\\\d)", "a1 b2")',
    'format("%d|%5d|%-5d|%05d|%x|%X|%o|%b|%+d", 42, 42, 42, -42, 255, 255, 8, 5, 3)',
    'format("%f|%.2f|%8.3f|%-8.1f|%08.2f|%+.1f|% d", 3.14159, 2.675, 3.14159, 2.5, -3.14159, 2.25, 5)',
    'format("%e|%E|%g|%G|%.3g|%.2e", 1234.5678, 1234.5678, 1234.5678, 0.000012345, 1234.5678, 10/3)',
    'format("%s|%5s|%-5s|%.2s|%q|%t|%v|%#v|%%", "abc", "ab", "ab", "abcdef", "a\\"b", true, [1, "a"], "x")',
    'format("%v|%v|%v|%v", 1234567, 0.00001, 10/3, 1e21)',
    'format("%[2]s %[1]s %s", "a", "b")',
    'format("%d", 2.5)',
    'format("%v", { b = 1, a = "x" })',
    'format("%s", 5)',
    'format("%d", "12")',
    'format("%.1f|%.0f|%.0f", 0.25, 0.5, 1.5)',
    'format("%g", 100000000)',
    'format("%v", 0.1 + 0.2)',
    'format("%s %s", "a")',
    'format("%z", 1)',
    'format("no verbs")',
    'format("%5.1f%%", 99.44)',
    'formatlist("%s-%d", ["a", "b"], 1)',
    'formatlist("%s=%s", ["a", "b"], ["x", "y"])',
    'formatlist("x")',
    'formatlist("%s%s", ["a"], ["b", "c"])',
    # encodings and hashes
    'jsonencode({ "a<b" = "x&y", u = "é\\u2028" })',
    'jsonencode(["\\u007f", "\\u00a0", "\\u0001"])',
    "jsonencode(null)",
    "jsonencode(1e400)",
    "jsonencode(-1.5e-7)",
    "jsonencode(1/0)",
    'jsondecode("{\\"b\\": [1, 2.5, true, null], \\"a\\": \\"x\\"}")',
    'jsondecode("0.1")',
    'jsondecode("nope")',
    'base64encode("héllo")',
    'base64decode("aMOpbGxv")',
    'base64decode("!!")',
    'urlencode("a b&c/é~_.-")',
    'md5("abc")',
    'sha1("abc")',
    'sha256("abc")',
    'sha512("abc")',
    'base64sha256("abc")',
    'base64sha512("abc")',
    'uuidv5("dns", "example.com")',
    'uuidv5("url", "https://example.com")',
    # collection functions
    "length([1, 2, 3])",
    "length({ a = 1 })",
    "length(null)",
    "length(5)",
    'concat([1], ["a", 2])',
    'concat(tolist(["a"]), tolist([1]))',
    "concat()",
    "concat(var.l, local.ports)",
    'merge({ a = 1 }, { a = "x", b = 2 })',
    "merge(null, { a = 1 })",
    "merge()",
    'merge(tomap({ a = 1 }), tomap({ b = "x" }))',
    "merge({ a = 1 }, [1])",
    "keys({ b = 1, a = 2 })",
    "keys(tomap({ b = 1, a = 2 }))",
    "keys({})",
    "values({ b = 1, a = 2 })",
    'lookup({ a = 1 }, "b", "x")',
    'lookup({ a = 1 }, "a", "x")',
    'lookup({ a = "x" }, "a")',
    'lookup({ a = 1 }, "b")',
    'lookup(tomap({ a = 1 }), "b", "x")',
    'lookup({ a = 1 }, "b", null)',
    'contains(["a", "b"], "b")',
    'contains(["1"], 1)',
    "contains([1], null)",
    "contains(toset([1, 2]), 2)",
    'index(["a", "b"], "b")',
    'index(["a", 1], "1")',
    "element([1, 2, 3], 1)",
    "element([1, 2, 3], 4)",
    "element([1, 2, 3], -1)",
    "element([], 0)",
    "slice([1, 2, 3, 4], 1, 3)",
    "slice([1, 2], 1, 3)",
    "slice([1, 2], 2, 1)",
    "reverse([1, 2, 3])",
    'reverse(tolist(["a", "b"]))',
    "distinct([1, 2, 1])",
    'distinct([1, "1"])',
    "flatten([[1, [2]], 3, []])",
    "flatten([null, [null]])",
    'compact(["a", "", null])',
    "compact([])",
    'coalesce(1, "a")',
    'coalesce("", "b")',
    "coalesce(null, 2)",
    "coalesce(null)",
    "coalesce()",
    "coalesce(0, 1)",
    "coalesce(1, [1])",
    "coalescelist([], [1])",
    "coalescelist([], [])",
    "one([])",
    "one([5])",
    "one([null])",
    "one([1, 2])",
    "one(null)",
    "range(3)",
    "range(1, 4)",
    "range(10, 0, -3)",
    "range(0, 1, 0.25)",
    "range(5, 1)",
    "range(1, 4, -1)",
    "range(1, 1)",
    "range(0, 5, 0)",
    'zipmap(["a", "b"], [1, "x"])',
    'zipmap(["a"], [1, 2])',
    'zipmap(tolist(["a", "b"]), tolist([1, 2]))',
    'sort(["b", "a", "c"])',
    "sort([3, 10, 1])",
    "sort(var.names)",
    'transpose({ a = ["1", "2"], b = ["2"] })',
    "chunklist([1, 2, 3, 4, 5], 2)",
    "chunklist([1, 2, 3], 0)",
    'setproduct(["a", "b"], [1, 2])',
    'setunion(["a"], ["b", "a"])',
    'setintersection(["a", "b"], ["b"])',
    'setsubtract(["a", "b"], ["b"])',
    'matchkeys(["a", "b", "c"], ["x", "y", "z"], ["y"])',
    'alltrue([true, "true"])',
    "alltrue([])",
    "alltrue([null])",
    "anytrue([])",
    "anytrue([false, true])",
    # type conversions
    'tolist([1, "a"])',
    "tolist([1, null])",
    "tolist([1, true])",
    'tolist([[1], ["a"]])',
    'tolist([{ a = 1 }, { b = "x" }])',
    "tolist([])",
    'toset(["b", "a", "b"])',
    "toset([3, 1, 2, 10])",
    'toset([1, "a"])',
    "toset([{ a = 1 }, { a = 1 }])",
    'tomap({ a = 1, b = "x" })',
    'tomap({ a = [1], b = ["x"] })',
    "tomap({})",
    "tomap([1])",
    "tostring(5)",
    "tostring(true)",
    "tostring(null)",
    "tostring([1])",
    "tostring(0.1 + 0.2)",
    'tobool("true")',
    'tobool("1")',
    'tobool("True")',
    "tobool(null)",
    "tobool(1)",
    # try / can
    'try(tonumber("x"), 7)',
    'try(var.l[10], "none")',
    "try(var.m.c, var.m.a)",
    "try(null, 1)",
    'try(tonumber("x"))',
    'can(tonumber("x"))',
    "can(var.l[1])",
    "can(null)",
    # networking
    'cidrsubnet("10.0.0.0/16", 8, 2)',
    'cidrhost("10.0.0.0/24", 5)',
    'cidrhost("10.0.0.0/24", -2)',
    'cidrnetmask("10.0.0.0/12")',
    'cidrsubnets("10.0.0.0/16", 4, 4, 8)',
    'cidrsubnet("10.0.0.0/30", 4, 1)',
    'cidrhost("fd00::/64", 10)',
    'cidrsubnet("fd00::/48", 16, 3)',
    # misc
    "nonsensitive(sensitive(1) + 1)",
    'nonsensitive(sensitive("a"))',
    "terraform.workspace",
    "path.module",
    "path.root",
    *HEREDOCS,
    # harder corners
    "0.1 + 0.7",
    "1.1 * 1.1",
    "100 * 1.1",
    "3 * 0.1 == 0.3",
    "0.3 - 0.1",
    "-7.5 % -2",
    "5 % 0",
    "1 / 0 * 0",
    "-1 / 0",
    '"${1 / 0}"',
    "tostring(-1 / 0)",
    'tonumber("-Inf")',
    "-0 + -0",
    "0 * -1.5",
    "2 - 2",
    "1e400 * 0",
    "pow(3, 0.5)",
    "log(10, 3)",
    "pow(2, 60)",
    "pow(10, 20)",
    "floor(-0.5)",
    "ceil(-0.5)",
    "abs(-5.5)",
    "max(-0, 0)",
    '"${"a"}${"b"}"',
    '"\\r|\\t|\\\\"',
    'replace("hello world", "/o(\\\\w)?/", "<$1>")',
    'replace("abc", "/b/", "$$")',
    'replace("abc", "/(b)/", "$1x")',
    'replace("abc", "/(b)/", "${1}x")',
    'split(", ", "a, b")',
    'join(",", toset(["b", "a"]))',
    'trimspace("\\u00a0x\\u00a0")',
    'trim("xxhixx", "x")',
    'indent(4, "a\\n")',
    'substr("héllo", 1, 1)',
    'lower("ÀB")',
    'upper("éa")',
    'length("👍🏽")',
    'strrev("👍🏽a")',
    'substr("e\\u0301x", 0, 1)',
    'length("e\\u0301")',
    'format("%5s|%-5s|", "é", "é")',
    'formatlist("%v", [1, "a", true])',
    'element(["a", "b"], 3)',
    'index(tolist(["a", "b"]), "b")',
    'contains(["a"], "A")',
    'zipmap(["a", "a"], [1, 2])',
    "merge({ a = { x = 1 } }, { a = { y = 2 } })",
    "concat([[1]], [[2]])",
    'distinct(["b", "a", "b"])',
    "setproduct([], [1])",
    'setunion([1], ["a"])',
    "chunklist([], 2)",
    "transpose({})",
    "matchkeys([1, 2], [3, 4], [4])",
    'coalesce(null, "", "x")',
    'coalesce(1, null, "")',
    "try(local.doubled, 0)",
    'can(regex("^a", "abc"))',
    "flatten([[[1]], [[2, [3]]]])",
    'reverse("abc")',
    "length(toset([1, 1, 2]))",
    "range(3)[1]",
    'cidrsubnets("10.0.0.0/24", 2, 2, 1)',
    'cidrhost("10.0.0.0/30", 4)',
    "{ for k, v in var.m : upper(k) => v }",
    "[for s in var.servers : s if s.port > 100]",
    "{ for s in var.servers : s.name => s.port... }",
    '"%{ for x in [] }x%{ endfor }"',
    '"%{ if false }x%{ endif }"',
    '"${var.l}"',
    '"a${var.l}"',
    "{ (1) = 2 }",
    "{ (true) = 1 }",
    "{ (null) = 1 }",
    "[[1, 2], [3]][0][1]",
    "[1, 2, 3][*]",
    '"abc"[*]',
    "true ? [1] : []",
    'true ? tolist(["a"]) : [1]',
    'false ? { a = 1 } : { a = "x", b = 2 }',
    'true ? [1, "a"] : ["b", 2]',
    "1 == true",
    '"true" == true',
    "!null",
    '-"5"',
    '"5" * "2"',
    '"1.5" > 1',
    'var.m == { a = 1, b = "x" }',
    "var.l == [1, 2, 3]",
    "[for x in var.l : x] == var.l",
    "keys(var.m)",
    "flatten(var.servers[*].name)",
    "length(var.servers[0])",
    'sort(toset(["b", "a"]))',
    "[for x in var.l : [for y in var.l : x * y if y > x]]",
    '"%{ for x in var.l }%{ if x > 1 }${x}%{ endif }%{ endfor }"',
    "{ for i, v in var.names : v => i }",
    'var.servers[0].name == "a" ? local.cap : 0',
    'local.by_name["a"].port + local.doubled',
    "<<-EOT\n  a\n  %{~ if true ~}\n  b\n  %{~ endif ~}\n  c\n  EOT",
    '<<EOT\nfoo ${~ "x" ~}   \n  bar\nEOT',
    "<<EOT\n  line1\n  %{ for x in [1, 2] ~}\n  v${x}\n  %{ endfor ~}\nend\nEOT",
    "<<-EOT\n    ${var.n}\n  two\n  EOT",
    "<<-EOT\n      a\n  \n    b\n    EOT",
    'basename("/a/b/c.txt")',
    'basename("a/b/")',
    'basename("")',
    'basename("/")',
    'dirname("/a/b/c.txt")',
    'dirname("a")',
    'dirname("a//b/../c/d")',
    'dirname("/")',
    'csvdecode("a,b\\n1,2\\n\\"x,y\\",3")',
    'csvdecode("a,b\\n1")',
    'textencodebase64("hi é", "UTF-16LE")',
    'textencodebase64("é", "ISO-8859-1")',
    'textdecodebase64("aABpAA==", "UTF-16LE")',
    'textencodebase64("€", "ISO-8859-1")',
    'timeadd("2024-01-31T23:30:00Z", "1h30m")',
    'timeadd("2024-01-01T00:00:00+02:00", "-90s")',
    'timeadd("2024-01-01T00:00:00.5Z", "1.5s")',
    'timeadd("2024-01-01T00:00:00Z", "1d")',
    'timecmp("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00")',
    'timecmp("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z")',
    'timecmp("nope", "2024-01-01T00:00:00Z")',
    # typed variables
    "var.t_num + 1",
    "var.t_bool",
    "var.t_str",
    "var.t_obj",
    "var.t_list",
    "var.t_set",
    "var.t_map",
    "var.t_tuple",
    "var.t_nested",
    "var.t_any",
    "var.t_nested[1].port + 1",
    'var.t_list == tolist(["1", "a"])',
    'var.t_map == tomap({ x = "1", y = "a" })',
    # precedence and parsing corners
    "-2 * 3",
    "1 - -1",
    "2 - 1 - 1",
    "8 / 2 / 2",
    "!true && false",
    "!true == false",
    "1 + 2 == 3 && true",
    "true ? 1 : false ? 2 : 3",
    "false ? 1 : false ? 2 : 3",
    "1 < 2 == true",
    "-1 % 3",
    "2 * -1",
    "-(-1)",
    "(1 +\n 2) * 3",
    "[\n  1,\n  2,\n]",
    "{\n  a = 1\n  b = 2\n}",
    '"\\\\${1}"',
    '"${"\\""}"',
    "{ var.s = 1 }",
    "{ local.doubled = 1 }",
    "{ true = 1 }",
    "{ null = 1 }",
    "{ 1.5 = 1 }",
    "{ in = 1, for = 2 }",
    "{ a = 1 }[0]",
    '{ "1" = "x" }[1]',
    "[for x in [1, 2] : { v = x }][1].v",
    "var.servers[*].port[1]",
]

UNKNOWN_CASES = [
    "terraform_data.r.id",
    "terraform_data.r.input",
    "terraform_data.r",
    'terraform_data.r.id == "x"',
    '"x-${terraform_data.r.id}" == null',
    '"x-${terraform_data.r.id}" != null',
    "length([terraform_data.r.id])",
    "[terraform_data.r.id, 1][1]",
    "{ a = terraform_data.r.id, b = 2 }.b",
    'coalesce("a", terraform_data.r.id)',
    'coalesce(terraform_data.r.id, "a")',
    'terraform_data.r.id == "" ? 1 : 1',
    'terraform_data.r.id == "" ? 1 : 2',
    'terraform_data.r.id == "" ? "a" : "a"',
    "true ? 1 : terraform_data.r.id",
    'false && terraform_data.r.id == "a"',
    "try(terraform_data.r.id, 1)",
    "try([terraform_data.r.id], 1)",
    "can(terraform_data.r.id)",
    "upper(terraform_data.r.id)",
    "upper(terraform_data.r.id) == null",
    "keys({ a = terraform_data.r.id })",
    "merge({ a = terraform_data.r.id }, { a = 1 })",
    "contains([terraform_data.r.id, 1], 1)",
    "contains([terraform_data.r.id], 1)",
    "index([terraform_data.r.id, 1], 1)",
    "element([terraform_data.r.id, 1], 1)",
    "slice([terraform_data.r.id, 1, 2], 1, 3)",
    "reverse([terraform_data.r.id, 1])[0]",
    "anytrue([terraform_data.r.id, true])",
    "alltrue([terraform_data.r.id, false])",
    "length({ a = terraform_data.r.id })",
    "values({ a = terraform_data.r.id, b = 2 })[1]",
    'zipmap(["a", "b"], [terraform_data.r.id, 2]).b',
    'tolist([terraform_data.r.id, "x"])[1]',
    "[for x in [1, 2] : terraform_data.r.id][0]",
    "length([for x in [1, 2] : terraform_data.r.id])",
    "[for x in terraform_data.r.output : x]",
    '"a" == terraform_data.r.id + 1',
    "1 == terraform_data.r.id",
    "terraform_data.r.id + 1 == null",
    "terraform_data.r.id == null",
    "sum([terraform_data.r.id, 1])",
    'join(",", [terraform_data.r.id])',
    'formatlist("%s", [terraform_data.r.id, "a"])[1]',
    'format("%v", null)',
    'lookup({ a = 1, b = terraform_data.r.id }, "a")',
    "one([terraform_data.r.id])",
    "length(coalescelist([terraform_data.r.id], [1]))",
    "jsonencode([terraform_data.r.id])",
    "terraform_data.r[*].id",
    '"${terraform_data.r.id}"',
    "{ for k in [1] : terraform_data.r.id => k }",
    '[for x in [1] : x if terraform_data.r.id == "a"]',
    'terraform_data.r.id == "a" ? var.n : var.f',
    "tostring(terraform_data.r.id) == null",
    "max(1, terraform_data.r.id)",
    "length(terraform_data.r.id)",
    "local.doubled + length([terraform_data.r.id])",
    'startswith("x-${terraform_data.r.id}", "x")',
    'startswith("x-${terraform_data.r.id}", "x-")',
    'startswith("x-${terraform_data.r.id}", "y")',
    'startswith("abc${terraform_data.r.id}", "abc")',
    'startswith("abc${terraform_data.r.id}", "ab")',
    'startswith("abc${terraform_data.r.id}", "b")',
    'startswith(terraform_data.r.id, "")',
    'startswith(terraform_data.r.id, "a")',
    '"x-${terraform_data.r.id}" == "y"',
    '"x-${terraform_data.r.id}" == "x-1"',
    '"${terraform_data.r.id}-x" == "y"',
    'upper("x-${terraform_data.r.id}") == "y"',
    'startswith("a/${terraform_data.r.id}/${var.s}", "a/")',
    'startswith("${var.s}:${terraform_data.r.id}", "hello:")',
    '"pre-${terraform_data.r.id}" != "post"',
]

ERR = "!ERR"


def _hcl_block(name: str, body: dict[str, str]) -> str:
    lines = [f"  {key} = {value}" for key, value in body.items()]
    return f"{name} {{\n" + "\n".join(lines) + "\n}\n"


def _wrap(expr: str) -> str:
    """The local each case becomes: JSON via base64 (plain ASCII), errors as !ERR."""
    if "\n" in expr:
        # A heredoc must end its own line before the closing parentheses.
        return f'try(base64encode(jsonencode(\n{expr}\n)), "{ERR}")'
    return f'try(base64encode(jsonencode({expr})), "{ERR}")'


def _main_tf() -> str:
    parts = [f'variable "{name}" {{\n  default = {value}\n}}\n' for name, value in VARIABLES.items()]
    parts += [f'variable "{n}" {{\n  type    = {t}\n  default = {d}\n}}\n' for n, (t, d) in TYPED_VARIABLES.items()]
    parts.append('resource "terraform_data" "r" {\n  input = "x"\n}\n')
    cases = {f"__k{i}": _wrap(expr) for i, expr in enumerate(KNOWN_CASES)}
    cases.update({f"__u{i}": _wrap(expr) for i, expr in enumerate(UNKNOWN_CASES)})
    parts.append(_hcl_block("locals", {**LOCALS, **cases}))
    return "\n".join(parts)


def _console(workdir: Path, expr: str) -> str:
    rc = workdir / "terraformrc"
    rc.write_text("")
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(rc),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    }
    proc = subprocess.run(
        ["terraform", "console", "-no-color"],
        check=False,
        input=expr + "\n",
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"terraform console failed:\n{proc.stderr or proc.stdout}")
    return proc.stdout


def _decode(item: str) -> str:
    return item if item == ERR else base64.b64decode(item).decode()


@pytest.fixture(scope="module")
def terraform_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    need("terraform", "differential test")
    workdir = tmp_path_factory.mktemp("tfdiff")
    (workdir / "main.tf").write_text(_main_tf())
    names = ", ".join(f"local.__k{i}" for i in range(len(KNOWN_CASES)))
    out = _console(workdir, f'join(",", [{names}])').strip()
    known = [_decode(item) for item in out.strip('"').split(",")]
    assert len(known) == len(KNOWN_CASES), out[:500]
    names = ", ".join(f"local.__u{i}" for i in range(len(UNKNOWN_CASES)))
    out = _console(workdir, f"[{names}]")
    lines = [line.strip().rstrip(",") for line in out.strip().splitlines()[1:-1]]
    assert len(lines) == len(UNKNOWN_CASES), out[:500]
    unknown = [None if line == "(known after apply)" else _decode(line.strip('"')) for line in lines]
    return {"known": known, "unknown": unknown, "source": (workdir / "main.tf").read_text()}


@pytest.fixture(scope="module")
def cfgate_scope(terraform_results: dict[str, Any]) -> tuple[Scope, str]:
    """The same main.tf, read with python-hcl2: variable defaults and locals (the cases)."""
    import hcl2

    source = terraform_results["source"]
    tree = hcl2.parses(source)
    variables: dict[str, Any] = {}
    types: dict[str, Any] = {}
    locals_: dict[str, Expr] = {}
    for block in (c for c in tree.body.children if type(c).__name__ == "BlockRule"):
        kind = str(block.labels[0].token.value)
        attrs = {
            str(a.identifier.token.value): a.expression
            for a in block.body.children
            if type(a).__name__ == "AttributeRule"
        }
        if kind == "variable":
            name = block.labels[1].serialize().strip('"')
            variables[name] = evaluate(attrs["default"], Scope(), source)
            if "type" in attrs:
                types[name] = type_constraint(attrs["type"], source)
        elif kind == "locals":
            locals_.update({name: Expr(node, source) for name, node in attrs.items()})
    return Scope(variables=variables, locals=locals_, variable_types=types, path_cwd="."), source


def _ours(scope: Scope, name: str) -> str | None:
    value = evaluate_text(f"local.{name}", scope)
    if isinstance(value, Unknown):
        return None
    assert isinstance(value, str), value
    return _decode(value)


def _explain(scope: Scope, expr: str) -> str:
    try:
        return repr(evaluate_text(expr, scope))
    except Exception as exc:  # noqa: BLE001 - diagnostic only
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("index", range(len(KNOWN_CASES)), ids=[textwrap.shorten(c, 60) for c in KNOWN_CASES])
def test_known_value_matches_terraform(
    index: int, terraform_results: dict[str, Any], cfgate_scope: tuple[Scope, str]
) -> None:
    scope, _ = cfgate_scope
    expected = terraform_results["known"][index]
    got = _ours(scope, f"__k{index}")
    assert got == expected, (
        f"{KNOWN_CASES[index]!r}: terraform={expected!r} cfgate={got!r} ({_explain(scope, KNOWN_CASES[index])})"
    )


@pytest.mark.parametrize("index", range(len(UNKNOWN_CASES)), ids=[textwrap.shorten(c, 60) for c in UNKNOWN_CASES])
def test_unknown_exactly_where_terraform_cannot_know(
    index: int, terraform_results: dict[str, Any], cfgate_scope: tuple[Scope, str]
) -> None:
    scope, _ = cfgate_scope
    expected = terraform_results["unknown"][index]
    got = _ours(scope, f"__u{index}")
    show = "(known after apply)" if expected is None else expected
    assert got == expected, (
        f"{UNKNOWN_CASES[index]!r}: terraform={show!r} cfgate={got!r} ({_explain(scope, UNKNOWN_CASES[index])})"
    )


def test_case_counts() -> None:
    assert len(KNOWN_CASES) + len(UNKNOWN_CASES) >= 200


def test_errors_are_a_minority(terraform_results: dict[str, Any]) -> None:
    errors = sum(1 for item in terraform_results["known"] if item == ERR)
    assert 0 < errors < len(KNOWN_CASES) // 4
