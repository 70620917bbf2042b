"""`cfgate check`: the static gate."""

from __future__ import annotations


import typer
import typer.core


from .app import app
from .common import AsOfOpt, ColorOpt, ConfigOpt, EnvLayerOpt, ExcludeOpt, FailOnOpt, FailOnUnknownOpt, IgnoreOpt, OutputOpt, PathsArg, PolicyOpt, ReportFormatOpt, ReportOpt, SelectOpt, ShowPassedOpt, VarFileOpt, VarOpt, _gate


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
) -> None:
    """Check configuration files against the policies and exit with the gate's verdict."""
    from ..engine import run

    gate = _gate(paths, policy, exclude, as_of, fmt, output, report, fail_on, fail_on_unknown, select, ignore, config,
                 show_passed, color, var_file, var, env_layer)
    result = run(gate.options, gate.rules)
    gate.write(result)
    raise typer.Exit(gate.exit_code(result))


