"""Terraform ``.tf`` / ``.tfvars`` files into located models, through python-hcl2 v8.

The only module that imports ``hcl2``. Two python-hcl2 v8 traps shape it (DOMAIN.md §6):
strings keep their quotes, and ``with_meta`` emits nothing, so every location comes from the
parse tree's lark meta (``node._meta``). python-hcl2 also lets a duplicated attribute win
silently; we keep both and report the duplicate, because Terraform rejects it.
"""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from ..models import Location, TfAttribute, TfBlock, TfFile, Unknown


class HclSyntaxError(Exception):
    """A file python-hcl2 cannot parse, with the position it stopped at."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def parse_terraform(path: str, text: str) -> TfFile:
    """Parse ``text`` (already decoded) of the file shown as ``path``."""
    import hcl2
    from lark.exceptions import UnexpectedInput

    source = text if text.endswith("\n") else text + "\n"
    try:
        with _deadline(PARSE_TIMEOUT_S):
            tree = hcl2.parses(source)
    except _ParseTimeout:
        raise HclSyntaxError(f"parsing did not finish within {PARSE_TIMEOUT_S:g} s (the HCL lexer can hang on some malformed "
                             "inputs); check the file with `terraform validate`") from None
    except UnexpectedInput as exc:
        raise HclSyntaxError(_lark_message(exc), getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1) from None
    except (RuntimeError, ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        # python-hcl2 raises RuntimeError("Attribute ... is already defined") for an attribute and a block
        # sharing a name, and can trip over other inputs Terraform would also reject.
        raise HclSyntaxError(f"python-hcl2 could not read this file: {exc}") from None
    is_tfvars = path.endswith(".tfvars")
    blocks, attributes, duplicates = _body(path, source, tree.body)
    if is_tfvars:
        return TfFile(path=path, is_tfvars=True, attributes=attributes, source=source)
    return TfFile(path=path, blocks=tuple(blocks), attributes=attributes, source=source)


PARSE_TIMEOUT_S = 30.0  # per file; a lark lexer can loop on some corrupt inputs (lark #1475)


class _ParseTimeout(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Bound a parse in time with SIGALRM, where the platform and thread allow it (else run unbounded)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _ParseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_tfvars_json(path: str, text: str) -> TfFile:
    """A ``*.tfvars.json`` file: top-level keys are variable values (located by the line of their key)."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HclSyntaxError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise HclSyntaxError("a .tfvars.json file must hold a JSON object of variable values")
    lines = text.splitlines()
    attributes: dict[str, TfAttribute] = {}
    for key, value in data.items():
        line = next((i for i, row in enumerate(lines, 1) if f'"{key}"' in row), 1)
        attributes[key] = TfAttribute(name=key, value=value, expr=json.dumps(value), location=Location(file=path, line=line))
    return TfFile(path=path, is_tfvars=True, attributes=attributes, source=text)


def _lark_message(exc: Exception) -> str:
    token = getattr(exc, "token", None)
    if token is not None:
        if getattr(token, "type", "") == "$END":
            return "unexpected end of file (an unclosed block, bracket or string?)"
        return f"unexpected {token!s:.40}"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return str(exc).splitlines()[0][:200]


def _body(path: str, text: str, body: Any) -> tuple[list[TfBlock], dict[str, TfAttribute], list[TfAttribute]]:
    blocks: list[TfBlock] = []
    attributes: dict[str, TfAttribute] = {}
    duplicates: list[TfAttribute] = []
    for child in body.children:
        kind = type(child).__name__
        if kind == "AttributeRule":
            attr = _attribute(path, text, child)
            if attr.name in attributes:
                duplicates.append(attributes[attr.name])  # the overridden occurrence; the last one wins
            attributes[attr.name] = attr
        elif kind == "BlockRule":
            blocks.append(_block(path, text, child))
    return blocks, attributes, duplicates


def _block(path: str, text: str, node: Any) -> TfBlock:
    labels = [_label(label) for label in node.labels]
    nested, attributes, duplicates = _body(path, text, node.body)
    meta = node._meta
    return TfBlock(
        kind=labels[0],
        labels=tuple(labels[1:]),
        attributes=attributes,
        blocks=tuple(nested),
        location=Location(file=path, line=meta.line, column=meta.column, end_line=meta.end_line),
        duplicates=tuple(duplicates),
    )


def _label(node: Any) -> str:
    value = node.serialize()
    return value[1:-1] if isinstance(value, str) and len(value) >= 2 and value[0] == '"' else str(value)


def _attribute(path: str, text: str, node: Any) -> TfAttribute:
    expr = node.expression
    meta = node._meta
    source = text[expr._meta.start_pos : expr._meta.end_pos].strip()
    return TfAttribute(
        name=str(node.identifier.serialize()),
        value=literal_value(expr.serialize(), source),
        expr=source,
        location=Location(file=path, line=meta.line, column=meta.column, end_line=meta.end_line),
        node=expr,
    )


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr"\\])')


def literal_value(serialized: Any, source: str) -> Any:
    """A python-hcl2 serialized value as a typed literal, or :class:`Unknown` if it is an expression."""
    if isinstance(serialized, bool) or serialized is None or isinstance(serialized, (int, float)):
        return serialized
    if isinstance(serialized, list):
        items = [literal_value(item, source) for item in serialized]
        return _first_unknown(items, source) or items
    if isinstance(serialized, dict):
        out: dict[str, Any] = {}
        for key, item in serialized.items():
            if key.startswith("__"):
                continue
            name = key[1:-1] if key.startswith('"') and key.endswith('"') else key
            if name.startswith("${"):
                return Unknown(expr=source, reason="an object key is an expression; it is evaluated with the Terraform evaluator")
            out[name] = literal_value(item, source)
        return _first_unknown(list(out.values()), source) or out
    if isinstance(serialized, str):
        return _string_literal(serialized, source)
    return Unknown(expr=source, reason=f"unsupported literal of type {type(serialized).__name__}")


def _first_unknown(items: list[Any], source: str) -> Unknown | None:
    for item in items:
        if isinstance(item, Unknown):
            return Unknown(expr=source, reason=item.reason)
    return None


def _string_literal(value: str, source: str) -> Any:
    if not (len(value) >= 2 and value[0] == '"' and value[-1] == '"'):
        return Unknown(expr=source, reason="an expression, not a literal; it needs evaluation")
    inner = value[1:-1]
    if inner.startswith("<<"):
        return _heredoc(inner, source)
    if _has_template(inner):
        return Unknown(expr=source, reason="a string template with interpolation; it needs evaluation")
    decoded = _ESCAPE_RE.sub(lambda m: _unescape(m.group(1)), inner)
    return decoded.replace("$${", "${").replace("%%{", "%{")


def _has_template(inner: str) -> bool:
    return bool(re.search(r"(?<!\$)\$\{|(?<!%)%\{", inner))


def _unescape(code: str) -> str:
    if code[0] in "uU":
        return chr(int(code[1:], 16))
    return _ESCAPES[code]


def _heredoc(inner: str, source: str) -> Any:
    first, _, rest = inner.partition("\n")
    indent = first.startswith("<<-")
    body_lines = rest.split("\n")[:-1]  # the last line holds the closing marker
    if _has_template("\n".join(body_lines)):
        return Unknown(expr=source, reason="a heredoc template with interpolation; it needs evaluation")
    if indent:
        widths = [len(line) - len(line.lstrip(" ")) for line in body_lines if line.strip()]
        cut = min(widths, default=0)
        body_lines = [line[cut:] for line in body_lines]
    return "".join(line + "\n" for line in body_lines).replace("$${", "${")
