"""``--format github``: GitHub Actions workflow commands, shown as annotations on the pull request.

``::error file=F,line=L,col=C,title=CFG113 name::message`` per finding: a failure at its rule's
severity (error -> ``::error``, warning -> ``::warning``, info -> ``::notice``), an unknown and a
waived failure as ``::notice`` (with the reason or the justification). Passed evaluations are not
annotations. Then one plain summary line for the log.

Escaping follows the runner's parser (actions/toolkit ``command.ts``): in the message ``%``, CR and
LF become ``%25``, ``%0D``, ``%0A``; in a property value ``:`` and ``,`` also become ``%3A`` and
``%2C``, because they would otherwise end the value.
"""

from __future__ import annotations

from ..models import Evaluation, RunResult
from .base import ReportContext
from .json import summary

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(e: Evaluation, ctx: ReportContext) -> str | None:
    title = f"{e.rule} {e.name}"
    if e.status == "fail":
        command = COMMANDS[e.severity]
        message = e.message
        meta = ctx.rules.get(e.rule)
        if meta is not None and meta.fix:
            message += f"\nFix: {meta.fix}"
    elif e.status == "unknown":
        command, title = "notice", f"{title} (unknown)"
        message = f"{e.message}\nReason: {e.reason}" if e.reason else e.message
    elif e.status == "waived" and e.details.get("baseline"):
        return None  # accepted debt from the baseline: counted in the summary line, not one annotation each
    elif e.status == "waived":
        command, title = "notice", f"{title} (waived)"
        message = f"{e.message}\nWaived: {e.reason or 'no justification given'}"
    else:
        return None
    properties = {"file": e.location.file, "line": str(e.location.line), "col": str(e.location.column), "title": title}
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {props}::{escape_data(message)}"


def render(result: RunResult, ctx: ReportContext) -> str:
    lines = [line for line in (annotation(e, ctx) for e in result.evaluations) if line is not None]
    counts = summary(result)

    def n(key: str, word: str) -> str:
        return f"{counts[key]} {word}{'' if counts[key] == 1 or word in ('info', 'unknown') else 's'}"

    lines.append(f"cfgate: {n('errors', 'error')}, {n('warnings', 'warning')}, {n('info', 'info')}, {n('unknown', 'unknown')}, "
                 f"{counts['waived']} waived, {counts['passed']} passed in {n('files', 'file')} (as of {result.as_of.isoformat()})")
    return "\n".join(lines) + "\n"
