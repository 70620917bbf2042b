"""`cfgate check`: the static gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core


from .app import app
from .common import AsOfOpt, BaselineOpt, ColorOpt, ConfigOpt, EnvLayerOpt, ExcludeOpt, FailOnOpt, FailOnUnknownOpt, IgnoreOpt, OutputOpt, PathsArg, PolicyOpt, ReportFormatOpt, ReportOpt, SelectOpt, ShowPassedOpt, VarFileOpt, VarOpt, WaiversOpt, _gate

ChangedOnlyOpt = Annotated[bool, typer.Option(
    "--changed-only",
    help="The PATHS are changed files (as pre-commit passes them): read each with its context (its Terraform module "
         "directory, callers and local modules; its env layer; its Python package and imports) and report and fail "
         "only on findings in the changed files, or whose value was set in one.",
)]


@app.command()
def check(
    paths: PathsArg = None,
    policy: PolicyOpt = None,
    exclude: ExcludeOpt = None,
    as_of: AsOfOpt = None,
    fmt: ReportFormatOpt = None,
    output: OutputOpt = None,
    report: ReportOpt = None,
    fail_on: FailOnOpt = None,
    fail_on_unknown: FailOnUnknownOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    show_passed: ShowPassedOpt = False,
    color: ColorOpt = None,
    var_file: VarFileOpt = None,
    var: VarOpt = None,
    env_layer: EnvLayerOpt = None,
    waivers: WaiversOpt = None,
    baseline: BaselineOpt = None,
    changed_only: ChangedOnlyOpt = False,
) -> None:
    """Check configuration files against the policies and exit with the gate's verdict."""
    from ..engine import run

    gate = _gate(paths, policy, exclude, as_of, fmt, output, report, fail_on, fail_on_unknown, select, ignore, config,
                 show_passed, color, var_file, var, env_layer, waivers)
    from .baseline import load_for_check

    baseline_path = baseline or (Path(gate.settings.baseline) if gate.settings.baseline else None)
    known = load_for_check(baseline_path) if baseline_path is not None else None  # before the run: a bad file fails fast
    if changed_only:
        from ..changed import run_changed

        result = run_changed(gate.options, gate.rules)
    else:
        result = run(gate.options, gate.rules)
    outcome = None
    if known is not None:
        from ..baseline import apply

        result, outcome = apply(result, known, within=frozenset(result.files) if changed_only else None)
    gate.write(result, baseline=outcome)
    raise typer.Exit(gate.exit_code(result))


