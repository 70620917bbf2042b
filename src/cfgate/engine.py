"""Select entities, evaluate rules, scrub secrets, and return a sorted, deterministic RunResult."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .entities import entities
from .models import SEVERITY_RANK, Evaluation, Location, RunResult
from .redact import Redactor
from .rules.base import Context, Rule
from .sources import Workspace, load_workspace
from .linking import env_context
from .terraform.resolve import TfOptions, resolve
from .waivers.model import WaiverConfig


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[str, ...] = (".",)
    excludes: tuple[str, ...] = ()
    as_of: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())
    var_files: tuple[str, ...] = ()  # terraform --var-file, in order
    variables: tuple[tuple[str, str], ...] = ()  # terraform --var NAME=VALUE, in order
    env_layers: dict[str, list[str]] = field(default_factory=dict)
    env_layer: str | None = None
    rule_options: dict = field(default_factory=dict)  # e.g. {"budget": {...}} from settings
    waivers: WaiverConfig | None = None  # waiver files and the policy's waiver settings (inline waivers are always read)


def redactor_for(workspace: Workspace) -> Redactor:
    redactor = Redactor()
    for env in workspace.env:
        for entry in env.entries:
            redactor.see(entry.key, entry.value)
    from .redact import is_secret_key, url_passwords

    for path, text in workspace.texts.items():
        for password in url_passwords(text):
            redactor.add(password)
        if path.endswith(".py"):
            # defaults of secret-like keys written in code: os.getenv("API_TOKEN", "dev-token-123")
            for key, default in _CODE_DEFAULT.findall(text):
                if is_secret_key(key):
                    redactor.add(default)
    return redactor


_CODE_DEFAULT = re.compile(r"""(?:getenv|get|environ\.setdefault)\(\s*['"]([A-Za-z0-9_]+)['"]\s*,\s*(?:default\s*=\s*)?['"]([^'"]+)['"]""")


def evaluate(workspace: Workspace, rules: list[Rule], as_of: dt.date, tf_options: TfOptions | None = None,
             env_layers: dict[str, list[str]] | None = None, env_layer: str | None = None,
             options: dict | None = None, waivers: WaiverConfig | None = None) -> RunResult:
    ctx = context(workspace, as_of, tf_options, env_layers, env_layer, options)
    return evaluate_context(ctx, rules, waivers)


def context(workspace: Workspace, as_of: dt.date, tf_options: TfOptions | None = None,
            env_layers: dict[str, list[str]] | None = None, env_layer: str | None = None,
            options: dict | None = None) -> Context:
    """What rules see: Terraform evaluated, env layers resolved, entities built (attributes evaluated lazily)."""
    terraform = resolve(workspace.terraform, tf_options)
    env = env_context(workspace.env, env_layers or {}, env_layer)
    return Context(workspace=workspace, entities=entities(workspace, terraform, env), as_of=as_of, terraform=terraform,
                   env=env, options=options or {})


def evaluate_context(ctx: Context, rules: list[Rule], waivers: WaiverConfig | None = None) -> RunResult:
    """Run ``rules`` in ``ctx``, judge waivers, scrub secrets and sort."""
    workspace, as_of = ctx.workspace, ctx.as_of
    results: list[Evaluation] = []
    for rule in rules:
        results.extend(rule.evaluate(ctx))
    from .waivers.judge import apply_waivers

    # waivers after every rule (they are judged against all findings), before scrubbing (their reasons too)
    results = apply_waivers(workspace.texts, results, {r.meta.id for r in rules}, waivers or WaiverConfig(), as_of)
    redactor = redactor_for(workspace)
    scrubbed = [_scrubbed(e, redactor) for e in results]
    scrubbed.sort(key=Evaluation.sort_key)
    return RunResult(as_of=as_of, files=tuple(workspace.files), evaluations=tuple(scrubbed))


def _scrubbed(e: Evaluation, redactor: Redactor) -> Evaluation:
    """The evaluation with every text field scrubbed of known secrets (the same object when nothing changed)."""
    update = {}
    for name in ("message", "value", "reason", "details", "subject"):
        before = getattr(e, name)
        after = redactor.scrub(before)
        if after != before:
            update[name] = after
    return e.model_copy(update=update) if update else e


def load(options: RunOptions) -> tuple[Workspace, TfOptions]:
    """Read the inputs a run is about: the scanned files, the --var-file files, TF_VAR_ from the environment."""
    import os

    workspace = load_workspace(list(options.paths), options.excludes)
    var_files = add_var_files(workspace, options.var_files)
    tf_options = TfOptions(var_files=var_files, variables=options.variables,
                           environ={k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")})
    return workspace, tf_options


def context_for(workspace: Workspace, tf_options: TfOptions, options: RunOptions) -> Context:
    """The rule context for what :func:`load` read, with the run's settings."""
    return context(workspace, options.as_of, tf_options, options.env_layers, options.env_layer, options.rule_options)


def evaluate_loaded(workspace: Workspace, tf_options: TfOptions, options: RunOptions, rules: list[Rule]) -> RunResult:
    """Evaluate what :func:`load` read, with the run's settings (for callers that keep the workspace)."""
    return evaluate_context(context_for(workspace, tf_options, options), rules, options.waivers)


def run(options: RunOptions, rules: list[Rule]) -> RunResult:
    workspace, tf_options = load(options)
    return evaluate_loaded(workspace, tf_options, options, rules)


def add_var_files(workspace: Workspace, paths: tuple[str, ...]) -> tuple[str, ...]:
    """Parse ``--var-file`` files the scan did not include; return their display paths, in order."""
    from pathlib import Path

    from .parsers.terraform import HclSyntaxError, parse_terraform, parse_tfvars_json
    from .sources import ReadProblem, UsageError, display_path, read_text

    shown: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise UsageError(f"--var-file {raw}: no such file")
        display = display_path(path)
        shown.append(display)
        if display in workspace.files:
            continue
        text = read_text(path, display)
        if isinstance(text, ReadProblem):
            workspace.problems.append(text)
            continue
        workspace.files.append(display)
        try:
            parsed = parse_tfvars_json(display, text) if display.endswith(".json") else parse_terraform(display, text)
        except HclSyntaxError as exc:
            workspace.problems.append(ReadProblem(Location(file=display, line=exc.line, column=exc.column), f"HCL syntax error: {exc}"))
            continue
        workspace.terraform.append(parsed.model_copy(update={"is_tfvars": True}))
    return tuple(shown)


def exit_code(result: RunResult, fail_on: str = "error", fail_on_unknown: bool = False) -> int:
    """0 when nothing fails at or above ``fail_on``; 1 otherwise. ``never`` always gives 0."""
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    for e in result.evaluations:
        if e.status == "fail" and SEVERITY_RANK[e.severity] >= threshold:
            return 1
        if fail_on_unknown and e.status == "unknown":
            return 1
    return 0
