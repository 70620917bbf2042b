"""What the commands share: errors, option definitions, and the gate setup used by check, probe and run."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.core


class Failure(Exception):
    """A user-facing error: message and exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code




def _as_of(text: Optional[str]) -> dt.date:
    if not text:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Failure(f"--as-of {text!r}: expected a date as YYYY-MM-DD") from None


def _catalog(policies: list[str]):
    from ..rules.registry import build_catalog

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
    from ..fsutil import atomic_write

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
WaiversOpt = Annotated[Optional[Path], typer.Option(
    "--waivers", metavar="FILE",
    help="Waiver file (default: the 'waivers' setting, else cfgate-waivers.yaml in the current directory or beside the "
         "settings file, if there is one). Inline '# cfgate: waive' comments are always read.",
)]
BaselineOpt = Annotated[Optional[Path], typer.Option(
    "--baseline", metavar="FILE",
    help="Fail only on findings not in this baseline (from `cfgate baseline create`); known ones are reported as "
         "waived, fixed ones listed (default: the 'baseline' setting).",
)]
DeadlineOpt = Annotated[Optional[float], typer.Option("--deadline", metavar="SECONDS", help="Bound on the whole probe stage (default: the policy's probes.deadline_s).")]


# The option groups commands share. A command declares only its own parameters and names the groups it takes;
# ``shared_options`` adds the groups to its signature for typer and hands their values over as one dict.
INPUT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "paths": (PathsArg, None), "policy": (PolicyOpt, None), "exclude": (ExcludeOpt, None), "as_of": (AsOfOpt, None),
    "select": (SelectOpt, None), "ignore": (IgnoreOpt, None), "config": (ConfigOpt, None),
    "var_file": (VarFileOpt, None), "var": (VarOpt, None), "env_layer": (EnvLayerOpt, None), "waivers": (WaiversOpt, None),
}
VERDICT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "fail_on": (FailOnOpt, None), "fail_on_unknown": (FailOnUnknownOpt, None),
    "show_passed": (ShowPassedOpt, False), "color": (ColorOpt, None),
}
REPORT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "fmt": (ReportFormatOpt, None), "output": (OutputOpt, None), "report": (ReportOpt, None), **VERDICT_OPTIONS,
}


def shared_options(*groups: dict[str, tuple[Any, Any]]) -> Any:
    """Give a command the options of ``groups`` (first, in this order), passed to it as ``shared: dict``."""
    import functools
    import inspect

    def decorate(func: Any) -> Any:
        own = inspect.signature(func, eval_str=True)
        injected = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                    for group in groups for name, (annotation, default) in group.items()]
        kept = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.parameters.values() if p.name != "shared"]
        context = [p for p in kept if p.annotation is typer.Context]
        rest = [p for p in kept if p.annotation is not typer.Context]

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            shared = {name: kwargs.pop(name) for group in groups for name in group}
            return func(shared=shared, **kwargs)

        command.__signature__ = own.replace(parameters=[*context, *injected, *rest])  # type: ignore[attr-defined]
        return command

    return decorate


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
        from ..engine import exit_code

        return exit_code(result, self.threshold, self.fail_on_unknown)

    def write(self, result: Any, summary: Any = None, baseline: Any = None) -> None:
        """Write the --report files, then the --format report; JSON reports carry ``summary`` as ``"run"``;
        the text and JSON reports show the ``baseline`` comparison (a :class:`cfgate.baseline.BaselineOutcome`)."""
        from dataclasses import replace

        from ..reporters import get

        def render(name: str, ctx: Any) -> str:
            extra = {"baseline": baseline} if baseline is not None and name in ("text", "json") else {}
            text = get(name)(result, ctx, **extra)
            if name == "json" and summary is not None:
                from ..stages import with_run_summary

                text = with_run_summary(text, summary)
            return text

        for name, path in self.reports:
            _emit(render(name, replace(self.ctx, color=False)), path)
        _emit(render(self.fmt, self.ctx), self.output)


def _gate(*, paths: Optional[list[str]] = None, policy: Optional[list[str]] = None, exclude: Optional[list[str]] = None,
          as_of: Optional[str] = None, fmt: Optional[str] = None, output: Optional[Path] = None,
          report: Optional[list[str]] = None, fail_on: Optional[str] = None, fail_on_unknown: Optional[bool] = None,
          select: Optional[list[str]] = None, ignore: Optional[list[str]] = None, config: Optional[Path] = None,
          show_passed: bool = False, color: Optional[bool] = None, var_file: Optional[list[str]] = None,
          var: Optional[list[str]] = None, env_layer: Optional[str] = None, waivers: Optional[Path] = None) -> _Gate:
    """Settings with the CLI flags on top: validated format and threshold, the active rules, the run options
    and the report context. check, probe and run all start here."""
    from ..config import load_settings
    from ..engine import RunOptions
    from ..reporters import FORMATS, ReportContext

    settings, settings_path = load_settings(config)
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
                         rule_options={"budget": settings.budget.model_dump()},
                         waivers=_waiver_config(catalog, waivers, settings.waivers, settings_path))
    use_color = color if color is not None else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    ctx = ReportContext(rules={r.meta.id: r.meta for r in catalog.rules}, color=use_color, show_passed=show_passed,
                        policies=tuple((p.path, p.sha256) for p in catalog.policies))
    return _Gate(settings, catalog, rules, options, chosen_format, output, extra_reports, threshold,
                 settings.fail_on_unknown if fail_on_unknown is None else fail_on_unknown, ctx)


def _waiver_config(catalog: Any, option: Optional[Path], setting: Optional[str], settings_path: Optional[Path]) -> Any:
    """The policies' waiver settings (combined, strictest wins) and the waiver file's records.

    The file: ``--waivers``, else the ``waivers`` setting (either must exist), else
    ``cfgate-waivers.yaml`` in the current directory or beside the settings file, when there is one.
    """
    from ..policies.loader import PolicyError
    from ..sources import display_path
    from ..waivers import DEFAULT_NAME, WaiverConfig, WaiverFileError, WaiverSettings, catalog_resolver, load_waiver_file

    require_owner, max_days, warn_days, unwaivable = False, None, None, set()
    for loaded in catalog.policies:
        spec = loaded.policy.waivers
        require_owner = require_owner or spec.require_owner
        max_days = spec.max_days if max_days is None else min(max_days, spec.max_days)
        warn_days = spec.warn_days if warn_days is None else min(warn_days, spec.warn_days)
        for index, token in enumerate(spec.unwaivable):
            found = catalog.find(token)
            if not found:
                raise PolicyError(loaded.path, 1, f"/waivers/unwaivable/{index}",
                                  f"no rule is named {token!r}: give an id (CFG113), a name or an id prefix (CFG1)")
            unwaivable.update(r.meta.id for r in found)
    settings = WaiverSettings(require_owner=require_owner, max_days=90 if max_days is None else max_days,
                              warn_days=7 if warn_days is None else warn_days, unwaivable=frozenset(unwaivable))
    path = option or (Path(setting) if setting else None)
    if path is not None and not path.is_file():
        raise Failure(f"waiver file {path}: no such file")
    if path is None:
        candidates = [Path(DEFAULT_NAME)] + ([settings_path.parent / DEFAULT_NAME] if settings_path else [])
        path = next((c for c in candidates if c.is_file()), None)
    records: tuple[Any, ...] = ()
    files: tuple[str, ...] = ()
    if path is not None:
        shown = display_path(path)
        try:
            records = load_waiver_file(path, shown)
        except WaiverFileError as exc:
            raise Failure(str(exc)) from None
        files = (shown,)
    return WaiverConfig(settings=settings, resolve=catalog_resolver(catalog), records=records, files=files)
