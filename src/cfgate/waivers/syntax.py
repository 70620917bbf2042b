"""The inline waiver grammar, read from a comment's text. Nothing is evaluated.

::

    cfgate: waive SELECTOR[,SELECTOR...] until=YYYY-MM-DD reason="why" [owner=team]

``SELECTOR`` is a rule id (``CFG113``), a rule name (``vpc-connector-max-instances-out-of-range``)
or an id prefix (``CFG1``). A value with spaces is quoted with ``"`` (``\\"`` and ``\\\\`` escape)
or ``'``. Every problem is collected, never dropped: an unknown key, a repeated key, a date that is
not ``YYYY-MM-DD``, a missing ``reason`` or ``until``, an unclosed quote, a stray word.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MARKER = re.compile(r"\s*cfgate\s*:", re.IGNORECASE)
DIRECTIVE = "waive"
KEYS = ("until", "reason", "owner")
_SELECTOR = re.compile(r"[A-Za-z0-9_.-]+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*=")


@dataclass(frozen=True)
class Parsed:
    """What one waiver says; ``problems`` lists everything wrong with it (empty when well formed)."""

    selectors: tuple[str, ...] = ()
    until: dt.date | None = None
    until_text: str | None = None
    reason: str | None = None
    owner: str | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)


def is_directive(comment_text: str) -> bool:
    """True for a comment that talks to cfgate (``cfgate: ...``): it must then be a valid waiver."""
    return MARKER.match(comment_text) is not None


def parse_comment(comment_text: str) -> Parsed:
    """Parse ``cfgate: waive ...`` (the comment without its opener)."""
    marker = MARKER.match(comment_text)
    rest = comment_text[marker.end():] if marker else comment_text
    words = rest.split(None, 1)
    directive = words[0] if words else ""
    if directive.lower() != DIRECTIVE:
        shown = f"'{directive}'" if directive else "nothing"
        problem = (f"unknown cfgate directive {shown} after 'cfgate:'; a waiver reads "
                   '`cfgate: waive RULE until=YYYY-MM-DD reason="why"`')
        return Parsed(problems=(problem,))
    tokens, problems = tokenize(words[1] if len(words) > 1 else "")
    if problems:  # an unclosed quote: what follows it cannot be read, so say only that
        return Parsed(problems=tuple(problems))
    selector_words: list[str] = []
    values: dict[str, str] = {}
    problems = list(problems)
    seen_key = False
    for token, plain in tokens:
        if "=" in plain:  # key=value, the key written before any quote
            seen_key = True
            key, value = token.split("=", 1)
            if not _KEY.fullmatch(f"{key}="):
                problems.append(f"{token!r} is not key=value")
                continue
            if key not in KEYS:
                problems.append(f"unknown key '{key}' (valid: {', '.join(KEYS)})")
            elif key in values:
                problems.append(f"'{key}' is given twice")
            else:
                values[key] = value
            continue
        if seen_key:
            problems.append(f"unexpected {token!r} after the keys; quote a value that has spaces: reason=\"...\"")
            continue
        selector_words.append(token)
    return _build(selector_words, values, problems)


def _build(selector_words: list[str], values: dict[str, str], problems: list[str]) -> Parsed:
    selectors: list[str] = []
    joined = "".join(selector_words)
    if not joined:
        problems.append("no rule given: write the rule id, name or id prefix after 'waive'")
    else:
        for part in joined.split(","):
            if not part:
                problems.append(f"an empty rule in {joined!r}: separate rules with single commas")
            elif not _SELECTOR.fullmatch(part):
                problems.append(f"{part!r} is not a rule id, name or id prefix")
            else:
                selectors.append(part)
    parsed = parse_fields(values.get("until"), values.get("reason"), values.get("owner"))
    return Parsed(tuple(selectors), parsed.until, parsed.until_text, parsed.reason, parsed.owner,
                  tuple(problems) + parsed.problems)


def parse_fields(until: object, reason: object, owner: object) -> Parsed:
    """Check the fields inline waivers and waiver-file records share: ``until``, ``reason``, ``owner``."""
    problems: list[str] = []
    date: dt.date | None = None
    until_text = None if until is None else str(until)
    if until is None or until_text == "":
        problems.append("missing until (a date, YYYY-MM-DD): every waiver expires")
    else:
        date = parse_date(until_text)
        if date is None:
            problems.append(f"until {until_text!r} is not a date: write it as YYYY-MM-DD")
    reason_text = None if reason is None else str(reason).strip()
    if not reason_text:
        problems.append("missing reason: every waiver says why")
    owner_text = None if owner is None else str(owner).strip()
    if owner is not None and not owner_text:
        problems.append("owner is empty")
    return Parsed(until=date, until_text=until_text, reason=reason_text or None, owner=owner_text or None,
                  problems=tuple(problems))


def parse_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` exactly (a real calendar day), else None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def tokenize(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """Split on whitespace; ``"..."`` and ``'...'`` keep spaces (within a token, as in ``reason="a b"``).

    Returns ``(token, plain)`` pairs, where ``plain`` is the part of the token written before its first
    quote (so ``reason="a=b"`` has the key ``reason`` and the value ``a=b``), and the problems found
    (an unclosed quote).
    """
    tokens: list[tuple[str, str]] = []
    problems: list[str] = []
    current: list[str] = []
    plain: str | None = None
    in_token = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            if in_token:
                value = "".join(current)
                tokens.append((value, value if plain is None else plain))
                current, plain, in_token = [], None, False
            i += 1
            continue
        in_token = True
        if ch in "\"'":
            end, value = _quoted(text, i)
            if end < 0:
                problems.append(f"unclosed {ch} quote: {text[i:]!r}")
                return tokens, problems
            if plain is None:
                plain = "".join(current)
            current.append(value)
            i = end + 1
            continue
        current.append(ch)
        i += 1
    if in_token:
        value = "".join(current)
        tokens.append((value, value if plain is None else plain))
    return tokens, problems


def _quoted(text: str, start: int) -> tuple[int, str]:
    """``(index of the closing quote, unescaped content)``, or ``(-1, "")`` if it never closes."""
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote == '"' and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return i, "".join(out)
        out.append(ch)
        i += 1
    return -1, ""
