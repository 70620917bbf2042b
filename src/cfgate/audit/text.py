"""Plain-text pieces every audit format shares: values, days, states. Escaping is the renderer's job."""

from __future__ import annotations

import json
from typing import Any

from .model import AuditReport, ValueCell


def value_text(value: Any) -> str:
    """A redacted value as one line of text: numbers and strings as written, the rest as compact JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "), default=str)


def cell_text(cell: ValueCell) -> str:
    """One side of a change: the value, ``unknown (reason)`` or ``not set``."""
    if cell.state == "known":
        return value_text(cell.value)
    if cell.state == "unknown":
        return f"unknown ({cell.reason})" if cell.reason else "unknown"
    return "not set"


def days_text(days: int | None) -> str:
    if days is None:
        return "-"
    if days == 0:
        return "expires today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def number_text(number: float | None, unit: str = "") -> str:
    if number is None:
        return ""
    text = str(int(number)) if float(number).is_integer() else f"{number:g}"
    return text + unit


def details_text(details: dict[str, Any]) -> str:
    """``key=value`` pairs, in the order the rule wrote them."""
    return "; ".join(f"{key}={value_text(value)}" for key, value in details.items())


def verdict_text(report: AuditReport) -> str:
    s = report.verdict.summary
    gate = "fails" if report.verdict.exit_code else "passes"
    unknown = " or unknown" if report.run.fail_on_unknown else ""
    return (f"The gate {gate} (exit code {report.verdict.exit_code}, fail on {report.run.fail_on}{unknown}): "
            f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning{'s' if s['warnings'] != 1 else ''}, "
            f"{s['info']} info, {s['unknown']} unknown, {s['waived']} waived, {s['passed']} passed, "
            f"in {s['files']} file{'s' if s['files'] != 1 else ''}.")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
