"""`cfgate audit`: the self-contained report for a change review or a compliance file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .app import app
from .common import (
    INPUT_OPTIONS, VERDICT_OPTIONS, shared_options,
    BaselineOpt,
    Failure,
    _emit,
    _gate,
    _report_targets,
)

AuditFormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", help="Report format: html, md or json (default: from the --output extension, else md).")]
AuditOutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write the report to this file (atomically): report.html, report.md or report.json.")]
AuditReportOpt = Annotated[Optional[list[str]], typer.Option(
    "--report", metavar="FORMAT=PATH",
    help="Also write FORMAT to PATH (atomically); repeatable. html, md and json are audit reports; "
         "sarif, junit, github and text are the reports `cfgate check` writes.")]
BaseOpt = Annotated[Optional[str], typer.Option(
    "--base", metavar="GIT_REF",
    help="Also evaluate the same paths at this git revision (read from git, never run) and add a before/after "
         "table of changed values and of new, fixed and unchanged findings.")]


def _format(fmt: Optional[str], output: Optional[Path]) -> str:
    from ..audit import EXTENSIONS, FORMATS, format_name

    if fmt:
        chosen = format_name(fmt)
        if chosen is None:
            raise Failure(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
        return chosen
    if output is not None:
        chosen = EXTENSIONS.get(output.suffix.lower())
        if chosen is None:
            raise Failure(f"--output {output}: cannot tell the format from the extension; name it .html, .md or .json, or give --format")
        return chosen
    return "md"


def _baseline(option: Optional[Path], setting: Optional[str]) -> object:
    """The baseline to apply, as ``check --baseline`` reads it: the option, else the setting, else none."""
    from ..baseline import BaselineError, load

    path = option or (Path(setting) if setting else None)
    if path is None:
        return None
    try:
        return load(path)
    except BaselineError as exc:
        raise Failure(str(exc)) from None


@app.command()
@shared_options(INPUT_OPTIONS, VERDICT_OPTIONS)
def audit(
    shared: dict[str, Any],
    fmt: AuditFormatOpt = None,
    output: AuditOutputOpt = None,
    report: AuditReportOpt = None,
    base: BaseOpt = None,
    baseline: BaselineOpt = None,
) -> None:
    """Write an audit report: every evaluation with its provenance, the bypass and waiver registers, unknowns,
    input and policy hashes, and with --base a before/after comparison. Exits with the gate's verdict, as check does."""
    from ..audit import FORMATS, format_name, render
    from ..audit.collect import AuditOptions, collect_with_result
    from ..audit.gitbase import BaseError
    from ..reporters import FORMATS as CHECK_FORMATS
    from ..reporters import get

    chosen = _format(fmt, output)
    gate = _gate(**shared, fmt="text")
    names = {**{name: name for name in CHECK_FORMATS}, **{name: name for name in FORMATS}, "markdown": "md"}
    targets = _report_targets(list(report or []), output, names)
    options = AuditOptions(fail_on=gate.threshold, fail_on_unknown=gate.fail_on_unknown,
                           select=tuple(shared["select"] or gate.settings.select), ignore=tuple(shared["ignore"] or gate.settings.ignore),
                           policies=gate.ctx.policies, base=base, baseline=_baseline(baseline, gate.settings.baseline))
    try:
        audit_report, result = collect_with_result(gate.options, gate.rules, options)
    except BaseError as exc:
        raise Failure(str(exc), exc.code) from None
    for name, path in targets:
        audit_format = format_name(name)
        if audit_format is not None:
            _emit(render(audit_format, audit_report), path)
        else:
            _emit(get(name)(result, replace(gate.ctx, color=False)), path)
    _emit(render(chosen, audit_report), output)
    if output is not None:
        typer.echo(f"cfgate: audit report written to {output}", err=True)
    raise typer.Exit(audit_report.verdict.exit_code)
