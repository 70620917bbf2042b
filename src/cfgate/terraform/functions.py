"""Terraform's built-in functions, re-implemented for cfgate's evaluator.

:data:`FUNCTIONS` is an explicit registry: name -> :class:`FunctionSpec`. A spec declares its
parameters (with the Terraform type each argument is converted to first), whether it accepts
nulls, and how it treats unknown arguments:

* by default any unknown anywhere in the arguments makes the result unknown (``upper``, ``sum``);
* ``nested_unknowns=True`` functions see collections that *contain* unknowns and keep what is
  known (``length([unknown])`` is 1, ``concat``, ``merge``, ``element``);
* ``allow_unknown`` parameters receive top-level unknowns too (``coalesce``, ``contains``);
* ``lazy`` functions (``try``, ``can``) receive argument thunks and catch evaluation errors.

Functions Terraform has but cfgate does not implement (``file``, ``timestamp``...) evaluate to an
``Unknown`` ("function X is not supported by cfgate"); names Terraform does not know are errors.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import EvalError
from .fn_collection import (
    alltrue,
    anytrue,
    can,
    chunklist,
    coalesce,
    coalescelist,
    compact,
    concat,
    contains,
    distinct,
    element,
    flatten,
    index,
    keys,
    length,
    lookup,
    matchkeys,
    merge,
    one,
    reverse,
    setintersection,
    setproduct,
    setsubtract,
    setunion,
    slice_,
    tobool,
    tolist,
    tomap,
    tonumber,
    toset,
    tostring,
    transpose,
    try_,
    values,
    zipmap,
)
from .fn_encoding import (
    base64decode,
    csvdecode,
    json_decode,
    json_encode,
    textdecodebase64,
    textencodebase64,
    uuidv5,
)
from .fn_format import format_, formatlist
from .fn_network import cidrhost, cidrnetmask, cidrsubnet, cidrsubnets
from .fn_numeric import log, max_, min_, parseint, pow_, range_, signum, sum_
from .fn_string import (
    basename,
    chomp,
    dirname,
    join,
    no_null_strings,
    regex,
    regexall,
    replace,
    split,
    startswith,
    strrev,
    substr,
    title,
)
from .fn_time import timeadd, timecmp
from .fnutil import GO_SPACE, FunctionError, b64, int64_arg, map_runes, unknown_for_null
from .tfnumber import NumberError, TFNumber
from .tftypes import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ConversionError,
    TFList,
    Type,
    Unk,
    convert,
    first_unknown,
    nfc,
)


@dataclass(frozen=True)
class Param:
    """One parameter: arguments are converted to ``ty`` before the call, as Terraform does."""

    name: str
    ty: Type = DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False


@dataclass(frozen=True)
class FunctionSpec:
    """How to call one built-in (see the module docstring for the unknown/null flags).

    ``result`` is the type of the unknown returned when an argument is unknown;
    ``null_dynamic_is_unknown`` reproduces Terraform returning an unknown when an untyped
    ``null`` reaches a parameter that needs a concrete type (``format("%v", null)``).
    """

    impl: Callable[..., Any]
    params: tuple[Param, ...] = ()
    var_param: Param | None = None
    result: Type = DYNAMIC
    nested_unknowns: bool = False
    result_may_be_null: bool = False
    lazy: bool = False
    null_dynamic_is_unknown: bool = False


def call_function(name: str, spec: FunctionSpec, args: list[Any]) -> Any:
    """Call ``spec`` with evaluated arguments (or thunks for lazy functions)."""
    if spec.lazy:
        return _invoke(name, spec, args)
    params = list(spec.params)
    if len(args) < len(params) or (spec.var_param is None and len(args) > len(params)):
        expected = f"{len(params)}{'+' if spec.var_param else ''}"
        raise EvalError(f'Invalid number of arguments for function "{name}": expected {expected}, got {len(args)}')
    params += [spec.var_param] * (len(args) - len(params))  # type: ignore[list-item]
    converted: list[Any] = []
    unknown: Unk | None = None
    for param, value in zip(params, args):
        if value is None:
            if not param.allow_null:
                raise EvalError(f'Invalid value for "{param.name}" parameter: argument must not be null.')
            if spec.null_dynamic_is_unknown:
                return Unk(unknown_for_null(name), spec.result, not_null=True)
        try:
            value = convert(value, param.ty)
        except ConversionError as exc:
            raise EvalError(f'Invalid value for "{param.name}" parameter: {exc}.') from None
        if isinstance(value, Unk) and not param.allow_unknown:
            unknown = unknown or value
        converted.append(value)
    if unknown is None and not spec.nested_unknowns:
        unknown = first_unknown([v for p, v in zip(params, converted) if not p.allow_unknown])
    if unknown is not None:
        return unknown.refined(ty=spec.result, not_null=not spec.result_may_be_null)
    return _invoke(name, spec, converted)


def _invoke(name: str, spec: FunctionSpec, args: list[Any]) -> Any:
    try:
        return nfc(spec.impl(*args))
    except (FunctionError, ConversionError, NumberError) as exc:
        raise EvalError(f'Call to function "{name}" failed: {exc}.') from None


# -- the registry ---------------------------------------------------------------------------

_S, _N, _B = STRING, NUMBER, BOOL
_LIST_S, _LIST_D, _SET_D = ("list", STRING), ("list", DYNAMIC), ("set", DYNAMIC)


def _p(name: str, ty: Type = DYNAMIC, **flags: bool) -> Param:
    return Param(name, ty, **flags)


def _hash(algorithm: str, encoder: Callable[[bytes], str]) -> FunctionSpec:
    return FunctionSpec(lambda s: encoder(hashlib.new(algorithm, s.encode()).digest()), (_p("str", _S),), result=_S)


def _unary_str(impl: Callable[[str], Any], result: Type = STRING) -> FunctionSpec:
    return FunctionSpec(impl, (_p("str", _S),), result=result)


FUNCTIONS: dict[str, FunctionSpec] = {
    # numeric
    "abs": FunctionSpec(abs, (_p("num", _N),), result=_N),
    "ceil": FunctionSpec(TFNumber.ceil, (_p("num", _N),), result=_N),
    "floor": FunctionSpec(TFNumber.floor, (_p("num", _N),), result=_N),
    "log": FunctionSpec(log, (_p("num", _N), _p("base", _N)), result=_N),
    "pow": FunctionSpec(pow_, (_p("num", _N), _p("power", _N)), result=_N),
    "max": FunctionSpec(max_, var_param=_p("numbers", _N), result=_N),
    "min": FunctionSpec(min_, var_param=_p("numbers", _N), result=_N),
    "signum": FunctionSpec(signum, (_p("num", _N),), result=_N),
    "parseint": FunctionSpec(parseint, (_p("number"), _p("base", _N)), result=_N),
    "sum": FunctionSpec(sum_, (_p("list"),), result=_N),
    # strings
    "chomp": _unary_str(chomp),
    "endswith": FunctionSpec(lambda s, x: s.endswith(x), (_p("str", _S), _p("suffix", _S)), result=_B),
    "format": FunctionSpec(
        format_, (_p("format", _S),), _p("args", allow_null=True), result=_S, null_dynamic_is_unknown=True
    ),
    "formatlist": FunctionSpec(
        formatlist,
        (_p("format", _S),),
        _p("args", allow_null=True, allow_unknown=True),
        result=("list", _S),
        nested_unknowns=True,
    ),
    "indent": FunctionSpec(
        lambda n, s: s.replace("\n", "\n" + " " * int64_arg(n)), (_p("spaces", _N), _p("str", _S)), result=_S
    ),
    "join": FunctionSpec(join, (_p("separator", _S),), _p("lists", _LIST_S), result=_S),
    "lower": _unary_str(lambda s: map_runes(s, str.lower)),
    "upper": _unary_str(lambda s: map_runes(s, str.upper)),
    "title": _unary_str(title),
    "regex": FunctionSpec(regex, (_p("pattern", _S), _p("string", _S))),
    "regexall": FunctionSpec(regexall, (_p("pattern", _S), _p("string", _S))),
    "replace": FunctionSpec(replace, (_p("str", _S), _p("substr", _S), _p("replace", _S)), result=_S),
    "split": FunctionSpec(split, (_p("separator", _S), _p("str", _S)), result=("list", _S)),
    "startswith": FunctionSpec(startswith, (_p("str", _S, allow_unknown=True), _p("prefix", _S)), result=_B),
    "strcontains": FunctionSpec(lambda s, x: x in s, (_p("str", _S), _p("substr", _S)), result=_B),
    "strrev": _unary_str(strrev),
    "substr": FunctionSpec(substr, (_p("str", _S), _p("offset", _N), _p("length", _N)), result=_S),
    "trim": FunctionSpec(lambda s, cut: s.strip(cut), (_p("str", _S), _p("cutset", _S)), result=_S),
    "trimprefix": FunctionSpec(lambda s, p: s.removeprefix(p), (_p("str", _S), _p("prefix", _S)), result=_S),
    "trimsuffix": FunctionSpec(
        lambda s, p: s[: len(s) - len(p)] if p and s.endswith(p) else s, (_p("str", _S), _p("suffix", _S)), result=_S
    ),
    "trimspace": _unary_str(lambda s: s.strip(GO_SPACE)),
    # encoding
    "base64encode": _unary_str(lambda s: b64(s.encode())),
    "base64decode": _unary_str(base64decode),
    "jsonencode": FunctionSpec(json_encode, (_p("val", allow_null=True),), result=_S),
    "jsondecode": FunctionSpec(json_decode, (_p("str", _S),), result_may_be_null=True),
    "urlencode": _unary_str(lambda s: urllib.parse.quote_plus(s, safe="")),
    "md5": _hash("md5", bytes.hex),
    "sha1": _hash("sha1", bytes.hex),
    "sha256": _hash("sha256", bytes.hex),
    "sha512": _hash("sha512", bytes.hex),
    "base64sha256": _hash("sha256", b64),
    "base64sha512": _hash("sha512", b64),
    "uuidv5": FunctionSpec(uuidv5, (_p("namespace", _S), _p("name", _S)), result=_S),
    # collections
    "alltrue": FunctionSpec(alltrue, (_p("list", ("list", _B)),), result=_B, nested_unknowns=True),
    "anytrue": FunctionSpec(anytrue, (_p("list", ("list", _B)),), result=_B, nested_unknowns=True),
    "chunklist": FunctionSpec(chunklist, (_p("list", _LIST_D), _p("size", _N)), nested_unknowns=True),
    "coalesce": FunctionSpec(coalesce, var_param=_p("vals", allow_null=True, allow_unknown=True), nested_unknowns=True),
    "coalescelist": FunctionSpec(
        coalescelist, var_param=_p("vals", allow_null=True, allow_unknown=True), nested_unknowns=True
    ),
    "compact": FunctionSpec(compact, (_p("list", _LIST_S),), result=("list", _S)),
    "concat": FunctionSpec(concat, var_param=_p("seqs"), nested_unknowns=True),
    "contains": FunctionSpec(
        contains, (_p("list", allow_unknown=True), _p("value", allow_unknown=True)), result=_B, nested_unknowns=True
    ),
    "distinct": FunctionSpec(distinct, (_p("list", _LIST_D),)),
    "element": FunctionSpec(element, (_p("list"), _p("index", _N)), nested_unknowns=True, result_may_be_null=True),
    "flatten": FunctionSpec(flatten, (_p("list"),)),
    "index": FunctionSpec(index, (_p("list"), _p("value")), result=_N),
    "keys": FunctionSpec(keys, (_p("inputMap"),), nested_unknowns=True),
    "length": FunctionSpec(length, (_p("value"),), result=_N, nested_unknowns=True),
    "lookup": FunctionSpec(
        lookup,
        (_p("inputMap"), _p("key", _S)),
        _p("default", allow_null=True, allow_unknown=True),
        nested_unknowns=True,
        result_may_be_null=True,
    ),
    "matchkeys": FunctionSpec(matchkeys, (_p("values", _LIST_D), _p("keys", _LIST_D), _p("searchset", _LIST_D))),
    "merge": FunctionSpec(merge, var_param=_p("maps", allow_null=True), nested_unknowns=True),
    "one": FunctionSpec(one, (_p("list"),), nested_unknowns=True, result_may_be_null=True),
    "range": FunctionSpec(range_, var_param=_p("params", _N), result=("list", _N)),
    "reverse": FunctionSpec(reverse, (_p("list"),), nested_unknowns=True),
    "setintersection": FunctionSpec(setintersection, (_p("first_set", _SET_D),), _p("other_sets", _SET_D)),
    "setproduct": FunctionSpec(setproduct, var_param=_p("sets")),
    "setsubtract": FunctionSpec(setsubtract, (_p("a", _SET_D), _p("b", _SET_D))),
    "setunion": FunctionSpec(setunion, (_p("first_set", _SET_D),), _p("other_sets", _SET_D)),
    "slice": FunctionSpec(slice_, (_p("list"), _p("start_index", _N), _p("end_index", _N)), nested_unknowns=True),
    "sort": FunctionSpec(
        lambda items: TFList(sorted(no_null_strings(items)), STRING), (_p("list", _LIST_S),), result=("list", _S)
    ),
    "transpose": FunctionSpec(transpose, (_p("values", ("map", ("list", _S))),)),
    "values": FunctionSpec(values, (_p("mapping"),), nested_unknowns=True),
    "zipmap": FunctionSpec(zipmap, (_p("keys", _LIST_S), _p("values")), nested_unknowns=True),
    # type conversion
    "tobool": FunctionSpec(tobool, (_p("v", allow_null=True),), result=_B, result_may_be_null=True),
    "tolist": FunctionSpec(tolist, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tomap": FunctionSpec(tomap, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tonumber": FunctionSpec(tonumber, (_p("v", allow_null=True),), result=_N, result_may_be_null=True),
    "toset": FunctionSpec(toset, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tostring": FunctionSpec(tostring, (_p("v", allow_null=True),), result=_S, result_may_be_null=True),
    "try": FunctionSpec(try_, lazy=True),
    "can": FunctionSpec(can, lazy=True),
    # networking
    "cidrhost": FunctionSpec(cidrhost, (_p("prefix", _S), _p("hostnum", _N)), result=_S),
    "cidrnetmask": FunctionSpec(cidrnetmask, (_p("prefix", _S),), result=_S),
    "cidrsubnet": FunctionSpec(cidrsubnet, (_p("prefix", _S), _p("newbits", _N), _p("netnum", _N)), result=_S),
    "cidrsubnets": FunctionSpec(cidrsubnets, (_p("prefix", _S),), _p("newbits", _N), result=("list", _S)),
    # paths, text encodings, CSV, time
    "basename": _unary_str(basename),
    "dirname": _unary_str(dirname),
    "csvdecode": FunctionSpec(csvdecode, (_p("str", _S),)),
    "textencodebase64": FunctionSpec(textencodebase64, (_p("string", _S), _p("encoding", _S)), result=_S),
    "textdecodebase64": FunctionSpec(textdecodebase64, (_p("source", _S), _p("encoding", _S)), result=_S),
    "timeadd": FunctionSpec(timeadd, (_p("timestamp", _S), _p("duration", _S)), result=_S),
    "timecmp": FunctionSpec(timecmp, (_p("timestamp_a", _S), _p("timestamp_b", _S)), result=_N),
    # sensitivity markers have no effect on values
    "sensitive": FunctionSpec(
        lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True
    ),
    "nonsensitive": FunctionSpec(
        lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True
    ),
    "issensitive": FunctionSpec(lambda v: False, (_p("value", allow_null=True),), result=_B, nested_unknowns=True),
    "ephemeralasnull": FunctionSpec(
        lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True
    ),
}


TERRAFORM_FUNCTION_NAMES: frozenset[str] = frozenset(
    [
        "abs",
        "abspath",
        "alltrue",
        "anytrue",
        "base64decode",
        "base64encode",
        "base64gzip",
        "base64sha256",
        "base64sha512",
        "basename",
        "bcrypt",
        "can",
        "ceil",
        "chomp",
        "chunklist",
        "cidrhost",
        "cidrnetmask",
        "cidrsubnet",
        "cidrsubnets",
        "coalesce",
        "coalescelist",
        "compact",
        "concat",
        "contains",
        "csvdecode",
        "dirname",
        "distinct",
        "element",
        "endswith",
        "ephemeralasnull",
        "file",
        "filebase64",
        "filebase64sha256",
        "filebase64sha512",
        "fileexists",
        "filemd5",
        "fileset",
        "filesha1",
        "filesha256",
        "filesha512",
        "flatten",
        "floor",
        "format",
        "formatdate",
        "formatlist",
        "indent",
        "index",
        "issensitive",
        "join",
        "jsondecode",
        "jsonencode",
        "keys",
        "length",
        "log",
        "lookup",
        "lower",
        "matchkeys",
        "max",
        "md5",
        "merge",
        "min",
        "nonsensitive",
        "one",
        "parseint",
        "pathexpand",
        "plantimestamp",
        "pow",
        "range",
        "regex",
        "regexall",
        "replace",
        "reverse",
        "rsadecrypt",
        "sensitive",
        "setintersection",
        "setproduct",
        "setsubtract",
        "setunion",
        "sha1",
        "sha256",
        "sha512",
        "signum",
        "slice",
        "sort",
        "split",
        "startswith",
        "strcontains",
        "strrev",
        "substr",
        "sum",
        "templatefile",
        "templatestring",
        "textdecodebase64",
        "textencodebase64",
        "timeadd",
        "timecmp",
        "timestamp",
        "title",
        "tobool",
        "tolist",
        "tomap",
        "tonumber",
        "toset",
        "tostring",
        "transpose",
        "trim",
        "trimprefix",
        "trimspace",
        "trimsuffix",
        "try",
        "upper",
        "urlencode",
        "uuid",
        "uuidv5",
        "values",
        "yamldecode",
        "yamlencode",
        "zipmap",
    ]
)


"""Every built-in function of Terraform 1.11 (``terraform metadata functions -json``)."""
