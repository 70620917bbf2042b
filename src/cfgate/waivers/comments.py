"""Find the comments of a file's text, per language, without executing or importing anything.

Each scanner knows its language's strings well enough never to take a ``#`` inside a string for a
comment: HCL (``#``, ``//``, ``/* */``; quoted strings with ``${...}`` interpolation; heredocs),
Python (the standard library tokenizer) and env files (python-dotenv's grammar: a comment line, or
whitespace then ``#`` after an unquoted value, or anything after a closing quote).

A :class:`Comment` says whether its line holds nothing but comments (``own_line``): a waiver on such
a line applies to the line below; a waiver after code applies to its own line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Comment:
    """One line's worth of comment text, without its opener (``#``, ``//``, ``/*``) or ``*/``."""

    line: int  # 1-based
    column: int  # 1-based column of the opener (or of the line's text, inside a multi-line /* */)
    text: str
    own_line: bool  # nothing but comments (and whitespace) on this line


@dataclass(frozen=True)
class Scan:
    """The comments of one file, and which lines hold nothing but comments."""

    comments: tuple[Comment, ...]
    comment_only: frozenset[int]
    line_count: int
    blank: frozenset[int]


def language_of(path: str) -> str | None:
    """``hcl``, ``python`` or ``env`` for the file kinds cfgate reads; None for anything else."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".tf", ".tfvars")):
        return "hcl"
    if name.endswith(".py"):
        return "python"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    return None  # .tfvars.json: JSON has no comments


def scan(path: str, text: str) -> Scan | None:
    """The comments of ``text`` read as the language of ``path``; None when the language has no comments."""
    language = language_of(path)
    if language is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = {"hcl": _hcl, "python": _python, "env": _env}[language](text)
    lines = text.split("\n")
    code_lines: set[int] = set()
    for number, content in enumerate(lines, 1):
        if content.strip():
            code_lines.add(number)
    comment_lines = {c.line for c in raw}
    # a line is comment-only when removing its comments leaves only whitespace
    stripped = _without_comments(lines, raw)
    comment_only = frozenset(n for n in comment_lines if not stripped.get(n, "").strip())
    comments = tuple(Comment(c.line, c.column, c.text, c.line in comment_only) for c in raw)
    blank = frozenset(n for n in range(1, len(lines) + 1) if n not in code_lines)
    return Scan(comments, comment_only, len(lines), blank)


@dataclass(frozen=True)
class _Raw:
    line: int
    column: int  # 1-based
    text: str
    span: int  # characters the comment takes on this line, from column (opener included)


def _without_comments(lines: list[str], raw: list[_Raw]) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in raw:
        current = out.get(c.line, lines[c.line - 1] if c.line <= len(lines) else "")
        start = c.column - 1
        out[c.line] = current[:start] + " " * c.span + current[start + c.span:]
    return out


# --- HCL -------------------------------------------------------------------------------------------

_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*$")


def _hcl(text: str) -> list[_Raw]:
    """Comments in HCL: ``#`` and ``//`` to the end of the line, ``/* */`` across lines.

    A stack tracks where we are: code, a quoted string, or an interpolation (``${ }``/``%{ }``)
    inside one, which is code again and may hold strings of its own. Heredoc bodies are skipped
    whole, up to their closing marker line.
    """
    out: list[_Raw] = []
    lines = text.split("\n")
    stack: list[str] = ["code"]  # "code" | "string" | "interp"
    depth: list[int] = []  # brace depth inside each open interpolation
    block: tuple[int, int] | None = None  # (line, column) where an open /* comment started
    heredoc: str | None = None
    for number, line in enumerate(lines, 1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        i = 0
        if block is not None:
            end = line.find("*/")
            if end < 0:
                out.append(_Raw(number, 1, _continuation(line), len(line)))
                continue
            out.append(_Raw(number, 1, _continuation(line[:end]), end + 2))
            block = None
            i = end + 2
        while i < len(line):
            state = stack[-1]
            ch = line[i]
            if state == "string":
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    stack.pop()
                elif ch in "$%" and line[i + 1:i + 2] == "{" and line[i - 1:i] != ch:
                    stack.append("interp")
                    depth.append(0)
                    i += 2
                    continue
                i += 1
                continue
            # code or interpolation
            if ch == '"':
                stack.append("string")
            elif ch == "#" or line.startswith("//", i):
                opener = 1 if ch == "#" else 2
                out.append(_Raw(number, i + 1, line[i + opener:], len(line) - i))
                break
            elif line.startswith("/*", i):
                end = line.find("*/", i + 2)
                if end < 0:
                    out.append(_Raw(number, i + 1, line[i + 2:], len(line) - i))
                    block = (number, i + 1)
                    break
                out.append(_Raw(number, i + 1, line[i + 2:end], end + 2 - i))
                i = end + 2
                continue
            elif state == "code" and line.startswith("<<", i):
                match = _HEREDOC.match(line, i)
                if match:
                    heredoc = match.group(2)
                    break
            elif state == "interp" and ch == "{":
                depth[-1] += 1
            elif state == "interp" and ch == "}":
                if depth[-1] == 0:
                    stack.pop()
                    depth.pop()
                else:
                    depth[-1] -= 1
            i += 1
        if stack[-1] == "string":
            # HCL quoted strings do not span lines (an unterminated one is the parser's CFG001): recover at
            # the line end, so that one typo does not hide every comment after it
            while len(stack) > 1 and stack[-1] in ("string", "interp"):
                if stack.pop() == "interp":
                    depth.pop()
    return out


def _continuation(text: str) -> str:
    """A line inside a ``/* */`` comment without the `` * `` that often starts it."""
    stripped = text.lstrip()
    return stripped[1:] if stripped.startswith("*") and not stripped.startswith("*/") else text


# --- Python ----------------------------------------------------------------------------------------


def _python(text: str) -> list[_Raw]:
    """Comments as the tokenizer sees them; for a file it cannot tokenize, ``#`` lines only."""
    import tokenize

    out: list[_Raw] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                line, column = token.start
                out.append(_Raw(line, column + 1, token.string[1:], len(token.string)))
    except (tokenize.TokenError, SyntaxError):
        out = []
        for number, line in enumerate(text.split("\n"), 1):
            stripped = line.lstrip()
            if stripped.startswith("#"):
                column = len(line) - len(stripped)
                out.append(_Raw(number, column + 1, stripped[1:], len(stripped)))
    return out


# --- env files -------------------------------------------------------------------------------------

_ENV_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=[ \t]*")


def _env(text: str) -> list[_Raw]:
    """Comments in an env file, following python-dotenv: a ``#`` line, ``\\s#`` after an unquoted value,
    anything from ``#`` after a quoted value's closing quote. Quoted values may span lines."""
    out: list[_Raw] = []
    lines = text.split("\n")
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append(_Raw(number, len(line) - len(stripped) + 1, stripped[1:], len(stripped)))
            continue
        match = _ENV_KEY.match(line)
        if not match:
            continue
        i = match.end()
        if line[i:i + 1] in ("'", '"'):
            quote = line[i]
            i += 1
            # find the closing quote, possibly on a later line (python-dotenv allows multi-line quoted values)
            while True:
                while i < len(line):
                    if line[i] == "\\" and quote == '"':
                        i += 2
                        continue
                    if line[i] == quote:
                        break
                    i += 1
                if i < len(line) or number >= len(lines):
                    break
                line = lines[number]
                number += 1
                i = 0
            rest_start = i + 1
            hash_at = line.find("#", rest_start)
            if hash_at >= 0:
                out.append(_Raw(number, hash_at + 1, line[hash_at + 1:], len(line) - hash_at))
            continue
        comment = re.search(r"[ \t]#", line[i:])  # python-dotenv: an unquoted value ends at whitespace + '#'
        if comment:
            hash_at = i + comment.start() + 1
            out.append(_Raw(number, hash_at + 1, line[hash_at + 1:], len(line) - hash_at))
    return out
