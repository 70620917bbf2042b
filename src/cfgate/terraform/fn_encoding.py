"""Encoding built-ins: JSON exactly as Terraform writes it, base64, text encodings, CSV, UUIDv5."""

from __future__ import annotations

import base64
import codecs
import csv
import io
import json
import uuid
from typing import Any

from .fnutil import FunctionError, b64
from .tfnumber import NumberError, TFNumber
from .tftypes import STRING, TFList


def go_json_string(text: str) -> str:
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
        return go_json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(json_encode(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(go_json_string(k) + ":" + json_encode(v) for k, v in sorted(value.items())) + "}"
    raise FunctionError(f"cannot encode {type(value).__name__} as JSON")


def json_decode(text: str) -> Any:
    def number(raw: str) -> TFNumber:
        return TFNumber.parse(raw)

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(sorted(dict(pairs).items()))

    try:
        return json.loads(
            text, parse_int=number, parse_float=number, object_pairs_hook=obj, parse_constant=_bad_constant
        )
    except (ValueError, NumberError) as exc:
        raise FunctionError(f"invalid JSON: {exc}") from None


def _bad_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def base64decode(text: str) -> str:
    try:
        raw = base64.b64decode(text, validate=True)
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"failed to decode base64 data: {exc}") from None


def uuidv5(namespace: str, name: str) -> str:
    spaces = {
        "dns": uuid.NAMESPACE_DNS,
        "url": uuid.NAMESPACE_URL,
        "oid": uuid.NAMESPACE_OID,
        "x500": uuid.NAMESPACE_X500,
    }
    try:
        space = spaces.get(namespace) or uuid.UUID(namespace)
    except ValueError:
        raise FunctionError(f"uuidv5() doesn't support namespace {namespace}") from None
    return str(uuid.uuid5(space, name))


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FunctionError(f"{name!r} is not a supported IANA encoding name or alias") from None


def textencodebase64(text: str, encoding: str) -> str:
    try:
        return b64(text.encode(_codec(encoding)))
    except UnicodeEncodeError:
        raise FunctionError(f"the given string contains characters that cannot be represented in {encoding}") from None


def textdecodebase64(source: str, encoding: str) -> str:
    try:
        raw = base64.b64decode(source, validate=True)
    except ValueError as exc:
        raise FunctionError(f"invalid base64 data: {exc}") from None
    try:
        return raw.decode(_codec(encoding))
    except UnicodeDecodeError:
        raise FunctionError(f"the given value is has an invalid {encoding} encoding") from None


def csvdecode(text: str) -> TFList:
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
