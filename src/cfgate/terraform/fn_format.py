"""``format()`` and ``formatlist()``: cty's printf verbs over Terraform numbers, strings and JSON."""

from __future__ import annotations

import re
from typing import Any

from .fn_encoding import go_json_string, json_encode
from .fnutil import DIGITS, FunctionError, graphemes, unknown_for_null
from .tfnumber import (
    TFNumber,
    _Decimal,
    _format_fixed,
    _mantissa_exponent,
    _shortest_decimal,
)
from .tftypes import (
    BOOL,
    NUMBER,
    STRING,
    TFList,
    Unk,
    convert,
    first_unknown,
    is_wholly_known,
)

_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<idx1>\d+)\])?(?P<width>\d+)?(?:\.(?P<prec>\d*))?(?:\[(?P<idx2>\d+)\])?(?P<verb>.?)",
    re.DOTALL,
)


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
    if width is None or len(graphemes(text)) >= width:
        return text
    fill = width - len(graphemes(text))
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
            text = "".join(graphemes(text)[:prec])
        return _pad(text if verb == "s" else go_json_string(text), width, flags)
    raise FunctionError(f"unsupported format verb %{verb}")


def _format_integer(value: int, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb]
    digits = ""
    magnitude = abs(value)
    while True:
        magnitude, digit = divmod(magnitude, base)
        digits = DIGITS[digit] + digits
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


def format_(fmt: str, *args: Any) -> str:
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
            raise FunctionError(
                f"not enough arguments for {raw!r}: need index {next_arg + 1} but have {len(args)} total"
            )
        if match.group("prec") == "":
            raise FunctionError(f"invalid format string: missing precision in {raw!r}")
        width = int(match.group("width")) if match.group("width") else None
        prec = int(match.group("prec")) if match.group("prec") else None
        out.append(_format_one(verb, match.group("flags"), width, prec, args[next_arg]))
        next_arg += 1
    return "".join(out)


def formatlist(fmt: str, *args: Any) -> Any:
    if not args:
        return TFList([format_(fmt)], STRING)
    length: int | None = None
    for arg in args:
        if isinstance(arg, Unk):
            return arg.refined(ty=("list", STRING), not_null=True)
        if isinstance(arg, list):
            if length is not None and len(arg) != length:
                raise FunctionError(
                    f"argument has length {len(arg)}, which is inconsistent with an earlier argument of length {length}"
                )
            length = len(arg)
    results: list[Any] = []
    for index in range(1 if length is None else length):
        call_args = [arg[index] if isinstance(arg, list) else arg for arg in args]
        unknown = first_unknown(call_args)
        if unknown is not None:
            results.append(unknown.refined(ty=STRING, not_null=True))
            continue
        if any(a is None for a in call_args):
            results.append(Unk(unknown_for_null("formatlist"), STRING, not_null=True))
            continue
        results.append(format_(fmt, *call_args))
    return TFList(results, STRING)
