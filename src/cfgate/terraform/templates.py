"""String templates: quoted strings with ``${}``/``%{}`` and heredocs, as Terraform reads them.

python-hcl2 parses the interpolations of a *quoted* string into its typed tree, but keeps a
heredoc as one raw token. Both are reduced here to the same intermediate form, following the
HCL template rules:

1. a flat token list (literal text, ``${...}``, ``%{if}``/``%{else}``/``%{endif}``,
   ``%{for}``/``%{endfor}``); a heredoc literal is split into one token per line;
2. strip markers: ``~`` after the opener trims trailing whitespace from the literal token just
   before, ``~`` before the closer trims leading whitespace from the literal token just after;
3. for ``<<-`` heredocs, the flush rule: the smallest indentation of the lines that start with
   literal text (blank lines ignored, a line starting with ``${`` counts as 0) is removed from
   those lines;
4. consecutive literals are merged, and the directives are nested into a tree.

A template that is exactly one interpolation (``"${var.x}"``) evaluates to the interpolated
value itself, not to a string: :attr:`Template.passthrough` marks it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

from .errors import EvalError

# -- the tree the evaluator walks ---------------------------------------------------------


@dataclass
class Literal:
    text: str


@dataclass
class Interp:
    expr: Any  # an evaluator ``Expr``


@dataclass
class IfPart:
    cond: Any
    then: list[Part]
    otherwise: list[Part]


@dataclass
class ForPart:
    key_var: str | None
    value_var: str
    coll: Any
    body: list[Part]


Part = Union[Literal, Interp, IfPart, ForPart]  # noqa: UP007


@dataclass
class Template:
    parts: list[Part]
    passthrough: bool = False


# -- flat tokens ---------------------------------------------------------------------------


@dataclass
class _Lit:
    text: str


@dataclass
class _Seq:
    """An interpolation or a directive, with its strip markers."""

    kind: str  # "interp", "if", "else", "endif", "for", "endfor"
    expr: Any = None
    key_var: str | None = None
    value_var: str = ""
    strip_left: bool = False
    strip_right: bool = False
    where: str = field(default="", repr=False)


_Token = Union[_Lit, _Seq]  # noqa: UP007

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str, where: str = "") -> str:
    """Resolve the backslash escapes HCL allows in quoted strings; others are errors."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        marker = text[i + 1 : i + 2]
        if marker in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[marker])
            i += 2
            continue
        width = {"u": 4, "U": 8}.get(marker)
        digits = text[i + 2 : i + 2 + width] if width else ""
        if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            out.append(chr(int(digits, 16)))
            i += 2 + width
            continue
        raise EvalError(f"invalid escape sequence \\{marker} in a quoted string", where or None)
    return "".join(out)


# -- from python-hcl2's typed tree (quoted strings) ---------------------------------------


def from_string_rule(rule: Any, make_expr: Callable[[Any], Any]) -> Template:
    """Build a template from an hcl2 ``StringRule``; ``make_expr`` wraps a node for evaluation."""
    tokens: list[_Token] = []
    for part in rule.string_parts:
        _flatten_part(part.content, tokens, make_expr)
    merged: list[_Token] = []
    for token in tokens:  # HCL reads a run of quoted characters as one literal token
        if isinstance(token, _Lit) and merged and isinstance(merged[-1], _Lit):
            merged[-1] = _Lit(merged[-1].text + token.text)
        else:
            merged.append(token)
    if not merged:
        merged = [_Lit("")]
    return _finish(merged, flush=False)


def _flatten_part(content: Any, out: list[_Token], make_expr: Callable[[Any], Any]) -> None:
    name = type(content).__name__
    if name == "InterpolationRule":
        out.append(_Seq("interp", make_expr(content.expression)))
    elif name == "TemplateIfRule":
        _flatten_part(content._if_start, out, make_expr)
        for part in content._if_body:
            _flatten_part(part.content, out, make_expr)
        if content._else_rule is not None:
            _flatten_part(content._else_rule, out, make_expr)
            for part in content._else_body:
                _flatten_part(part.content, out, make_expr)
        _flatten_part(content._endif, out, make_expr)
    elif name == "TemplateForRule":
        _flatten_part(content._for_start, out, make_expr)
        for part in content._body:
            _flatten_part(part.content, out, make_expr)
        _flatten_part(content._endfor, out, make_expr)
    elif name == "TemplateIfStartRule":
        out.append(
            _Seq("if", make_expr(content.condition), strip_left=content.strip_open, strip_right=content.strip_close)
        )
    elif name == "TemplateForStartRule":
        first = str(content.iterator.token.value)
        second = content.key_iterator
        key, value = (first, str(second.token.value)) if second is not None else (None, first)
        out.append(
            _Seq(
                "for",
                make_expr(content.collection),
                key_var=key,
                value_var=value,
                strip_left=content.strip_open,
                strip_right=content.strip_close,
            )
        )
    elif name in ("TemplateElseRule", "TemplateEndifRule", "TemplateEndforRule"):
        kind = {"TemplateElseRule": "else", "TemplateEndifRule": "endif", "TemplateEndforRule": "endfor"}[name]
        out.append(_Seq(kind, strip_left=content.strip_open, strip_right=content.strip_close))
    elif name == "StringPartRule":
        _flatten_part(content.content, out, make_expr)
    else:
        kind = content.lark_name()
        raw = str(content.value)
        if kind == "ESCAPED_INTERPOLATION" or kind == "ESCAPED_DIRECTIVE":
            out.append(_Lit(unescape(raw[1:])))
        else:
            out.append(_Lit(unescape(raw)))


# -- heredocs --------------------------------------------------------------------------------

_FOR_DIRECTIVE = re.compile(r"for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?\s+in\s+(.*)\Z", re.DOTALL)


def heredoc_body(raw: str) -> str:
    """The text between a heredoc's opening line and its closing marker line."""
    first_newline = raw.index("\n")
    rest = raw[first_newline + 1 :]
    rest = rest.removesuffix("\n")
    rest = rest.removesuffix("\r")
    last_newline = rest.rfind("\n")
    return rest[: last_newline + 1] if last_newline >= 0 else ""


def from_heredoc(raw: str, parse: Callable[[str], Any]) -> Template:
    """Build a template from a raw heredoc token (``<<EOT`` or ``<<-EOT``).

    ``parse`` turns an expression's source text into an evaluator ``Expr``. Backslash escapes
    are not interpreted in heredocs; ``$${`` and ``%%{`` are.
    """
    flush = raw.startswith("<<-")
    tokens = _scan(heredoc_body(raw), parse)
    return _finish(tokens or [_Lit("")], flush=flush)


def _scan(text: str, parse: Callable[[str], Any]) -> list[_Token]:
    tokens: list[_Token] = []
    buf: list[str] = []

    def flush_literal() -> None:
        if buf:
            chunk = "".join(buf)
            tokens.extend(_Lit(line) for line in re.findall(r"[^\n]*\n|[^\n]+", chunk))
            buf.clear()

    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            buf.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            flush_literal()
            close = _find_close(text, i + 2)
            tokens.append(_sequence(text[i], text[i + 2 : close], parse))
            i = close + 1
        else:
            buf.append(text[i])
            i += 1
    flush_literal()
    return tokens


def _find_close(text: str, i: int) -> int:
    """Index of the ``}`` closing a ``${``/``%{`` whose body starts at ``i``."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _skip_quoted(text, i + 1)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise EvalError("unclosed template sequence in heredoc")


def _skip_quoted(text: str, i: int) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _find_close(text, i + 2) + 1
        else:
            i += 1
    raise EvalError("unterminated string in heredoc template sequence")


def _sequence(opener: str, inner: str, parse: Callable[[str], Any]) -> _Seq:
    strip_left = inner.startswith("~")
    strip_right = inner.endswith("~") and len(inner) > int(strip_left)
    body = inner[int(strip_left) : len(inner) - int(strip_right)].strip()
    marks = {"strip_left": strip_left, "strip_right": strip_right}
    if opener == "$":
        return _Seq("interp", parse(body), **marks)
    keyword = body.split(None, 1)[0] if body else ""
    if keyword in ("else", "endif", "endfor") and body == keyword:
        return _Seq(keyword, **marks)
    if keyword == "if":
        return _Seq("if", parse(body[2:].strip()), **marks)
    match = _FOR_DIRECTIVE.match(body)
    if keyword == "for" and match:
        first, second, coll = match.groups()
        key, value = (first, second) if second else (None, first)
        return _Seq("for", parse(coll.strip()), key_var=key, value_var=value, **marks)
    raise EvalError(f"invalid template directive %{{{inner}}}")


# -- shared processing -----------------------------------------------------------------------


def _finish(tokens: list[_Token], *, flush: bool) -> Template:
    _apply_strip_markers(tokens)
    if flush:
        _flush_indentation(tokens)
    melded: list[_Token] = []
    for token in tokens:
        if isinstance(token, _Lit) and melded and isinstance(melded[-1], _Lit):
            melded[-1] = _Lit(melded[-1].text + token.text)
        else:
            melded.append(token)
    passthrough = len(melded) == 1 and isinstance(melded[0], _Seq) and melded[0].kind == "interp"
    parts, _, end = _nest(melded, 0)
    if end is not None:
        raise EvalError(f"unexpected %{{{end.kind}}} directive in template")
    return Template(parts, passthrough)


def _apply_strip_markers(tokens: list[_Token]) -> None:
    trim_next = False
    for index, token in enumerate(tokens):
        if isinstance(token, _Lit):
            if trim_next:
                token.text = token.text.lstrip()
            trim_next = False
            continue
        if token.strip_left and index > 0 and isinstance(tokens[index - 1], _Lit):
            prev = tokens[index - 1]
            assert isinstance(prev, _Lit)
            prev.text = prev.text.rstrip()
        trim_next = token.strip_right


def _flush_indentation(tokens: list[_Token]) -> None:
    min_spaces = sys.maxsize
    at_line_start = True
    adjust: list[_Lit] = []
    for token in tokens:
        if at_line_start:
            at_line_start = False
            if isinstance(token, _Lit):
                stripped = token.text.lstrip()
                if not stripped and token.text.endswith("\n"):
                    spaces = sys.maxsize  # a blank line does not count
                else:
                    spaces = len(token.text) - len(stripped)
                    adjust.append(token)
            else:
                spaces = 0
            min_spaces = min(min_spaces, spaces)
        if isinstance(token, _Lit) and token.text.endswith("\n"):
            at_line_start = True
    if min_spaces == sys.maxsize:
        return
    for token in adjust:
        token.text = token.text[min_spaces:]


def _nest(tokens: list[_Token], pos: int) -> tuple[list[Part], int, _Seq | None]:
    """Nest directives; returns (parts, next position, the closing token that stopped us)."""
    parts: list[Part] = []
    while pos < len(tokens):
        token = tokens[pos]
        pos += 1
        if isinstance(token, _Lit):
            parts.append(Literal(token.text))
        elif token.kind == "interp":
            parts.append(Interp(token.expr))
        elif token.kind == "if":
            then, pos, end = _nest(tokens, pos)
            otherwise: list[Part] = []
            if end is not None and end.kind == "else":
                otherwise, pos, end = _nest(tokens, pos)
            if end is None or end.kind != "endif":
                raise EvalError("template %{if} is missing its %{endif}")
            parts.append(IfPart(token.expr, then, otherwise))
        elif token.kind == "for":
            body, pos, end = _nest(tokens, pos)
            if end is None or end.kind != "endfor":
                raise EvalError("template %{for} is missing its %{endfor}")
            parts.append(ForPart(token.key_var, token.value_var, token.expr, body))
        else:
            return parts, pos, token
    return parts, pos, None
