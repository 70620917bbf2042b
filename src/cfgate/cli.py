"""The ``cfgate`` command line: thin commands that build settings, call the engine, render, exit.

Exit codes: 0 clean, 1 a finding at or above ``--fail-on``, 2 usage, policy or input error,
3 internal error. Diagnostics go to stderr; reports go to stdout or ``--output``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.core

from . import __version__

app = typer.Typer(
    name="cfgate",
    help="Config-policy gate: check Terraform, .env files and DB-pool settings against remediation policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(help="Work with policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


class Failure(Exception):
    """A user-facing error: message and exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cfgate {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Config-policy gate for Terraform, .env files and DB-pool settings."""


def _as_of(text: Optional[str]) -> dt.date:
    if not text:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Failure(f"--as-of {text!r}: expected a date as YYYY-MM-DD") from None


def _catalog(policies: list[str]):
    from .rules.registry import build_catalog

    return build_catalog(policies or None)


def _variables(items: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise Failure(f"--var {item!r}: expected NAME=VALUE, e.g. --var connector_max=10")
        pairs.append((name.strip(), value))
    return tuple(pairs)


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from .fsutil import atomic_write

    try:
        atomic_write(output, text)
    except OSError as exc:
        raise Failure(f"cannot write the report to {output}: {exc.strerror or exc}") from None


def _report_targets(specs: list[str], output: Optional[Path], formats: dict[str, str]) -> list[tuple[str, Path]]:
    """Parse the repeatable ``--report FORMAT=PATH``; refuse a file named twice (it would be overwritten)."""
    targets: list[tuple[str, Path]] = []
    taken: dict[Path, str] = {output.resolve(): "--output"} if output is not None else {}
    for spec in specs:
        name, sep, raw = spec.partition("=")
        if not sep or not name or not raw:
            raise Failure(f"--report {spec!r}: expected FORMAT=PATH, e.g. --report sarif=cfgate.sarif")
        if name not in formats:
            raise Failure(f"--report {spec!r}: unknown format {name!r}; choose one of {', '.join(formats)}")
        if raw == "-":
            raise Failure(f"--report {spec!r}: --report writes files; use --format {name} to write to stdout")
        path = Path(raw)
        if path.resolve() in taken:
            raise Failure(f"--report {spec!r}: {raw} is already written by {taken[path.resolve()]}")
        taken[path.resolve()] = f"--report {spec}"
        targets.append((name, path))
    return targets


PolicyOpt = Annotated[Optional[list[str]], typer.Option("--policy", "-p", help="Policy file (YAML or JSON); repeat for several. Replaces the default policy.")]
FormatOpt = Annotated[Optional[str], typer.Option("--format", "-f", help="Output format: text or json.")]
REPORT_FORMATS = "text, json, sarif, junit, github or markdown"


# --- Options shared by check, probe and run: one definition each ---------------------------------

PathsArg = Annotated[Optional[list[str]], typer.Argument(help="Files or directories to check (default: .).")]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", help="Glob of paths to skip; repeatable.")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD); default today, UTC.")]
ReportFormatOpt = Annotated[Optional[str], typer.Option("--format", "-f", help=f"Report format: {REPORT_FORMATS} (default: text, or the config's format).")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the --format report to this file (atomically) instead of stdout.")]
ReportOpt = Annotated[Optional[list[str]], typer.Option(
    "--report", metavar="FORMAT=PATH",
    help="Also write a report in FORMAT to the file PATH (atomically); repeatable, for several formats from one run, e.g. "
         "--report sarif=cfgate.sarif --report junit=cfgate.xml. The --format report still goes to stdout (or --output).",
)]
FailOnOpt = Annotated[Optional[str], typer.Option("--fail-on", help="Lowest severity that fails the gate: error, warning, info or never.")]
FailOnUnknownOpt = Annotated[Optional[bool], typer.Option("--fail-on-unknown/--no-fail-on-unknown", help="Let unknown values fail the gate.")]
SelectOpt = Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules: id, name or id prefix; repeatable.")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules: id, name or id prefix; repeatable.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Settings file (cfgate.toml or pyproject.toml); default: the nearest one.")]
ShowPassedOpt = Annotated[bool, typer.Option("--show-passed", help="Also list evaluations that passed.")]
ColorOpt = Annotated[Optional[bool], typer.Option("--color/--no-color", help="Colour the text output (default: when stdout is a terminal).")]
VarFileOpt = Annotated[Optional[list[str]], typer.Option("--var-file", help="Terraform variables file, as for terraform plan; repeatable, later files win.")]
VarOpt = Annotated[Optional[list[str]], typer.Option("--var", metavar="NAME=VALUE", help="Terraform variable, as for terraform plan; repeatable; wins over every file.")]
EnvLayerOpt = Annotated[Optional[str], typer.Option("--env-layer", help="Env layer (from the env_layers setting) to resolve env values with.")]
DeadlineOpt = Annotated[Optional[float], typer.Option("--deadline", metavar="SECONDS", help="Bound on the whole probe stage (default: the policy's probes.deadline_s).")]


@dataclass(frozen=True)
class _Gate:
    """What check, probe and run share: settings, the chosen rules, the run options and where reports go."""

    settings: Any
    catalog: Any
    rules: list[Any]
    options: Any  # engine.RunOptions
    fmt: str
    output: Optional[Path]
    reports: list[tuple[str, Path]]
    threshold: str
    fail_on_unknown: bool
    ctx: Any  # reporters.ReportContext

    def exit_code(self, result: Any) -> int:
        from .engine import exit_code

        return exit_code(result, self.threshold, self.fail_on_unknown)

    def write(self, result: Any, summary: Any = None) -> None:
        """Write the --report files, then the --format report; JSON reports carry ``summary`` as ``"run"``."""
        from dataclasses import replace

        from .reporters import get

        def render(name: str, ctx: Any) -> str:
            text = get(name)(result, ctx)
            if name == "json" and summary is not None:
                from .stages import with_run_summary

                text = with_run_summary(text, summary)
            return text

        for name, path in self.reports:
            _emit(render(name, replace(self.ctx, color=False)), path)
        _emit(render(self.fmt, self.ctx), self.output)


def _gate(paths: Optional[list[str]], policy: Optional[list[str]], exclude: Optional[list[str]], as_of: Optional[str],
          fmt: Optional[str], output: Optional[Path], report: Optional[list[str]], fail_on: Optional[str],
          fail_on_unknown: Optional[bool], select: Optional[list[str]], ignore: Optional[list[str]],
          config: Optional[Path], show_passed: bool, color: Optional[bool], var_file: Optional[list[str]] = None,
          var: Optional[list[str]] = None, env_layer: Optional[str] = None) -> _Gate:
    """Settings with the CLI flags on top: validated format and threshold, the active rules, the run options
    and the report context. check, probe and run all start here."""
    from .config import load_settings
    from .engine import RunOptions
    from .reporters import FORMATS, ReportContext

    settings, _ = load_settings(config)
    chosen_format = fmt or settings.format
    if chosen_format not in FORMATS:
        raise Failure(f"--format {chosen_format!r}: choose one of {', '.join(FORMATS)}")
    extra_reports = _report_targets(list(report or []), output, FORMATS)
    threshold = fail_on or settings.fail_on
    if threshold not in ("error", "warning", "info", "never"):
        raise Failure(f"--fail-on {threshold!r}: choose error, warning, info or never")
    catalog = _catalog(list(policy or settings.policy))
    rules = catalog.active(tuple(select or settings.select), tuple(ignore or settings.ignore))
    options = RunOptions(paths=tuple(paths or ["."]), excludes=tuple((exclude or []) + settings.exclude), as_of=_as_of(as_of),
                         var_files=tuple(var_file or []), variables=_variables(var or []),
                         env_layers=settings.env_layers, env_layer=env_layer or settings.env_layer,
                         rule_options={"budget": settings.budget.model_dump()})
    use_color = color if color is not None else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    ctx = ReportContext(rules={r.meta.id: r.meta for r in catalog.rules}, color=use_color, show_passed=show_passed,
                        policies=tuple((p.path, p.sha256) for p in catalog.policies))
    return _Gate(settings, catalog, rules, options, chosen_format, output, extra_reports, threshold,
                 settings.fail_on_unknown if fail_on_unknown is None else fail_on_unknown, ctx)


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
    from .engine import run

    gate = _gate(paths, policy, exclude, as_of, fmt, output, report, fail_on, fail_on_unknown, select, ignore, config,
                 show_passed, color, var_file, var, env_layer)
    result = run(gate.options, gate.rules)
    gate.write(result)
    raise typer.Exit(gate.exit_code(result))


@app.command("rules")
def list_rules(
    policy: PolicyOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """List every rule: id, name, severity and title."""
    import json

    catalog = _catalog(list(policy or []))
    if (fmt or "text") == "json":
        rows = [{"id": r.meta.id, "name": r.meta.name, "severity": r.meta.severity, "title": r.meta.title,
                 "aliases": list(r.meta.aliases), "origin": r.meta.origin, "enabled": r.meta.id not in catalog.disabled}
                for r in sorted(catalog.rules, key=lambda r: r.meta.id)]
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in sorted(catalog.rules, key=lambda r: r.meta.id):
        typer.echo(f"{r.meta.id}  {r.meta.severity:<7}  {r.meta.name:<52}  {r.meta.title}")


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule id or name, e.g. CFG113 or vpc-connector-max-instances-out-of-range.")],
    policy: PolicyOpt = None,
) -> None:
    """Explain a rule: what it checks, why, how to fix it, and a bad and a good example."""
    catalog = _catalog(list(policy or []))
    found = [r for r in catalog.find(rule) if rule in (r.meta.id, r.meta.name, *r.meta.aliases)]
    if not found:
        raise Failure(f"no rule is named {rule!r}; `cfgate rules` lists them")
    meta = found[0].meta
    out = [f"{meta.id} {meta.name} ({meta.severity})", "", meta.title, "", "Why this matters:", f"  {meta.rationale}"]
    if meta.aliases:
        out[0] += f"  aliases: {', '.join(meta.aliases)}"
    if meta.fix:
        out += ["", "How to fix:", f"  {meta.fix}"]
    for label, example in (("Bad", meta.bad), ("Good", meta.good)):
        if example is None:
            continue
        out += ["", f"{label} example" + (f" (as of {example.as_of})" if example.as_of else "") + ":"]
        for name, content in example.files.items():
            out.append(f"  # {name}")
            out += [f"  {line}" for line in content.rstrip("\n").splitlines()]
    if meta.references:
        out += ["", "References:"] + [f"  - {ref}" for ref in meta.references]
    out += ["", f"Defined in: {meta.origin}"]
    typer.echo("\n".join(out))


@policy_app.command("validate")
def policy_validate(files: Annotated[list[Path], typer.Argument(help="Policy files to validate.")]) -> None:
    """Validate policy files against the schema; exit 2 with file:line and the bad key if one is invalid."""
    from .policies.loader import load_policy

    for file in files:
        loaded = load_policy(file)
        typer.echo(f"{file}: ok ({len(loaded.policy.rules)} rules, sha256 {loaded.sha256[:12]})")


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the policy file JSON Schema."""
    from .policies.loader import dump_schema

    sys.stdout.write(dump_schema())


# --- The live stages: probe and run --------------------------------------------------------------


def _live_inputs(gate: _Gate, deadline: Optional[float]) -> tuple[Any, Any]:
    """The workspace and the env layer the live stages use (one layer: --env-layer, the setting, or the only one)."""
    from .sources import load_workspace
    from .stages import choose_layer

    if deadline is not None and deadline <= 0:
        raise Failure(f"--deadline {deadline:g}: give a number of seconds above 0")
    workspace = load_workspace(list(gate.options.paths), gate.options.excludes)
    layer = choose_layer(workspace, gate.settings.env_layers, gate.options.env_layer)
    if layer is not None and layer.missing:
        print(f"cfgate: warning: env layer {layer.name}: no such file among the inputs: {', '.join(layer.missing)}", file=sys.stderr)
    return workspace, layer


@app.command()
def probe(
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
    env_layer: EnvLayerOpt = None,
    deadline: DeadlineOpt = None,
    list_targets: Annotated[bool, typer.Option("--list", help="Only list the targets (secrets redacted) and where each comes from.")] = False,
) -> None:
    """Probe the endpoints the resolved configuration and the policy name (dns, tcp, postgres, redis, http)."""
    from .stages import ProgressPrinter, plan_probes, probe_result, render_listing, run_probe_stage

    gate = _gate(paths, policy, exclude, as_of, fmt, output, report, fail_on, fail_on_unknown, select, ignore, config,
                 show_passed, color, env_layer=env_layer)
    workspace, layer = _live_inputs(gate, deadline)
    plan = plan_probes(workspace, gate.catalog, layer, gate.options.as_of)
    if list_targets:
        _emit(render_listing(plan, "json" if gate.fmt == "json" else "text", deadline), gate.output)
        raise typer.Exit(0)
    stage = run_probe_stage(plan, active={r.meta.id for r in gate.rules}, deadline_s=deadline, on_event=ProgressPrinter(sys.stderr))
    if stage.skipped:
        print(f"cfgate: nothing probed: {stage.skipped}", file=sys.stderr)
    result = probe_result(plan, stage)
    gate.write(result)
    raise typer.Exit(gate.exit_code(result))


class _CommandAfterDashes(typer.core.TyperCommand):
    """A command whose arguments after the first ``--`` are the command line to hand off to, untouched."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            args, ctx.meta["cfgate.command"] = args[:at], args[at + 1:]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "-- COMMAND [ARGS]..."]


@app.command("run", cls=_CommandAfterDashes)
def run_tests(
    ctx: typer.Context,
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
    deadline: DeadlineOpt = None,
    skip_probes: Annotated[bool, typer.Option("--skip-probes", help="Skip the probe stage (recorded in the run summary).")] = False,
) -> None:
    """Check, probe, then run the command after -- (with the env layer in its environment) if the gate passes.

    Exits with the command's exit code when it ran, else with the gate's. Example: cfgate run . -- pytest -q
    """
    from dataclasses import replace

    from .stages import GateConfig, ProgressPrinter, run_handoff, summary_text

    command = list(ctx.meta.get("cfgate.command") or [])
    if not command:
        raise Failure("give the command to run after --, e.g. cfgate run . -- pytest -q")
    gate = _gate(paths, policy, exclude, as_of, fmt, output, report, fail_on, fail_on_unknown, select, ignore, config,
                 show_passed, color, var_file, var, env_layer)
    workspace, layer = _live_inputs(gate, deadline)
    # the static check resolves env values with the very layer the command will receive
    options = replace(gate.options, env_layer=layer.name) if layer is not None else gate.options
    handoff = run_handoff(workspace, layer, GateConfig(gate.rules, gate.catalog, options, gate.threshold, gate.fail_on_unknown),
                          command, skip_probes=skip_probes, deadline_s=deadline, on_event=ProgressPrinter(sys.stderr))
    gate.write(handoff.result, handoff.summary)
    sys.stderr.write(summary_text(handoff.summary))
    raise typer.Exit(handoff.summary.exit_code)


def run() -> None:
    """Run the app and turn every error into a message and an exit code, never a traceback."""
    from .linking import LayerError
    from .policies.loader import PolicyError
    from .rules.registry import UnknownSelector
    from .sources import UsageError

    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (Failure, UsageError, PolicyError, UnknownSelector, LayerError) as exc:
        print(f"cfgate: error: {exc}", file=sys.stderr)
        sys.exit(getattr(exc, "code", 2))
    except KeyboardInterrupt:
        print("cfgate: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last net: a message, never a traceback
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(2)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        if os.environ.get("CFGATE_DEBUG"):
            raise
        print(f"cfgate: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in cfgate; set CFGATE_DEBUG=1 to see the traceback and please report it.", file=sys.stderr)
        sys.exit(3)
