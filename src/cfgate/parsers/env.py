"""``.env`` files into located models, with python-dotenv's own grammar.

python-dotenv's ``parse_stream`` (an internal API: the version is pinned) yields every binding
with the source text it consumed. Its line number points at the first blank line before a key,
so we count the leading newlines ourselves (DOMAIN.md §5). Malformed lines become
:class:`EnvError` at their own line and never shift the keys after them.
"""

from __future__ import annotations

import io
import re

from ..models import EnvEntry, EnvError, EnvFile, Location

_LEAD = re.compile(r"[ \t]*(?:export[ \t]+)?")


def parse_env(path: str, text: str) -> EnvFile:
    from dotenv.parser import parse_stream

    lines = text.splitlines()
    entries: list[EnvEntry] = []
    errors: list[EnvError] = []
    offset = 0  # bindings are contiguous: their texts add up to the whole file
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        start = offset
        offset += len(original)
        stripped = original.lstrip()
        # python-dotenv's own line number points at leading blank lines, and drifts after a malformed
        # line in a CRLF file; count newlines up to the binding's first character instead.
        line = text.count("\n", 0, start + len(original) - len(stripped)) + 1
        if binding.error:
            errors.append(EnvError(location=Location(file=path, line=line), text=stripped.splitlines()[0] if stripped else ""))
            continue
        if binding.key is None:
            continue  # a comment or blank line
        column = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1 if line <= len(lines) else 1
        entries.append(
            EnvEntry(
                key=binding.key,
                value=binding.value,
                location=Location(file=path, line=line, column=column, end_line=line + stripped.rstrip("\r\n").count("\n")),
                raw=stripped.rstrip("\r\n"),
                comment=inline_comment(stripped),
                comments_above=_comments_above(lines, line),
            )
        )
    return EnvFile(path=path, entries=tuple(entries), errors=tuple(errors), text=text)


def inline_comment(binding_text: str) -> str | None:
    """The comment after a binding's value (``KEY=value  # expires: 2025-09-18``), without ``#``."""
    rest = binding_text[_LEAD.match(binding_text).end():]
    key_end = rest.find("=")
    if key_end < 0:
        return None
    value = rest[key_end + 1 :].lstrip(" \t")
    if value[:1] in ("'", '"'):
        quote, index = value[0], 1
        while index < len(value) and value[index] != quote:
            index += 2 if value[index] == "\\" else 1
        tail = value[index + 1 :]
        match = re.match(r"[ \t]*#(.*)", tail, re.S)
    else:
        match = re.search(r"(?:^|[ \t])#(.*)", value, re.S)
    return match.group(1).strip() if match else None


def _comments_above(lines: list[str], line: int) -> tuple[str, ...]:
    found: list[str] = []
    index = min(line, len(lines) + 1) - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        found.append(lines[index].lstrip()[1:].strip())
        index -= 1
    return tuple(reversed(found))
