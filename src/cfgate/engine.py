"""Select entities, evaluate rules, scrub secrets, and return a sorted, deterministic RunResult."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .entities import entities
from .models import SEVERITY_RANK, Evaluation, RunResult
from .redact import Redactor
from .rules.base import Context, Rule
from .sources import Workspace, load_workspace


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[str, ...] = (".",)
    excludes: tuple[str, ...] = ()
    as_of: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())


def redactor_for(workspace: Workspace) -> Redactor:
    redactor = Redactor()
    for env in workspace.env:
        for entry in env.entries:
            redactor.see(entry.key, entry.value)
    for text in workspace.texts.values():
        from .redact import url_passwords

        for password in url_passwords(text):
            redactor.add(password)
    return redactor


def evaluate(workspace: Workspace, rules: list[Rule], as_of: dt.date) -> RunResult:
    ctx = Context(workspace=workspace, entities=entities(workspace), as_of=as_of)
    results: list[Evaluation] = []
    for rule in rules:
        results.extend(rule.evaluate(ctx))
    redactor = redactor_for(workspace)
    scrubbed = [
        e.model_copy(update={
            "message": redactor.scrub(e.message), "value": redactor.scrub(e.value),
            "reason": redactor.scrub(e.reason), "details": redactor.scrub(e.details), "subject": redactor.scrub(e.subject),
        })
        for e in results
    ]
    scrubbed.sort(key=Evaluation.sort_key)
    return RunResult(as_of=as_of, files=tuple(workspace.files), evaluations=tuple(scrubbed))


def run(options: RunOptions, rules: list[Rule]) -> RunResult:
    return evaluate(load_workspace(list(options.paths), options.excludes), rules, options.as_of)


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
