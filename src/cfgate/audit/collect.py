"""Gather an audit: run the engine (and again on the base revision), hash the inputs, build the registers.

The collector decides what the report says; the renderers only format it. Everything is sorted,
and nothing depends on the clock beyond the as-of date, so the same inputs give the same report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..engine import RunOptions, exit_code
from ..models import Evaluation, RunResult
from ..reporters.fingerprint import fingerprint
from ..reporters.json import summary
from ..rules.base import Rule
from .compare import finding_changes, input_changes, side_values, value_changes
from .gitbase import export
from .inventory import AuditRun, InventoryValue, run_for_audit
from .model import (
    ActiveRule,
    AuditEvaluation,
    AuditReport,
    BypassEntry,
    Comparison,
    InputFile,
    Policy,
    RunInfo,
    UnknownEntry,
    Verdict,
    WaivedFinding,
    WaiverEntry,
    WaiverRegister,
)

WAIVER_RULES = tuple(f"CFG0{n}" for n in range(10, 20))  # CFG010-CFG019: malformed, expired, unused... waivers


@dataclass(frozen=True)
class AuditOptions:
    """What the command knows beyond the engine's options: how the gate is judged and what was asked."""

    fail_on: str = "error"
    fail_on_unknown: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    policies: tuple[tuple[str, str], ...] = ()  # (path, sha256), in catalog order
    base: str | None = None
    baseline: Any = None  # a cfgate.baseline.Baseline applied to the head, as check --baseline does


@dataclass(frozen=True)
class BypassWindow:
    """A bypass rule's limits: warn this many days ahead, allow at most this many."""

    warn_days: int
    max_window_days: int


def bypass_windows(rules: Iterable[Rule]) -> dict[str, BypassWindow]:
    """The active bypass rules (CFG210 in the default policy), by id."""
    from ..rules.bypass import BypassPolicyRule

    return {r.meta.id: BypassWindow(r.spec.bypass.warn_days, r.spec.bypass.max_window_days)
            for r in rules if isinstance(r, BypassPolicyRule)}


def sha256_file(path: Path) -> tuple[str | None, int | None]:
    try:
        data = path.read_bytes()
    except OSError:
        return None, None
    return hashlib.sha256(data).hexdigest(), len(data)


def hash_inputs(files: Iterable[str], cwd: Path) -> tuple[InputFile, ...]:
    """sha256 and size of each input file (display paths are relative to ``cwd``)."""
    out = []
    for file in sorted(set(files)):
        digest, size = sha256_file(Path(file) if os.path.isabs(file) else cwd / file)
        out.append(InputFile(file, digest, size))
    return tuple(out)


def policy_set_sha256(policies: Iterable[tuple[str, str]]) -> str:
    """One hash for the policy set: sha256 of ``<sha256>  <path>`` lines in catalog order (like sha256sum)."""
    text = "".join(f"{digest}  {path}\n" for path, digest in policies)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _days(text: Any, as_of: dt.date) -> tuple[str | None, int | None]:
    if not isinstance(text, str):
        return None, None
    try:
        date = dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None, None
    return date.isoformat(), (date - as_of).days


def _bypass_state(e: Evaluation, days: int | None, window: BypassWindow | None) -> str:
    if "expiry" not in e.details:
        return "off"
    if e.status == "waived":
        return "waived"
    if e.details.get("expiry") is None:
        return "no expiry"
    if days is None:
        return "unreadable expiry"
    if days < 0:
        return "overdue"
    if window is not None and days > window.max_window_days:
        return "beyond the allowed window"
    if window is not None and days <= window.warn_days:
        return "expiring soon"
    return "active" if e.status == "pass" else "failing"


def bypass_register(result: RunResult, windows: dict[str, BypassWindow]) -> tuple[BypassEntry, ...]:
    """Each flag a bypass rule looked at, with its expiry and days left (negative: overdue)."""
    out = []
    for e in result.evaluations:
        if e.rule not in windows:
            continue
        expiry = e.details.get("expiry")
        date, days = _days(expiry, result.as_of)
        if isinstance(e.details.get("days_left"), int):
            days = e.details["days_left"]
        out.append(BypassEntry(flag=e.subject, file=e.location.file, line=e.location.line, value=e.value, rule=e.rule,
                               status=e.status, state=_bypass_state(e, days, windows.get(e.rule)),
                               expiry=expiry if isinstance(expiry, str) else None, expiry_date=date,
                               expiry_source=e.details.get("expiry_source"), days_left=days, message=e.message))
    return tuple(out)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass
class _WaiverGroup:
    """What the evaluations say about one waiver, gathered before it becomes a :class:`WaiverEntry`."""

    file: str | None
    line: int | None
    record: dict[str, Any] = field(default_factory=dict)  # kind, until, owner, reason: the first value seen wins
    rules: set[str] = field(default_factory=set)
    named: str | None = None  # the selector as written ("waive CFG199"), for a waiver no rule matched
    hides: list[WaivedFinding] = field(default_factory=list)
    states: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    fixed: list[WaivedFinding] = field(default_factory=list)  # a baseline's recorded findings that no longer occur
    baseline: bool = False

    def add(self, e: Evaluation, waiver: dict[str, Any]) -> None:
        for name, value in waiver.items():
            if self.record.get(name) is None:
                self.record[name] = value
        for name in ("rule", "rules"):
            value = waiver.get(name)
            if isinstance(value, str):
                self.rules.add(value)
            elif isinstance(value, (list, tuple)):
                self.rules.update(str(v) for v in value)
        if e.status == "waived":
            self.hides.append(WaivedFinding(e.rule, e.location.file, e.location.line, e.subject))
            self.rules.add(e.rule)
            return
        if e.rule not in WAIVER_RULES:
            return
        if e.subject.startswith("waive "):
            self.named = e.subject[len("waive "):]
        if e.status in ("fail", "unknown"):
            self.states.add(e.name.removeprefix("waiver-"))
            self.problems.append(e.message)

    def entry(self, key: str, as_of: dt.date) -> WaiverEntry:
        states = set(self.states)
        if self.baseline:
            states.add("baseline")
        elif self.hides:
            states.add("active")  # in force: it hides findings (a warning such as expiring-soon may stand beside it)
        elif not states:
            states.add("valid")  # no waiver check objects, and nothing to hide in this run
        until = _text(self.record.get("until"))
        date, days = _days(until, as_of)
        return WaiverEntry(
            id=key, kind=_text(self.record.get("kind")), file=self.file, line=self.line,
            rules=tuple(sorted(self.rules)) or ((self.named,) if self.named else ()),
            owner=_text(self.record.get("owner")), reason=_text(self.record.get("reason")), until=until, until_date=date,
            days_left=days, states=tuple(sorted(states)),
            hides=tuple(sorted(self.hides, key=lambda w: (w.file, w.line, w.rule, w.subject))), problems=tuple(self.problems),
            fixed=tuple(self.fixed))


def waiver_register(result: RunResult, active_rules: Iterable[str], baseline_fixed: tuple[WaivedFinding, ...] = ()) -> WaiverRegister:
    """Waivers from waived evaluations and from the waiver checks (CFG010-CFG019), grouped per waiver.

    A waived evaluation carries ``details["waiver"] = {kind, file, line, until, owner, reason, id}``; a waiver
    check's evaluation carries the same record (plus ``rules``) and fails when the waiver is malformed,
    expired, unused, expiring soon, too far ahead or on an unwaivable rule. Without the waiver feature the
    register is simply empty; ``checked`` says whether any waiver rule ran.

    Findings a baseline knows (``details["baseline"]``) are one entry per baseline file, not one per
    finding; ``baseline_fixed`` lists its recorded findings that no longer occur.
    """
    groups: dict[str, _WaiverGroup] = {}
    baselined_checks: list[Evaluation] = []
    for e in result.evaluations:
        waiver = e.details.get("waiver")
        if not isinstance(waiver, dict):
            continue
        file = _text(waiver.get("file"))
        line = waiver.get("line") if isinstance(waiver.get("line"), int) else None
        if e.details.get("baseline") is True:
            key = f"baseline {file}"
            record = {"kind": "baseline", "file": file, "reason": waiver.get("reason")}
            groups.setdefault(key, _WaiverGroup(file, None, fixed=list(baseline_fixed), baseline=True)).add(e, record)
            if e.rule in WAIVER_RULES:
                baselined_checks.append(e)
            continue
        key = _text(waiver.get("id")) or f"{file}:{line}"
        groups.setdefault(key, _WaiverGroup(file, line)).add(e, waiver)
    for e in baselined_checks:  # a waiver check the baseline hides still says what is wrong with its waiver
        key = f"{e.location.file}:{e.location.line}"
        group = groups.setdefault(key, _WaiverGroup(e.location.file, e.location.line))
        group.states.add(e.name.removeprefix("waiver-") + " (in baseline)")
        if e.subject.startswith("waive "):
            group.named = group.named or e.subject.removeprefix("waive ")
        group.problems.append(e.message)
    entries = sorted((group.entry(key, result.as_of) for key, group in groups.items()),
                     key=lambda w: (w.file or "", w.line or 0, w.id))
    checked = any(rule in WAIVER_RULES for rule in active_rules)
    return WaiverRegister(checked=checked or bool(entries), waivers=tuple(entries))


def unknowns(result: RunResult) -> tuple[UnknownEntry, ...]:
    return tuple(UnknownEntry(e.rule, e.name, e.location.file, e.location.line, e.subject,
                              e.reason or "no reason given", e.message)
                 for e in result.evaluations if e.status == "unknown")


def audit_evaluations(result: RunResult, values: dict[tuple[str, str], InventoryValue]) -> tuple[AuditEvaluation, ...]:
    out = []
    for e in result.evaluations:
        listed = values.get((e.location.file, e.subject))
        out.append(AuditEvaluation(rule=e.rule, name=e.name, severity=e.severity, status=e.status, message=e.message,
                                   file=e.location.file, line=e.location.line, column=e.location.column, subject=e.subject,
                                   value=e.value, reason=e.reason, details=dict(e.details),
                                   origins=listed.origins if listed else (), fingerprint=fingerprint(e)))
    return tuple(out)


def _remap(run: AuditRun, old: str, new: str) -> AuditRun:
    """Replace the export's path prefix by the repository's in every string of a base run."""
    import json

    from ..models import RunResult as Result

    def swap(text: str) -> str:
        return text.replace(old, new)

    encoded_old, encoded_new = json.dumps(old)[1:-1], json.dumps(new)[1:-1]
    result = Result.model_validate_json(run.result.model_dump_json().replace(encoded_old, encoded_new))
    values = {(swap(f), swap(s)): InventoryValue(replace(v.cell, reason=swap(v.cell.reason) if v.cell.reason else None),
                                                 tuple(swap(o) for o in v.origins))
              for (f, s), v in run.values.items()}
    return AuditRun(result, run.workspace, values)


def evaluate_base(ref: str, options: RunOptions, rules: list[Rule]) -> tuple[AuditRun, tuple[InputFile, ...], str, tuple[str, ...]]:
    """Run the same options and rules on the inputs as they were at ``ref``: the run, its input hashes,
    the commit and notes. Both sides use the current policy set and the same as-of date."""
    here = Path.cwd()
    with export(ref, options.paths, options.var_files, here) as tree:
        base_options = replace(options, paths=tree.paths, var_files=tree.var_files)
        os.chdir(tree.cwd)
        try:
            run = run_for_audit(base_options, rules)
            hashes = hash_inputs(run.result.files, tree.cwd)
        finally:
            os.chdir(here)
        if tree.prefix_map is not None:
            old, new = tree.prefix_map
            run = _remap(run, old, new)
            hashes = tuple(InputFile(f.file.replace(old, new), f.sha256, f.bytes) for f in hashes)
        return run, hashes, tree.commit, tuple(tree.notes)


def collect(options: RunOptions, rules: list[Rule], audit: AuditOptions) -> AuditReport:
    """Run the audit: the head (and the base when asked) evaluated, hashed and described."""
    return collect_with_result(options, rules, audit)[0]


def collect_with_result(options: RunOptions, rules: list[Rule], audit: AuditOptions) -> tuple[AuditReport, RunResult]:
    """:func:`collect`, also returning the head's RunResult (for the reports ``cfgate check`` writes)."""
    head = run_for_audit(options, rules)
    baseline_fixed: tuple[WaivedFinding, ...] = ()
    if audit.baseline is not None:
        from ..baseline import apply

        applied, outcome = apply(head.result, audit.baseline)
        head = AuditRun(applied, head.workspace, head.values)
        baseline_fixed = tuple(WaivedFinding(f.rule, f.file, f.line, f.subject) for f in outcome.fixed)
    result = head.result
    inputs = hash_inputs(result.files, Path.cwd())
    comparison = None
    if audit.base:
        base, base_inputs, commit, notes = evaluate_base(audit.base, options, rules)
        new, fixed, unchanged = finding_changes(base.result, result)
        comparison = Comparison(
            ref=audit.base, commit=commit,
            values=value_changes(side_values(base.result, base.values), side_values(result, head.values)),
            new=new, fixed=fixed, unchanged=unchanged, inputs=input_changes(base_inputs, inputs),
            base_summary=summary(base.result),
            notes=("Both revisions are evaluated with the current policy set and the same as-of date.", *notes))
    active = sorted(rules, key=lambda r: r.meta.id)
    report = AuditReport(
        tool="cfgate", version=__version__, as_of=result.as_of.isoformat(),
        policy_set_sha256=policy_set_sha256(audit.policies),
        policies=tuple(Policy(path, digest) for path, digest in audit.policies),
        rules=tuple(ActiveRule(r.meta.id, r.meta.name, r.meta.severity, r.meta.origin) for r in active),
        run=RunInfo(paths=tuple(options.paths), excludes=tuple(options.excludes), select=audit.select, ignore=audit.ignore,
                    fail_on=audit.fail_on, fail_on_unknown=audit.fail_on_unknown, env_layer=options.env_layer,
                    var_files=tuple(options.var_files), variables=tuple(name for name, _ in options.variables)),
        verdict=Verdict(exit_code=exit_code(result, audit.fail_on, audit.fail_on_unknown), summary=summary(result)),
        inputs=inputs,
        evaluations=audit_evaluations(result, head.values),
        bypasses=bypass_register(result, bypass_windows(rules)),
        waivers=waiver_register(result, (r.meta.id for r in rules), baseline_fixed),
        unknowns=unknowns(result),
        comparison=comparison,
    )
    return report, result


__all__ = ["AuditOptions", "collect", "collect_with_result"]
