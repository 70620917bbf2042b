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

import base64
import codecs
import csv
import datetime
import hashlib
import io
import ipaddress
import json
import math
import posixpath
import re
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import EvalError
from .tfnumber import (
    NumberError,
    TFNumber,
    _Decimal,
    _format_fixed,
    _mantissa_exponent,
    _shortest_decimal,
)
from .tftypes import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    UNKNOWN_RESULT,
    ConversionError,
    TFList,
    TFMap,
    TFSet,
    Type,
    Unk,
    convert,
    equals,
    first_unknown,
    friendly_type,
    is_wholly_known,
    make_set,
    nfc,
    type_of,
    unify,
)

GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
"""Characters Go's ``unicode.IsSpace`` accepts (``trimspace``, template strip markers)."""


class FunctionError(Exception):
    """Raised by an implementation: the call fails as Terraform's would."""


@dataclass(frozen=True)
class Param:
    name: str
    ty: Type = DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False


@dataclass(frozen=True)
class FunctionSpec:
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
                return Unk(_unknown_for_null(name), spec.result, not_null=True)
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


def _unknown_for_null(name: str) -> Any:
    from cfgate.models.values import Unknown

    return Unknown(
        expr=f"{name}(...)",
        reason=f"{name}() given an untyped null has no known result type before apply",
        chain=(f"{name}(...)",),
    )


def _invoke(name: str, spec: FunctionSpec, args: list[Any]) -> Any:
    try:
        return nfc(spec.impl(*args))
    except (FunctionError, ConversionError, NumberError) as exc:
        raise EvalError(f'Call to function "{name}" failed: {exc}.') from None


# -- small helpers --------------------------------------------------------------------------


def _int(value: TFNumber, what: str = "value") -> int:
    if not value.is_integer:
        raise FunctionError(f"{what} must be a whole number")
    return value.to_int()


def _int64(value: TFNumber) -> int:
    if not value.is_integer or not -(2**63) <= value.to_int() < 2**63:
        raise FunctionError("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
    return value.to_int()


def _n(value: int) -> TFNumber:
    return TFNumber.from_int(value)


def _graphemes(text: str) -> list[str]:
    """Approximate extended grapheme clusters (combining marks, ZWJ sequences, CRLF)."""
    clusters: list[str] = []
    for char in text:
        joins = bool(clusters) and (
            unicodedata.combining(char)
            or unicodedata.category(char) in ("Mn", "Me", "Mc")
            or char in "\u200d\ufe0e\ufe0f"
            or clusters[-1].endswith("\u200d")
            or 0x1F3FB <= ord(char) <= 0x1F3FF
            or (clusters[-1] == "\r" and char == "\n")
        )
        if joins:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


_PREFIX_DELIMITERS = frozenset("-_:;/\\,.(){}[]|?!~ \t@#$%^&*+\"'")


def safe_known_prefix(prefix: str) -> str:
    """The part of a known string prefix that stays valid whatever follows (cty's SafeKnownPrefix).

    The last character is dropped when a following combining mark could change it; the common
    ASCII delimiters (``-``, ``/``, ``:``...) cannot combine and are kept.
    """
    prefix = nfc(prefix)
    if not prefix:
        return ""
    clusters = _graphemes(prefix)
    if clusters[-1] in _PREFIX_DELIMITERS:
        return prefix
    return "".join(clusters[:-1])


def _startswith(text: Any, prefix: str) -> Any:
    if isinstance(text, Unk):
        if prefix == "":
            return True
        if text.prefix.startswith(prefix):
            return True
        if text.prefix and len(text.prefix) >= len(prefix):
            return False
        return text.refined(ty=BOOL, not_null=True)
    return text.startswith(prefix)


def _map_runes(text: str, mapper: Callable[[str], str]) -> str:
    out = []
    for char in text:
        mapped = mapper(char)
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


def _go_json_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "\b":
            out.append("\\b")
        elif char == "\f":
            out.append("\\f")
        elif code < 0x20 or char in "<>&\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def json_encode(value: Any) -> str:
    """Go/cty JSON: sorted keys, no spaces, HTML-safe escapes, Terraform number text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, TFNumber):
        if value.is_inf:
            raise FunctionError("cannot serialize infinity as JSON")
        return value.to_text()
    if isinstance(value, str):
        return _go_json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(json_encode(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_go_json_string(k) + ":" + json_encode(v) for k, v in sorted(value.items())) + "}"
    raise FunctionError(f"cannot encode {type(value).__name__} as JSON")


def _json_decode(text: str) -> Any:
    def number(raw: str) -> TFNumber:
        return TFNumber.parse(raw)

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(sorted(dict(pairs).items()))

    try:
        return json.loads(text, parse_int=number, parse_float=number, object_pairs_hook=obj, parse_constant=_bad_constant)
    except (ValueError, NumberError) as exc:
        raise FunctionError(f"invalid JSON: {exc}") from None


def _bad_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def _sequence(value: Any, what: str = "list") -> list[Any]:
    if not isinstance(value, list):
        raise FunctionError(f"{what} must be a list, set, or tuple")
    return list(value)


def _same_kind(template: Any, items: list[Any]) -> Any:
    """Rebuild ``items`` as the same collection kind as ``template`` (tuple stays tuple)."""
    if isinstance(template, TFList):
        return TFList(items, template.elem_type)
    if isinstance(template, TFSet):
        return TFList(items, template.elem_type)
    return items


# -- numbers --------------------------------------------------------------------------------


def _max(*nums: TFNumber) -> TFNumber:
    if not nums:
        raise FunctionError("must pass at least one number")
    return max(nums)  # the first of equal maxima, as cty picks it


def _min(*nums: TFNumber) -> TFNumber:
    if not nums:
        raise FunctionError("must pass at least one number")
    return min(nums)


def _signum(num: TFNumber) -> TFNumber:
    value = _int64(num)
    return _n((value > 0) - (value < 0))


def _float_result(value: float) -> TFNumber:
    if math.isnan(value):
        raise FunctionError("the result is not a number (NaN)")
    return TFNumber.from_float(value)


def _log(num: TFNumber, base: TFNumber) -> TFNumber:
    def ln(x: float) -> float:
        if x == 0:
            return -math.inf
        if x < 0 or math.isnan(x):
            return math.nan
        return math.log(x)

    top, bottom = ln(num.to_float()), ln(base.to_float())
    if bottom == 0:
        return _float_result(math.copysign(math.inf, top) if top else math.nan)
    if math.isinf(top) and math.isinf(bottom):
        return _float_result(math.nan)
    return _float_result(top / bottom)


def _pow(num: TFNumber, power: TFNumber) -> TFNumber:
    x, y = num.to_float(), power.to_float()
    try:
        return _float_result(math.pow(x, y))
    except OverflowError:
        odd = y == int(y) and int(y) % 2 == 1
        return _float_result(-math.inf if x < 0 and odd else math.inf)
    except ValueError:
        if x == 0 and y < 0:
            odd = y == int(y) and int(y) % 2 == 1
            return _float_result(-math.inf if odd and math.copysign(1, x) < 0 else math.inf)
        raise FunctionError("the result is not a number (NaN)") from None


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parseint(number: Any, base: TFNumber) -> TFNumber:
    if not isinstance(number, str):
        raise FunctionError(f"first argument must be a string, not {friendly_type(type_of(number))}")
    radix = _int(base, "base")
    if not 2 <= radix <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive")
    text = number[1:] if number[:1] in "+-" else number
    if not text:
        raise FunctionError(f'cannot parse "{number}" as a base {radix} integer')
    value = 0
    for char in text:
        digit = _DIGITS.find(char.lower() if radix <= 36 else char)
        if digit < 0 or digit >= radix:
            raise FunctionError(f'cannot parse "{number}" as a base {radix} integer')
        value = value * radix + digit
    return TFNumber.from_int(-value if number.startswith("-") else value)


def _sum(items: Any) -> TFNumber:
    seq = _sequence(items)
    if not seq:
        raise FunctionError("cannot sum an empty list")
    total: TFNumber | None = None
    for item in seq:
        if item is None:
            raise FunctionError("argument must be list, set, or tuple of number values")
        number = convert(item, NUMBER)
        total = number if total is None else total + number
    assert total is not None
    return total


def _range(*args: TFNumber) -> TFList:
    if not 1 <= len(args) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    zero, one = TFNumber(0), TFNumber(1)
    if len(args) == 1:
        start, limit, step = zero, args[0], one
    elif len(args) == 2:
        start, limit = args
        step = one if start <= limit else -one
    else:
        start, limit, step = args
    if step.sign == 0:
        raise FunctionError("step must not be zero")
    if step.sign < 0 and start < limit:
        raise FunctionError("end must be less than start when step is negative")
    if step.sign > 0 and limit < start:
        raise FunctionError("end must be greater than start when step is positive")
    values: list[TFNumber] = []
    current = start
    while (current < limit) if step.sign > 0 else (limit < current):
        if len(values) >= 1024:
            raise FunctionError("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step")
        values.append(current)
        current = current + step
    return TFList(values, NUMBER)


# -- strings --------------------------------------------------------------------------------


def _title(text: str) -> str:
    def separator(char: str) -> bool:
        if ord(char) <= 0x7F:
            return not (char.isalnum() or char == "_")
        if char.isalpha() or unicodedata.category(char) == "Nd":
            return False
        return char in GO_SPACE

    out, prev = [], " "
    for char in text:
        out.append(_map_runes(char, str.upper) if separator(prev) else char)
        prev = char
    return "".join(out)


def _substr(text: str, offset: TFNumber, length: TFNumber) -> str:
    start, count = _int64(offset), _int64(length)
    clusters = _graphemes(text)
    if start < 0:
        start = max(start + len(clusters), 0)
    elif count == 0:
        return ""
    if start >= len(clusters) and start > 0:
        return ""
    rest = clusters[start:]
    return "".join(rest if count < 0 else rest[:count])


def _split(sep: str, text: str) -> TFList:
    parts = list(text) if sep == "" else text.split(sep)
    return TFList(parts, STRING)


def _join(sep: str, *lists: Any) -> str:
    if not lists:
        raise FunctionError("at least one list is required")
    items: list[str] = []
    for index, seq in enumerate(lists):
        for pos, item in enumerate(seq):
            if item is None:
                raise FunctionError(f"element {pos} of list {index + 1} is null; cannot concatenate null values")
            items.append(item)
    return sep.join(items)


def _go_regex(pattern: str) -> re.Pattern[str]:
    translated = pattern.replace(r"\z", r"\Z")
    try:
        return re.compile(translated)
    except re.error as exc:
        raise FunctionError(f"invalid regular expression pattern: {exc}") from None


def _expand_go_template(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char != "$" or i + 1 >= len(template):
            out.append(char)
            i += 1
            continue
        if template[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if template[i + 1] == "{":
            end = template.find("}", i + 2)
            name = template[i + 2 : end] if end > 0 else ""
            if end < 0 or not re.fullmatch(r"\w+", name):
                out.append(char)
                i += 1
                continue
            i = end + 1
        else:
            name_match = re.match(r"\w+", template[i + 1 :])
            if not name_match:
                out.append(char)
                i += 1
                continue
            name = name_match.group(0)
            i += 1 + len(name)
        out.append(_group(match, name))
    return "".join(out)


def _group(match: re.Match[str], name: str) -> str:
    try:
        value = match.group(int(name)) if name.isdigit() else match.group(name)
    except IndexError:
        return ""
    return value or ""


def _replace(text: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _go_regex(search[1:-1])
        return pattern.sub(lambda m: _expand_go_template(replacement, m), text)
    return text.replace(search, replacement)


def _regex_result(pattern: re.Pattern[str], match: re.Match[str]) -> Any:
    names = pattern.groupindex
    if pattern.groups == 0:
        return match.group(0)
    if names:
        if len(names) != pattern.groups:
            raise FunctionError("invalid regular expression pattern: can't mix both named and unnamed capture groups")
        return {name: match.group(name) for name in sorted(names)}
    return TFList(list(match.groups()), STRING)


def _regex(pattern_text: str, text: str) -> Any:
    pattern = _go_regex(pattern_text)
    match = pattern.search(text)
    if match is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _regex_result(pattern, match)


def _regexall(pattern_text: str, text: str) -> TFList:
    pattern = _go_regex(pattern_text)
    results = [_regex_result(pattern, match) for match in pattern.finditer(text)]
    return TFList(results, unify([type_of(r) for r in results]) or DYNAMIC)


def _strrev(text: str) -> str:
    return "".join(reversed(_graphemes(text)))


def _chomp(text: str) -> str:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", text)


def _base64decode(text: str) -> str:
    try:
        raw = base64.b64decode(text, validate=True)
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"failed to decode base64 data: {exc}") from None


# -- format() -------------------------------------------------------------------------------

_VERB = re.compile(r"%(?P<flags>[-+# 0]*)(?:\[(?P<idx1>\d+)\])?(?P<width>\d+)?(?:\.(?P<prec>\d*))?(?:\[(?P<idx2>\d+)\])?(?P<verb>.?)", re.DOTALL)


def _big_text(num: TFNumber, mode: str, prec: int) -> str:
    """Go's ``big.Float.Text`` for ``e``, ``E``, ``f``, ``g``, ``G`` (prec < 0: shortest)."""
    if num.is_inf:
        return "+Inf" if num.sign > 0 else "-Inf"
    negative = num.sign < 0 or num.to_text() == "-0"
    if num.value == 0:
        dec = _Decimal("", 0)
    else:
        dec = _Decimal.of_dyadic(*_mantissa_exponent(num.value))
    lower = mode.lower()
    shortest = prec < 0
    if shortest:
        if num.value != 0:
            dec = _shortest_decimal(num.value, num.prec)
        prec = {"e": len(dec.digits) - 1, "f": max(len(dec.digits) - dec.exp, 0), "g": len(dec.digits)}[lower]
    elif lower == "e":
        dec.round_nearest(1 + prec)
    elif lower == "f":
        if dec.exp + prec >= 0:
            dec.round_nearest(dec.exp + prec)
    else:
        prec = prec or 1
        dec.round_nearest(prec)
    if lower == "e":
        body = _format_exp(dec, prec, mode)
    elif lower == "f":
        body = _format_fixed(dec, prec)
    else:
        eprec = prec
        if eprec > len(dec.digits) and len(dec.digits) >= dec.exp:
            eprec = len(dec.digits)
        if shortest:
            eprec = 6
        exp = dec.exp - 1
        if exp < -4 or exp >= eprec:
            body = _format_exp(dec, min(prec, len(dec.digits)) - 1, "e" if mode == "g" else "E")
        else:
            body = _format_fixed(dec, max((len(dec.digits) if prec > dec.exp else prec) - dec.exp, 0))
    return ("-" if negative else "") + body


def _format_exp(dec: _Decimal, prec: int, mode: str) -> str:
    first = dec.digits[0] if dec.digits else "0"
    out = first
    if prec > 0:
        out += "." + dec.digits[1 : prec + 1].ljust(prec, "0")
    exp = dec.exp - 1 if dec.digits else 0
    sign = "-" if exp < 0 else "+"
    return f"{out}{mode}{sign}{abs(exp):02d}"


def _pad(text: str, width: int | None, flags: str, *, numeric: bool = False) -> str:
    if width is None or len(_graphemes(text)) >= width:
        return text
    fill = width - len(_graphemes(text))
    if "-" in flags:
        return text + " " * fill
    if "0" in flags:
        if numeric and text[:1] in "+- ":
            return text[0] + "0" * fill + text[1:]
        return "0" * fill + text
    return " " * fill + text


def _format_one(verb: str, flags: str, width: int | None, prec: int | None, arg: Any) -> str:
    if verb != "v" and arg is None:
        raise FunctionError(f'unsupported value for "%{verb}": null value cannot be formatted')
    if verb == "v":
        if "#" not in flags and isinstance(arg, str):
            return _pad(arg, width, flags)
        if "#" not in flags and isinstance(arg, TFNumber):
            return _pad(_big_text(arg, "g", -1), width, flags)
        return _pad(json_encode(arg), width, flags)
    if verb == "t":
        return "true" if convert(arg, BOOL) else "false"
    if verb in "bdoxXeEfgG":
        num = convert(arg, NUMBER)
        if verb in "bdoxX":
            if not num.is_integer:
                raise FunctionError(f'unsupported value for "%{verb}": an integer is required')
            return _format_integer(num.to_int(), verb, flags, width, prec)
        text = _big_text(num, verb, prec if prec is not None else (6 if verb in "eEf" else -1))
        if not text.startswith(("-", "+")) and ("+" in flags or " " in flags):
            text = ("+" if "+" in flags else " ") + text
        if num.is_inf and "0" in flags:
            flags = flags.replace("0", "")
        return _pad(text, width, flags, numeric=True)
    if verb in "sq":
        text = convert(arg, STRING)
        if prec:
            text = "".join(_graphemes(text)[:prec])
        return _pad(text if verb == "s" else _go_json_string(text), width, flags)
    raise FunctionError(f"unsupported format verb %{verb}")


def _format_integer(value: int, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb]
    digits = ""
    magnitude = abs(value)
    while True:
        magnitude, digit = divmod(magnitude, base)
        digits = _DIGITS[digit] + digits
        if not magnitude:
            break
    if verb == "X":
        digits = digits.upper()
    if prec is not None:
        digits = digits.rjust(prec, "0") if not (prec == 0 and value == 0) else ""
    if "#" in flags:
        digits = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "") + digits
    sign = "-" if value < 0 else "+" if "+" in flags else " " if " " in flags else ""
    if "0" in flags and "-" not in flags and prec is None and width is not None:
        return sign + digits.rjust(width - len(sign), "0")
    return _pad(sign + digits, width, flags.replace("0", ""))


def _format(fmt: str, *args: Any) -> str:
    for arg in args:
        if not is_wholly_known(arg):
            raise AssertionError("unreachable: unknown arguments are handled before the call")
    out: list[str] = []
    i, next_arg = 0, 0
    while i < len(fmt):
        char = fmt[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        if fmt.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        match = _VERB.match(fmt, i)
        assert match is not None
        i = match.end()
        raw = match.group(0)
        verb = match.group("verb")
        if not verb:
            raise FunctionError(f"invalid format string: incomplete verb {raw!r}")
        index = match.group("idx1") or match.group("idx2")
        if index is not None:
            next_arg = int(index) - 1
        if next_arg >= len(args) or next_arg < 0:
            raise FunctionError(f"not enough arguments for {raw!r}: need index {next_arg + 1} but have {len(args)} total")
        if match.group("prec") == "":
            raise FunctionError(f"invalid format string: missing precision in {raw!r}")
        width = int(match.group("width")) if match.group("width") else None
        prec = int(match.group("prec")) if match.group("prec") else None
        out.append(_format_one(verb, match.group("flags"), width, prec, args[next_arg]))
        next_arg += 1
    return "".join(out)


def _formatlist(fmt: str, *args: Any) -> Any:
    if not args:
        return TFList([_format(fmt)], STRING)
    length: int | None = None
    for arg in args:
        if isinstance(arg, Unk):
            return arg.refined(ty=("list", STRING), not_null=True)
        if isinstance(arg, list):
            if length is not None and len(arg) != length:
                raise FunctionError(f"argument has length {len(arg)}, which is inconsistent with an earlier argument of length {length}")
            length = len(arg)
    results: list[Any] = []
    for index in range(1 if length is None else length):
        call_args = [arg[index] if isinstance(arg, list) else arg for arg in args]
        unknown = first_unknown(call_args)
        if unknown is not None:
            results.append(unknown.refined(ty=STRING, not_null=True))
            continue
        if any(a is None for a in call_args):
            results.append(Unk(_unknown_for_null("formatlist"), STRING, not_null=True))
            continue
        results.append(_format(fmt, *call_args))
    return TFList(results, STRING)


# -- collections ----------------------------------------------------------------------------


def _length(value: Any) -> TFNumber:
    if isinstance(value, str):
        return _n(len(_graphemes(value)))
    if isinstance(value, (list, dict)):
        return _n(len(value))
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _element(items: Any, index: TFNumber) -> Any:
    seq = _sequence(items)
    if isinstance(items, TFSet):
        raise FunctionError("cannot read elements from set")
    pos = _int64(index)
    if pos < 0:
        raise FunctionError("index must not be negative")
    if not seq:
        raise FunctionError("cannot use element function with an empty list")
    return seq[pos % len(seq)]


def _slice(items: Any, start: TFNumber, end: TFNumber) -> Any:
    seq = _sequence(items)
    first, last = _int64(start), _int64(end)
    if first < 0:
        raise FunctionError("start index must not be less than zero")
    if last > len(seq):
        raise FunctionError("end index must not be greater than the length of the list")
    if first > last:
        raise FunctionError("start index must not be greater than end index")
    return _same_kind(items, seq[first:last])


def _reverse(items: Any) -> Any:
    if isinstance(items, TFSet):
        raise FunctionError("can't reverse a set")
    return _same_kind(items, list(reversed(_sequence(items))))


def _concat(*seqs: Any) -> Any:
    if not seqs:
        raise FunctionError("at least one argument is required")
    items: list[Any] = []
    for seq in seqs:
        items.extend(_sequence(seq, "each argument"))
    if all(isinstance(s, TFList) for s in seqs):
        elem = unify([s.elem_type for s in seqs])
        if elem is not None:
            return TFList([convert(i, elem) for i in items], elem)
    return items


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    present = [m for m in maps if m is not None]
    for mapping in present:
        if not isinstance(mapping, dict):
            raise FunctionError("arguments must be maps or objects")
        result.update(mapping)
    if present and all(isinstance(m, TFMap) for m in present):
        elem_types = {m.elem_type for m in present}
        if len(elem_types) == 1:
            return TFMap(result, elem_types.pop())
    return dict(sorted(result.items()))


def _keys(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("must have map or object type")
    keys = sorted(mapping)
    return TFList(keys, STRING) if isinstance(mapping, TFMap) else keys


def _values(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("must have map or object type")
    values = [mapping[k] for k in sorted(mapping)]
    return TFList(values, mapping.elem_type) if isinstance(mapping, TFMap) else values


def _lookup(mapping: Any, key: str, *default: Any) -> Any:
    if len(default) > 1:
        raise FunctionError("lookup() takes at most three arguments")
    if isinstance(mapping, Unk):
        return mapping.refined(ty=DYNAMIC)
    if not isinstance(mapping, dict):
        raise FunctionError("the first argument must be a map or object")
    if default and isinstance(mapping, TFMap) and default[0] is not None and not isinstance(default[0], Unk):
        try:
            fallback = convert(default[0], mapping.elem_type)
        except ConversionError:
            raise FunctionError("the default value must have the same type as the map elements") from None
        if type_of(fallback) != mapping.elem_type and mapping.elem_type != DYNAMIC and type_of(default[0]) != mapping.elem_type:
            raise FunctionError("the default value must have the same type as the map elements")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f'lookup failed to find key "{key}"')


def _contains(items: Any, value: Any) -> Any:
    if isinstance(items, Unk):
        return items.refined(ty=BOOL, not_null=True)
    undecided: Any = None
    for item in _sequence(items):
        result = equals(item, value)
        if result is True:
            return True
        if result is UNKNOWN_RESULT:
            undecided = undecided or first_unknown([item, value])
    if undecided is not None:
        return undecided.refined(ty=BOOL, not_null=True)
    return False


def _index(items: Any, value: Any) -> TFNumber:
    for pos, item in enumerate(_sequence(items)):
        if equals(item, value) is True:
            return _n(pos)
    raise FunctionError("item not found")


def _distinct(items: Any) -> TFList:
    unique: list[Any] = []
    for item in items:
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    return TFList(unique, items.elem_type)


def _flatten(items: Any) -> list[Any]:
    out: list[Any] = []

    def walk(seq: list[Any]) -> None:
        for item in seq:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item)

    walk(_sequence(items))
    return out


def _compact(items: Any) -> TFList:
    return TFList([item for item in items if item not in (None, "")], STRING)


def _coalesce(*args: Any) -> Any:
    if not args:
        raise FunctionError("all arguments must have the same type")
    target = unify([type_of(a) for a in args])
    if target is None:
        raise FunctionError("all arguments must have the same type")
    for arg in args:
        if isinstance(arg, Unk):
            return arg.refined(ty=target, not_null=True)
        if arg is None:
            continue
        value = convert(arg, target)
        if value == "":
            continue
        return value
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*lists: Any) -> Any:
    if not lists:
        raise FunctionError("at least one argument is required")
    for item in lists:
        if isinstance(item, Unk):
            return item.refined(ty=DYNAMIC, not_null=True)
        if item is None:
            continue
        if not isinstance(item, list):
            raise FunctionError("coalescelist arguments must be lists or tuples")
        if item:
            return item
    raise FunctionError("no non-null arguments")


def _one(items: Any) -> Any:
    seq = _sequence(items)
    if len(seq) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return seq[0] if seq else None


def _zipmap(keys: Any, values: Any) -> Any:
    key_list = _sequence(keys, "keys")
    value_list = _sequence(values, "values")
    if len(key_list) != len(value_list):
        raise FunctionError(f"number of keys ({len(key_list)}) does not match number of values ({len(value_list)})")
    result: dict[str, Any] = {}
    for key, value in zip(key_list, value_list):
        if key is None:
            raise FunctionError("keys list has null value")
        result[key] = value
    if isinstance(values, (TFList, TFSet)):
        return TFMap(result, values.elem_type)
    return dict(sorted(result.items()))


def _alltrue(items: Any) -> Any:
    unknown = None
    for item in items:
        if isinstance(item, Unk):
            unknown = unknown or item
        elif item is not True:
            if unknown is not None:
                return unknown.refined(ty=BOOL, not_null=True)
            return False
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return True


def _anytrue(items: Any) -> Any:
    unknown = None
    for item in items:
        if isinstance(item, Unk):
            unknown = unknown or item
        elif item is True:
            return True
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return False


def _chunklist(items: Any, size: TFNumber) -> TFList:
    seq = _sequence(items)
    width = _int64(size)
    if width < 0:
        raise FunctionError("the size argument must be positive")
    elem = items.elem_type if isinstance(items, (TFList, TFSet)) else DYNAMIC
    if width == 0:
        return TFList([TFList(seq, elem)], ("list", elem))
    chunks = [TFList(seq[i : i + width], elem) for i in range(0, len(seq), width)]
    return TFList(chunks, ("list", elem))


def _set_args(sets: tuple[Any, ...]) -> tuple[list[TFSet], Type]:
    if not sets:
        raise FunctionError("at least one argument is required")
    elem = unify([s.elem_type for s in sets])
    if elem is None:
        raise FunctionError("given sets must all have compatible element types")
    converted = []
    for value in sets:
        made = make_set([convert(item, elem) for item in value], elem)
        assert isinstance(made, TFSet)
        converted.append(made)
    return converted, elem


def _setunion(*sets: Any) -> Any:
    converted, elem = _set_args(sets)
    return make_set([item for s in converted for item in s], elem)


def _setintersection(*sets: Any) -> Any:
    converted, elem = _set_args(sets)
    first, *rest = converted
    return make_set([x for x in first if all(any(equals(x, y) is True for y in other) for other in rest)], elem)


def _setsubtract(a: Any, b: Any) -> Any:
    (left, right), elem = _set_args((a, b))
    return make_set([x for x in left if not any(equals(x, y) is True for y in right)], elem)


def _setproduct(*sets: Any) -> Any:
    if not sets:
        raise FunctionError("at least two arguments are required")
    products: list[list[Any]] = [[]]
    for seq in sets:
        products = [prefix + [item] for prefix in products for item in _sequence(seq)]
    rows = [list(p) for p in products] if len(sets) else []
    if all(isinstance(s, TFSet) for s in sets):
        elem = unify([type_of(r) for r in rows]) or DYNAMIC
        return make_set(rows, elem)
    return TFList(rows, unify([type_of(r) for r in rows]) or DYNAMIC)


def _transpose(mapping: Any) -> TFMap:
    result: dict[str, list[str]] = {}
    for key in sorted(mapping):
        for value in mapping[key]:
            if value is None:
                raise FunctionError("lists must not contain null values")
            result.setdefault(value, []).append(key)
    return TFMap({k: TFList(v, STRING) for k, v in result.items()}, ("list", STRING))


def _matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    if len(values) != len(keys):
        raise FunctionError("length of keys and values should be equal")
    picked = [v for v, k in zip(values, keys) if any(equals(k, s) is True for s in searchset)]
    return TFList(picked, values.elem_type)


def _tolist(value: Any) -> Any:
    return convert(value, ("list", DYNAMIC))


def _toset(value: Any) -> Any:
    return convert(value, ("set", DYNAMIC))


def _tomap(value: Any) -> Any:
    return convert(value, ("map", DYNAMIC))


def _tostring(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to string")
    return convert(value, STRING)


def _tonumber(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to number")
    return convert(value, NUMBER)


def _tobool(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to bool")
    return convert(value, BOOL)


def _try(*thunks: Callable[[], Any]) -> Any:
    if not thunks:
        raise FunctionError("at least one argument is required")
    for thunk in thunks:
        try:
            value = thunk()
        except EvalError:
            continue
        unknown = first_unknown(value)
        if unknown is not None:
            return unknown.refined(ty=DYNAMIC)
        return value
    raise FunctionError("no expression succeeded")


def _can(thunk: Callable[[], Any]) -> Any:
    try:
        value = thunk()
    except EvalError:
        return False
    unknown = first_unknown(value)
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return True


# -- networking -----------------------------------------------------------------------------


def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError as exc:
        raise FunctionError(f"invalid CIDR expression: {exc}") from None


def _cidrhost(prefix: str, hostnum: TFNumber) -> str:
    net = _network(prefix)
    num = _int(hostnum, "hostnum")
    size = net.num_addresses
    if num < 0:
        num += size
    if not 0 <= num < size:
        raise FunctionError(f"prefix of {net.prefixlen} does not accommodate a host numbered {hostnum.to_text()}")
    return str(net.network_address + num)


def _cidrnetmask(prefix: str) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise FunctionError("only IPv4 networks are supported")
    return str(net.netmask)


def _subnet(net: Any, newbits: int, netnum: int) -> Any:
    new_prefix = net.prefixlen + newbits
    if newbits < 0 or new_prefix > net.max_prefixlen:
        raise FunctionError(f"insufficient address space to extend prefix of {net.prefixlen} by {newbits}")
    if not 0 <= netnum < 2**newbits:
        raise FunctionError(f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_prefix))
    return ipaddress.ip_network((base, new_prefix))


def _cidrsubnet(prefix: str, newbits: TFNumber, netnum: TFNumber) -> str:
    return str(_subnet(_network(prefix), _int(newbits), _int(netnum)))


def _cidrsubnets(prefix: str, *newbits: TFNumber) -> TFList:
    net = _network(prefix)
    results: list[str] = []
    current = int(net.network_address)
    for bits_value in newbits:
        bits = _int(bits_value)
        new_prefix = net.prefixlen + bits
        if bits < 1 or new_prefix > net.max_prefixlen:
            raise FunctionError(f"would extend prefix to {new_prefix} bits, which is too long for this address")
        step = 1 << (net.max_prefixlen - new_prefix)
        current = (current + step - 1) // step * step
        subnet = ipaddress.ip_network((current, new_prefix))
        if not subnet.subnet_of(net):  # type: ignore[arg-type]
            raise FunctionError(f"not enough remaining address space for a subnet with a prefix of {new_prefix} bits")
        results.append(str(subnet))
        current += step
    return TFList(results, STRING)


def _uuidv5(namespace: str, name: str) -> str:
    spaces = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID, "x500": uuid.NAMESPACE_X500}
    try:
        space = spaces.get(namespace) or uuid.UUID(namespace)
    except ValueError:
        raise FunctionError(f"uuidv5() doesn't support namespace {namespace}") from None
    return str(uuid.uuid5(space, name))


# -- paths, text encodings, CSV, time --------------------------------------------------------


def _go_clean(path: str) -> str:
    """Go's ``path/filepath.Clean`` on a slash-separated path."""
    if path == "":
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _basename(path: str) -> str:
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


def _dirname(path: str) -> str:
    cut = path.rfind("/")
    return _go_clean(path[: cut + 1])


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FunctionError(f"{name!r} is not a supported IANA encoding name or alias") from None


def _textencodebase64(text: str, encoding: str) -> str:
    try:
        return _b64(text.encode(_codec(encoding)))
    except UnicodeEncodeError:
        raise FunctionError(f"the given string contains characters that cannot be represented in {encoding}") from None


def _textdecodebase64(source: str, encoding: str) -> str:
    try:
        raw = base64.b64decode(source, validate=True)
    except ValueError as exc:
        raise FunctionError(f"invalid base64 data: {exc}") from None
    try:
        return raw.decode(_codec(encoding))
    except UnicodeDecodeError:
        raise FunctionError(f"the given value is has an invalid {encoding} encoding") from None


def _csvdecode(text: str) -> TFList:
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not rows:
        raise FunctionError("missing header line")
    header, *records = rows
    result = []
    for number, record in enumerate(records, start=2):
        if len(record) != len(header):
            raise FunctionError(f"record on line {number}: wrong number of fields")
        result.append(dict(sorted(zip(header, record))))
    elem = ("object", tuple((name, STRING) for name in sorted(header)))
    return TFList(result, elem)


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def _parse_duration(text: str) -> datetime.timedelta:
    sign, rest = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if rest == "0":
        return datetime.timedelta(0)
    seconds, pos = 0.0, 0
    while pos < len(rest):
        match = _DURATION.match(rest, pos)
        if not match or match.group(1) in ("", "."):
            raise FunctionError(f'time: invalid duration "{text}"')
        seconds += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if not rest:
        raise FunctionError(f'time: invalid duration "{text}"')
    return datetime.timedelta(seconds=sign * seconds)


def _parse_timestamp(text: str) -> datetime.datetime:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", text):
        raise FunctionError(f'not a valid RFC3339 timestamp: "{text}"')
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise FunctionError(f'not a valid RFC3339 timestamp: "{text}": {exc}') from None


def _rfc3339(moment: datetime.datetime) -> str:
    offset = moment.utcoffset() or datetime.timedelta(0)
    base = moment.replace(microsecond=0, tzinfo=None).isoformat()
    if not offset:
        return base + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{base}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _timeadd(timestamp: str, duration: str) -> str:
    return _rfc3339(_parse_timestamp(timestamp) + _parse_duration(duration))


def _timecmp(a: str, b: str) -> TFNumber:
    first, second = _parse_timestamp(a), _parse_timestamp(b)
    return _n((first > second) - (first < second))


# -- the registry ---------------------------------------------------------------------------

_S, _N, _B, _D = STRING, NUMBER, BOOL, DYNAMIC
_LIST_S, _LIST_D, _MAP_D, _SET_D = ("list", STRING), ("list", DYNAMIC), ("map", DYNAMIC), ("set", DYNAMIC)


def _p(name: str, ty: Type = DYNAMIC, **flags: bool) -> Param:
    return Param(name, ty, **flags)


def _hash(algorithm: str, encoder: Callable[[bytes], str]) -> FunctionSpec:
    return FunctionSpec(lambda s: encoder(hashlib.new(algorithm, s.encode()).digest()), (_p("str", _S),), result=_S)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unary_str(impl: Callable[[str], Any], result: Type = STRING) -> FunctionSpec:
    return FunctionSpec(impl, (_p("str", _S),), result=result)


FUNCTIONS: dict[str, FunctionSpec] = {
    # numeric
    "abs": FunctionSpec(abs, (_p("num", _N),), result=_N),
    "ceil": FunctionSpec(TFNumber.ceil, (_p("num", _N),), result=_N),
    "floor": FunctionSpec(TFNumber.floor, (_p("num", _N),), result=_N),
    "log": FunctionSpec(_log, (_p("num", _N), _p("base", _N)), result=_N),
    "pow": FunctionSpec(_pow, (_p("num", _N), _p("power", _N)), result=_N),
    "max": FunctionSpec(_max, var_param=_p("numbers", _N), result=_N),
    "min": FunctionSpec(_min, var_param=_p("numbers", _N), result=_N),
    "signum": FunctionSpec(_signum, (_p("num", _N),), result=_N),
    "parseint": FunctionSpec(_parseint, (_p("number"), _p("base", _N)), result=_N),
    "sum": FunctionSpec(_sum, (_p("list"),), result=_N),
    # strings
    "chomp": _unary_str(_chomp),
    "endswith": FunctionSpec(lambda s, x: s.endswith(x), (_p("str", _S), _p("suffix", _S)), result=_B),
    "format": FunctionSpec(_format, (_p("format", _S),), _p("args", allow_null=True), result=_S, null_dynamic_is_unknown=True),
    "formatlist": FunctionSpec(
        _formatlist, (_p("format", _S),), _p("args", allow_null=True, allow_unknown=True), result=("list", _S), nested_unknowns=True
    ),
    "indent": FunctionSpec(lambda n, s: s.replace("\n", "\n" + " " * _int64(n)), (_p("spaces", _N), _p("str", _S)), result=_S),
    "join": FunctionSpec(_join, (_p("separator", _S),), _p("lists", _LIST_S), result=_S),
    "lower": _unary_str(lambda s: _map_runes(s, str.lower)),
    "upper": _unary_str(lambda s: _map_runes(s, str.upper)),
    "title": _unary_str(_title),
    "regex": FunctionSpec(_regex, (_p("pattern", _S), _p("string", _S))),
    "regexall": FunctionSpec(_regexall, (_p("pattern", _S), _p("string", _S))),
    "replace": FunctionSpec(_replace, (_p("str", _S), _p("substr", _S), _p("replace", _S)), result=_S),
    "split": FunctionSpec(_split, (_p("separator", _S), _p("str", _S)), result=("list", _S)),
    "startswith": FunctionSpec(_startswith, (_p("str", _S, allow_unknown=True), _p("prefix", _S)), result=_B),
    "strcontains": FunctionSpec(lambda s, x: x in s, (_p("str", _S), _p("substr", _S)), result=_B),
    "strrev": _unary_str(_strrev),
    "substr": FunctionSpec(_substr, (_p("str", _S), _p("offset", _N), _p("length", _N)), result=_S),
    "trim": FunctionSpec(lambda s, cut: s.strip(cut), (_p("str", _S), _p("cutset", _S)), result=_S),
    "trimprefix": FunctionSpec(lambda s, p: s.removeprefix(p), (_p("str", _S), _p("prefix", _S)), result=_S),
    "trimsuffix": FunctionSpec(
        lambda s, p: s[: len(s) - len(p)] if p and s.endswith(p) else s, (_p("str", _S), _p("suffix", _S)), result=_S
    ),
    "trimspace": _unary_str(lambda s: s.strip(GO_SPACE)),
    # encoding
    "base64encode": _unary_str(lambda s: _b64(s.encode())),
    "base64decode": _unary_str(_base64decode),
    "jsonencode": FunctionSpec(json_encode, (_p("val", allow_null=True),), result=_S),
    "jsondecode": FunctionSpec(_json_decode, (_p("str", _S),), result_may_be_null=True),
    "urlencode": _unary_str(lambda s: urllib.parse.quote_plus(s, safe="")),
    "md5": _hash("md5", bytes.hex),
    "sha1": _hash("sha1", bytes.hex),
    "sha256": _hash("sha256", bytes.hex),
    "sha512": _hash("sha512", bytes.hex),
    "base64sha256": _hash("sha256", _b64),
    "base64sha512": _hash("sha512", _b64),
    "uuidv5": FunctionSpec(_uuidv5, (_p("namespace", _S), _p("name", _S)), result=_S),
    # collections
    "alltrue": FunctionSpec(_alltrue, (_p("list", ("list", _B)),), result=_B, nested_unknowns=True),
    "anytrue": FunctionSpec(_anytrue, (_p("list", ("list", _B)),), result=_B, nested_unknowns=True),
    "chunklist": FunctionSpec(_chunklist, (_p("list", _LIST_D), _p("size", _N)), nested_unknowns=True),
    "coalesce": FunctionSpec(_coalesce, var_param=_p("vals", allow_null=True, allow_unknown=True), nested_unknowns=True),
    "coalescelist": FunctionSpec(_coalescelist, var_param=_p("vals", allow_null=True, allow_unknown=True), nested_unknowns=True),
    "compact": FunctionSpec(_compact, (_p("list", _LIST_S),), result=("list", _S)),
    "concat": FunctionSpec(_concat, var_param=_p("seqs"), nested_unknowns=True),
    "contains": FunctionSpec(_contains, (_p("list", allow_unknown=True), _p("value", allow_unknown=True)), result=_B, nested_unknowns=True),
    "distinct": FunctionSpec(_distinct, (_p("list", _LIST_D),)),
    "element": FunctionSpec(_element, (_p("list"), _p("index", _N)), nested_unknowns=True, result_may_be_null=True),
    "flatten": FunctionSpec(_flatten, (_p("list"),)),
    "index": FunctionSpec(_index, (_p("list"), _p("value")), result=_N),
    "keys": FunctionSpec(_keys, (_p("inputMap"),), nested_unknowns=True),
    "length": FunctionSpec(_length, (_p("value"),), result=_N, nested_unknowns=True),
    "lookup": FunctionSpec(
        _lookup, (_p("inputMap"), _p("key", _S)), _p("default", allow_null=True, allow_unknown=True), nested_unknowns=True, result_may_be_null=True
    ),
    "matchkeys": FunctionSpec(_matchkeys, (_p("values", _LIST_D), _p("keys", _LIST_D), _p("searchset", _LIST_D))),
    "merge": FunctionSpec(_merge, var_param=_p("maps", allow_null=True), nested_unknowns=True),
    "one": FunctionSpec(_one, (_p("list"),), nested_unknowns=True, result_may_be_null=True),
    "range": FunctionSpec(_range, var_param=_p("params", _N), result=("list", _N)),
    "reverse": FunctionSpec(_reverse, (_p("list"),), nested_unknowns=True),
    "setintersection": FunctionSpec(_setintersection, (_p("first_set", _SET_D),), _p("other_sets", _SET_D)),
    "setproduct": FunctionSpec(_setproduct, var_param=_p("sets")),
    "setsubtract": FunctionSpec(_setsubtract, (_p("a", _SET_D), _p("b", _SET_D))),
    "setunion": FunctionSpec(_setunion, (_p("first_set", _SET_D),), _p("other_sets", _SET_D)),
    "slice": FunctionSpec(_slice, (_p("list"), _p("start_index", _N), _p("end_index", _N)), nested_unknowns=True),
    "sort": FunctionSpec(lambda items: TFList(sorted(_require_no_null(items)), STRING), (_p("list", _LIST_S),), result=("list", _S)),
    "transpose": FunctionSpec(_transpose, (_p("values", ("map", ("list", _S))),)),
    "values": FunctionSpec(_values, (_p("mapping"),), nested_unknowns=True),
    "zipmap": FunctionSpec(_zipmap, (_p("keys", _LIST_S), _p("values")), nested_unknowns=True),
    # type conversion
    "tobool": FunctionSpec(_tobool, (_p("v", allow_null=True),), result=_B, result_may_be_null=True),
    "tolist": FunctionSpec(_tolist, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tomap": FunctionSpec(_tomap, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tonumber": FunctionSpec(_tonumber, (_p("v", allow_null=True),), result=_N, result_may_be_null=True),
    "toset": FunctionSpec(_toset, (_p("v", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "tostring": FunctionSpec(_tostring, (_p("v", allow_null=True),), result=_S, result_may_be_null=True),
    "try": FunctionSpec(_try, lazy=True),
    "can": FunctionSpec(_can, lazy=True),
    # networking
    "cidrhost": FunctionSpec(_cidrhost, (_p("prefix", _S), _p("hostnum", _N)), result=_S),
    "cidrnetmask": FunctionSpec(_cidrnetmask, (_p("prefix", _S),), result=_S),
    "cidrsubnet": FunctionSpec(_cidrsubnet, (_p("prefix", _S), _p("newbits", _N), _p("netnum", _N)), result=_S),
    "cidrsubnets": FunctionSpec(_cidrsubnets, (_p("prefix", _S),), _p("newbits", _N), result=("list", _S)),
    # paths, text encodings, CSV, time
    "basename": _unary_str(_basename),
    "dirname": _unary_str(_dirname),
    "csvdecode": FunctionSpec(_csvdecode, (_p("str", _S),)),
    "textencodebase64": FunctionSpec(_textencodebase64, (_p("string", _S), _p("encoding", _S)), result=_S),
    "textdecodebase64": FunctionSpec(_textdecodebase64, (_p("source", _S), _p("encoding", _S)), result=_S),
    "timeadd": FunctionSpec(_timeadd, (_p("timestamp", _S), _p("duration", _S)), result=_S),
    "timecmp": FunctionSpec(_timecmp, (_p("timestamp_a", _S), _p("timestamp_b", _S)), result=_N),
    # sensitivity markers have no effect on values
    "sensitive": FunctionSpec(lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "nonsensitive": FunctionSpec(lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
    "issensitive": FunctionSpec(lambda v: False, (_p("value", allow_null=True),), result=_B, nested_unknowns=True),
    "ephemeralasnull": FunctionSpec(lambda v: v, (_p("value", allow_null=True),), nested_unknowns=True, result_may_be_null=True),
}


def _require_no_null(items: Any) -> list[str]:
    for pos, item in enumerate(items):
        if item is None:
            raise FunctionError(f"given list element {pos} is null; a null string cannot be sorted")
    return list(items)


TERRAFORM_FUNCTION_NAMES: frozenset[str] = frozenset(
    ["abs", "abspath", "alltrue", "anytrue", "base64decode", "base64encode", "base64gzip", "base64sha256", "base64sha512", "basename", "bcrypt", "can", "ceil", "chomp", "chunklist", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "coalesce", "coalescelist", "compact", "concat", "contains", "csvdecode", "dirname", "distinct", "element", "endswith", "ephemeralasnull", "file", "filebase64", "filebase64sha256", "filebase64sha512", "fileexists", "filemd5", "fileset", "filesha1", "filesha256", "filesha512", "flatten", "floor", "format", "formatdate", "formatlist", "indent", "index", "issensitive", "join", "jsondecode", "jsonencode", "keys", "length", "log", "lookup", "lower", "matchkeys", "max", "md5", "merge", "min", "nonsensitive", "one", "parseint", "pathexpand", "plantimestamp", "pow", "range", "regex", "regexall", "replace", "reverse", "rsadecrypt", "sensitive", "setintersection", "setproduct", "setsubtract", "setunion", "sha1", "sha256", "sha512", "signum", "slice", "sort", "split", "startswith", "strcontains", "strrev", "substr", "sum", "templatefile", "templatestring", "textdecodebase64", "textencodebase64", "timeadd", "timecmp", "timestamp", "title", "tobool", "tolist", "tomap", "tonumber", "toset", "tostring", "transpose", "trim", "trimprefix", "trimspace", "trimsuffix", "try", "upper", "urlencode", "uuid", "uuidv5", "values", "yamldecode", "yamlencode", "zipmap"]
)
"""Every built-in function of Terraform 1.11 (``terraform metadata functions -json``)."""

