"""``--format markdown``: a summary to post as a pull-request comment (or to ``$GITHUB_STEP_SUMMARY``).

A verdict line, a counts table, the failures, the unknowns (with the reason each value could not be
resolved), the waived failures (with their justification), and the passed checks collapsed.

The verdict describes what was found, not whether the gate passed: the failure threshold belongs to
the CLI and its exit code, and a reporter never decides it.

Table cells are escaped: ``|`` would end the cell, a newline the row, and ``*``, ``_``, backticks,
brackets and angle brackets would turn a value into formatting, a link or HTML. Paths and subjects
are code spans, where only ``|`` needs escaping (GitHub splits table cells before it reads code spans).
"""

from __future__ import annotations

import re

from .. import __version__
from ..models import Evaluation, RunResult
from .base import ReportContext
from .json import summary

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def cell(text: str) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    escaped = _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def code(text: str) -> str:
    """A code span for a cell (paths, subjects): only ``|`` needs escaping, unless the text holds a backtick."""
    if "`" in text or "\n" in text or "\r" in text:
        return cell(text)
    return "`" + text.replace("|", "\\|") + "`"


def _where(e: Evaluation) -> str:
    return code(f"{e.location.file}:{e.location.line}")


def _rule(e: Evaluation) -> str:
    return f"{cell(e.rule)} {cell(e.name)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verdict(counts: dict[str, int]) -> str:
    failures = counts["errors"] + counts["warnings"] + counts["info"]
    if counts["errors"]:
        icon = ":x:"
    elif failures or counts["unknown"]:
        icon = ":warning:"
    else:
        icon = ":white_check_mark:"
    if not failures and not counts["unknown"]:
        found = "no findings"
    else:
        parts = [_plural(counts["errors"], "error"), _plural(counts["warnings"], "warning")]
        if counts["info"]:
            parts.append(f"{counts['info']} info")
        parts.append(f"{counts['unknown']} unknown")
        found = ", ".join(parts)
    return f"{icon} **cfgate: {found}** in {_plural(counts['files'], 'file')} (as of {counts['as_of']})"


def render(result: RunResult, ctx: ReportContext) -> str:
    counts = {**summary(result), "as_of": result.as_of.isoformat()}
    out = ["## cfgate report", "", _verdict(counts), "",
           "| Result | Count |", "|---|---:|"]
    for label, key in (("Errors", "errors"), ("Warnings", "warnings"), ("Info", "info"), ("Unknown", "unknown"),
                       ("Waived", "waived"), ("Passed", "passed"), ("Files", "files")):
        out.append(f"| {label} | {counts[key]} |")

    failed = [e for e in result.evaluations if e.status == "fail"]
    if failed:
        out += ["", f"### Findings ({len(failed)})", "", "| Location | Rule | Severity | Message |", "|---|---|---|---|"]
        for e in failed:
            meta = ctx.rules.get(e.rule)
            message = cell(e.message) + (f"<br>**Fix:** {cell(meta.fix)}" if meta is not None and meta.fix else "")
            out.append(f"| {_where(e)} | {_rule(e)} | {e.severity} | {message} |")

    unknown = [e for e in result.evaluations if e.status == "unknown"]
    if unknown:
        out += ["", f"### Unknown ({len(unknown)})", "",
                "Values cfgate could not resolve: neither passed nor failed. Check them by hand or make them literal.", "",
                "| Location | Rule | Message | Reason |", "|---|---|---|---|"]
        for e in unknown:
            out.append(f"| {_where(e)} | {_rule(e)} | {cell(e.message)} | {cell(e.reason or '')} |")

    waived = [e for e in result.evaluations if e.status == "waived" and not e.details.get("baseline")]
    baselined = sum(1 for e in result.evaluations if e.status == "waived" and e.details.get("baseline"))
    if baselined:
        out += ["", f"{_plural(baselined, 'known finding')} from the baseline, not listed (see the JSON or SARIF report)."]
    if waived:
        out += ["", f"### Waived ({len(waived)})", "", "| Location | Rule | Message | Justification |", "|---|---|---|---|"]
        for e in waived:
            out.append(f"| {_where(e)} | {_rule(e)} | {cell(e.message)} | {cell(e.reason or '')} |")

    passed = [e for e in result.evaluations if e.status == "pass"]
    out += ["", f"<details><summary>{_plural(len(passed), 'check')} passed</summary>", ""]
    if ctx.show_passed and passed:
        out += ["| Location | Rule | Subject |", "|---|---|---|"]
        out += [f"| {_where(e)} | {_rule(e)} | {code(e.subject)} |" for e in passed]
    else:
        out.append("Run with `--show-passed` to list them." if passed else "No check passed.")
    out += ["", "</details>", "", f"<sub>cfgate {__version__}</sub>"]
    return "\n".join(out) + "\n"
