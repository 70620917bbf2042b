"""The ``cfgate`` command line: thin commands that build settings, call the engine, render, exit.

Exit codes: 0 clean, 1 a finding at or above ``--fail-on``, 2 usage, policy or input error,
3 internal error. Diagnostics go to stderr; reports go to stdout or ``--output``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

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


@app.command()
def check(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or directories to check (default: .).")] = None,
    policy: PolicyOpt = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Glob of paths to skip; repeatable.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD); default today, UTC.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help=f"Report format: {REPORT_FORMATS} (default: text, or the config's format).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the --format report to this file (atomically) instead of stdout.")] = None,
    report: Annotated[Optional[list[str]], typer.Option(
        "--report", metavar="FORMAT=PATH",
        help="Also write a report in FORMAT to the file PATH (atomically); repeatable, for several formats from one run, e.g. "
             "--report sarif=cfgate.sarif --report junit=cfgate.xml. The --format report still goes to stdout (or --output).",
    )] = None,
    fail_on: Annotated[Optional[str], typer.Option("--fail-on", help="Lowest severity that fails the gate: error, warning, info or never.")] = None,
    fail_on_unknown: Annotated[Optional[bool], typer.Option("--fail-on-unknown/--no-fail-on-unknown", help="Let unknown values fail the gate.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules: id, name or id prefix; repeatable.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules: id, name or id prefix; repeatable.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Settings file (cfgate.toml or pyproject.toml); default: the nearest one.")] = None,
    show_passed: Annotated[bool, typer.Option("--show-passed", help="Also list evaluations that passed.")] = False,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Colour the text output (default: when stdout is a terminal).")] = None,
    var_file: Annotated[Optional[list[str]], typer.Option("--var-file", help="Terraform variables file, as for terraform plan; repeatable, later files win.")] = None,
    var: Annotated[Optional[list[str]], typer.Option("--var", metavar="NAME=VALUE", help="Terraform variable, as for terraform plan; repeatable; wins over every file.")] = None,
    env_layer: Annotated[Optional[str], typer.Option("--env-layer", help="Env layer (from the env_layers setting) to resolve env values with.")] = None,
) -> None:
    """Check configuration files against the policies and exit with the gate's verdict."""
    from dataclasses import replace

    from .config import load_settings
    from .engine import RunOptions, exit_code, run
    from .reporters import FORMATS, ReportContext, get

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
    result = run(options, rules)
    use_color = color if color is not None else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    ctx = ReportContext(rules={r.meta.id: r.meta for r in catalog.rules}, color=use_color, show_passed=show_passed,
                        policies=tuple((p.path, p.sha256) for p in catalog.policies))
    file_ctx = replace(ctx, color=False)
    for name, path in extra_reports:
        _emit(get(name)(result, file_ctx), path)
    _emit(get(chosen_format)(result, ctx), output)
    raise typer.Exit(exit_code(result, threshold, settings.fail_on_unknown if fail_on_unknown is None else fail_on_unknown))


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


def run() -> None:
    """Run the app and turn every error into a message and an exit code, never a traceback."""
    from .policies.loader import PolicyError
    from .rules.registry import UnknownSelector
    from .sources import UsageError

    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (Failure, UsageError, PolicyError, UnknownSelector) as exc:
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
