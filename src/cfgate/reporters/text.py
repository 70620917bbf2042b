"""Text output for people: grouped by file, ``path:line:col`` for editors, colour on a TTY.

Failures first, per file; unknowns get a group of their own with the reason each value could not
be resolved. Waived findings follow with their justification and where the waiver is written;
findings waived by a baseline are counted, not listed (``--show-passed`` lists them), and the
baseline entries that no longer match are listed as fixed.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from ..models import Evaluation, RunResult
from .base import ReportContext
from .json import summary

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "unknown": "\033[35m", "pass": "\033[32m",
           "waived": "\033[90m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def _paint(text: str, style: str, ctx: ReportContext) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if ctx.color else text


def _line(e: Evaluation, ctx: ReportContext, label: str, style: str) -> list[str]:
    where = f"{e.location.file}:{e.location.line}:{e.location.column}"
    out = [f"{_paint(where, 'bold', ctx)}: {_paint(label, style, ctx)} {e.rule} {e.message} {_paint('[' + e.name + ']', 'dim', ctx)}"]
    meta = ctx.rules.get(e.rule)
    if e.status == "fail" and meta is not None and meta.fix:
        out.append(_paint(f"    fix: {meta.fix}", "dim", ctx))
    if e.reason and e.status != "fail":
        out.append(_paint(f"    why: {e.reason}{_waiver_note(e)}", "dim", ctx))
    return out


def _waiver_note(e: Evaluation) -> str:
    """`` (waiver main.tf:3, until 2025-10-01, owner platform-team)`` for a finding a waiver hides."""
    waiver = e.details.get("waiver") if e.status == "waived" else None
    if not isinstance(waiver, dict) or e.details.get("baseline"):
        return ""
    parts = [f"waiver {waiver.get('file')}:{waiver.get('line')}"] if waiver.get("file") else []
    parts += [f"{key} {waiver[key]}" for key in ("until", "owner") if waiver.get(key)]
    return f" ({', '.join(parts)})" if parts else ""


def _baseline_lines(baseline: Any, ctx: ReportContext) -> list[str]:
    recorded = f" (recorded {baseline.as_of})" if baseline.as_of else ""
    lines = [_paint(f"Baseline {baseline.file}{recorded}: {baseline.known} known finding{'s' if baseline.known != 1 else ''} "
                    f"waived, {baseline.new} new, {len(baseline.fixed)} fixed", "bold", ctx)]
    if baseline.fixed:
        lines.append("Fixed since the baseline (run `cfgate baseline create` to drop them from it):")
        for entry in baseline.fixed:
            lines.append(f"  {entry.file}:{entry.line}: {_paint('fixed', 'pass', ctx)} {entry.rule} {entry.message} "
                         f"{_paint('[' + entry.name + ']', 'dim', ctx)}")
    lines.append("")
    return lines


def render(result: RunResult, ctx: ReportContext, baseline: Any = None) -> str:
    """The text report; ``baseline`` is a :class:`cfgate.baseline.BaselineOutcome` when check ran with one."""
    lines: list[str] = []
    failed = [e for e in result.evaluations if e.status == "fail"]
    for file, group in groupby(failed, key=lambda e: e.location.file):
        lines.append(_paint(file, "bold", ctx))
        for e in group:
            lines.extend(_line(e, ctx, e.severity, e.severity))
        lines.append("")
    unknown = [e for e in result.evaluations if e.status == "unknown"]
    if unknown:
        lines.append(_paint("Unknown: values cfgate could not resolve (not passed, not failed)", "unknown", ctx))
        for e in unknown:
            lines.extend(_line(e, ctx, "unknown", "unknown"))
        lines.append("")
    extra = [e for e in result.evaluations if (e.status == "waived" and (ctx.show_passed or not e.details.get("baseline")))
             or (ctx.show_passed and e.status == "pass")]
    for e in extra:
        lines.extend(_line(e, ctx, e.status, e.status))
    if extra:
        lines.append("")
    if baseline is not None:
        lines.extend(_baseline_lines(baseline, ctx))
    counts = summary(result)
    parts = [f"{counts['errors']} error{'s' if counts['errors'] != 1 else ''}",
             f"{counts['warnings']} warning{'s' if counts['warnings'] != 1 else ''}"]
    if counts["info"]:
        parts.append(f"{counts['info']} info")
    parts.append(f"{counts['unknown']} unknown")
    if counts["waived"]:
        parts.append(f"{counts['waived']} waived")
    parts.append(f"{counts['passed']} passed")
    files = counts["files"]
    lines.append(f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''} (as of {result.as_of.isoformat()})")
    return "\n".join(lines) + "\n"
