"""String built-ins: ``substr``, ``split``, ``join``, ``replace`` (with ``/regex/``), ``regex``, ``title``..."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from typing import Any

from .fnutil import GO_SPACE, FunctionError, graphemes, int64_arg, map_runes
from .tfnumber import TFNumber
from .tftypes import BOOL, DYNAMIC, STRING, TFList, Unk, nfc, type_of, unify

_PREFIX_DELIMITERS = frozenset("-_:;/\\,.(){}[]|?!~ \t@#$%^&*+\"'")


def safe_known_prefix(prefix: str) -> str:
    """The part of a known string prefix that stays valid whatever follows (cty's SafeKnownPrefix).

    The last character is dropped when a following combining mark could change it; the common
    ASCII delimiters (``-``, ``/``, ``:``...) cannot combine and are kept.
    """
    prefix = nfc(prefix)
    if not prefix:
        return ""
    clusters = graphemes(prefix)
    if clusters[-1] in _PREFIX_DELIMITERS:
        return prefix
    return "".join(clusters[:-1])


def startswith(text: Any, prefix: str) -> Any:
    if isinstance(text, Unk):
        if prefix == "":
            return True
        if text.prefix.startswith(prefix):
            return True
        if text.prefix and len(text.prefix) >= len(prefix):
            return False
        return text.refined(ty=BOOL, not_null=True)
    return text.startswith(prefix)


def title(text: str) -> str:
    def separator(char: str) -> bool:
        if ord(char) <= 0x7F:
            return not (char.isalnum() or char == "_")
        if char.isalpha() or unicodedata.category(char) == "Nd":
            return False
        return char in GO_SPACE

    out, prev = [], " "
    for char in text:
        out.append(map_runes(char, str.upper) if separator(prev) else char)
        prev = char
    return "".join(out)


def substr(text: str, offset: TFNumber, length: TFNumber) -> str:
    start, count = int64_arg(offset), int64_arg(length)
    clusters = graphemes(text)
    if start < 0:
        start = max(start + len(clusters), 0)
    elif count == 0:
        return ""
    if start >= len(clusters) and start > 0:
        return ""
    rest = clusters[start:]
    return "".join(rest if count < 0 else rest[:count])


def split(sep: str, text: str) -> TFList:
    parts = list(text) if sep == "" else text.split(sep)
    return TFList(parts, STRING)


def join(sep: str, *lists: Any) -> str:
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


def replace(text: str, search: str, replacement: str) -> str:
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


def regex(pattern_text: str, text: str) -> Any:
    pattern = _go_regex(pattern_text)
    match = pattern.search(text)
    if match is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _regex_result(pattern, match)


def regexall(pattern_text: str, text: str) -> TFList:
    pattern = _go_regex(pattern_text)
    results = [_regex_result(pattern, match) for match in pattern.finditer(text)]
    return TFList(results, unify([type_of(r) for r in results]) or DYNAMIC)


def strrev(text: str) -> str:
    return "".join(reversed(graphemes(text)))


def chomp(text: str) -> str:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", text)


def _go_clean(path: str) -> str:
    """Go's ``path/filepath.Clean`` on a slash-separated path."""
    if path == "":
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def basename(path: str) -> str:
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


def dirname(path: str) -> str:
    cut = path.rfind("/")
    return _go_clean(path[: cut + 1])


def no_null_strings(items: Any) -> list[str]:
    for pos, item in enumerate(items):
        if item is None:
            raise FunctionError(f"given list element {pos} is null; a null string cannot be sorted")
    return list(items)
