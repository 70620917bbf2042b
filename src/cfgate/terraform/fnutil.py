"""Shared helpers for the built-in function implementations (argument checks, graphemes)."""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable
from typing import Any

from cfgate.models.values import Unknown

from .tfnumber import TFNumber
from .tftypes import TFList, TFSet

GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
"""Characters Go's ``unicode.IsSpace`` accepts (``trimspace``, template strip markers)."""


class FunctionError(Exception):
    """Raised by an implementation: the call fails as Terraform's would."""


def int_arg(value: TFNumber, what: str = "value") -> int:
    if not value.is_integer:
        raise FunctionError(f"{what} must be a whole number")
    return value.to_int()


def int64_arg(value: TFNumber) -> int:
    if not value.is_integer or not -(2**63) <= value.to_int() < 2**63:
        raise FunctionError("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
    return value.to_int()


def number(value: int) -> TFNumber:
    return TFNumber.from_int(value)


def graphemes(text: str) -> list[str]:
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


def map_runes(text: str, mapper: Callable[[str], str]) -> str:
    out = []
    for char in text:
        mapped = mapper(char)
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


def sequence(value: Any, what: str = "list") -> list[Any]:
    if not isinstance(value, list):
        raise FunctionError(f"{what} must be a list, set, or tuple")
    return list(value)


def same_kind(template: Any, items: list[Any]) -> Any:
    """Rebuild ``items`` as the same collection kind as ``template`` (tuple stays tuple)."""
    if isinstance(template, TFList):
        return TFList(items, template.elem_type)
    if isinstance(template, TFSet):
        return TFList(items, template.elem_type)
    return items


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unknown_for_null(name: str) -> Any:
    """The unknown Terraform returns for ``format``-like calls given an untyped ``null``."""
    return Unknown(
        expr=f"{name}(...)",
        reason=f"{name}() given an untyped null has no known result type before apply",
        chain=(f"{name}(...)",),
    )
