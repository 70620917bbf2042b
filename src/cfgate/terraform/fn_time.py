"""Time built-ins over RFC 3339 timestamps: ``timeadd`` (Go duration syntax) and ``timecmp``."""

from __future__ import annotations

import datetime
import re

from .fnutil import FunctionError, number
from .tfnumber import TFNumber

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


def timeadd(timestamp: str, duration: str) -> str:
    return _rfc3339(_parse_timestamp(timestamp) + _parse_duration(duration))


def timecmp(a: str, b: str) -> TFNumber:
    first, second = _parse_timestamp(a), _parse_timestamp(b)
    return number((first > second) - (first < second))
