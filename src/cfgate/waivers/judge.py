"""Apply waivers to a run's evaluations, and judge every waiver (rules CFG010-CFG015).

Called by the engine after every rule ran and before secrets are scrubbed. In order:

1. read the inline waivers from the inputs' decoded texts (never the files again), add the waiver
   files' records;
2. judge each waiver: malformed (CFG010), expired (CFG011) or too far ahead (CFG014) ones waive
   nothing; rules that may not be waived (the policy's ``waivers.unwaivable``, and the waiver
   family itself) are taken out of every waiver (CFG015);
3. each failure or unknown that a remaining waiver covers becomes ``waived``, with the waiver's
   reason as ``reason`` and ``details["waiver"] = {kind, file, line, until, owner, reason, id}``;
4. every waiver gets an evaluation per waiver rule that judged it: unused (CFG012) and expiring
   soon (CFG013) are warnings, the rest errors; passes are kept too (JUnit and audit use them).

Only the evaluations of the waiver rules active in the run are returned; waiving itself happens
whatever rules are active.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import Evaluation, Location, RuleMeta
from ..rules.base import evaluation
from ..rules.waiver_rules import (
    WAIVER_EXPIRED,
    WAIVER_EXPIRING,
    WAIVER_FAMILY,
    WAIVER_MALFORMED,
    WAIVER_TOO_FAR,
    WAIVER_UNUSED,
    WAIVER_UNWAIVABLE,
)
from .comments import scan
from .model import Resolver, Waiver, WaiverConfig, WaiverSettings
from .syntax import is_directive, parse_comment

if TYPE_CHECKING:
    from ..rules.registry import Catalog

_MARKER_ANYWHERE = re.compile(r"cfgate\s*:", re.IGNORECASE)


def inline_waivers(texts: Mapping[str, str]) -> list[Waiver]:
    """Every ``cfgate:`` comment in the inputs, as waivers (malformed ones included), in file and line order."""
    out: list[Waiver] = []
    for path in sorted(texts):
        text = texts[path]
        if not _MARKER_ANYWHERE.search(text):  # most files have none: skip the scan
            continue
        found = scan(path, text)
        if found is None:
            continue
        for comment in found.comments:
            if not is_directive(comment.text):
                continue
            parsed = parse_comment(comment.text)
            if comment.own_line:
                target = comment.line + 1
                while target in found.comment_only:
                    target += 1  # a block of comments above the line: each of them applies to it
                lines = () if target > found.line_count or target in found.blank else (target,)
            else:
                lines = (comment.line,)
            column = comment.column
            out.append(Waiver("inSource", Location(file=path, line=comment.line, column=column), parsed.selectors,
                              parsed.until, parsed.reason, parsed.owner, problems=parsed.problems, file=path,
                              lines=lines, until_text=parsed.until_text))
    return out


@dataclass
class _Judged:
    waiver: Waiver
    problems: list[str] = field(default_factory=list)
    ids: frozenset[str] = frozenset()  # the rules it waives (unwaivable ones removed)
    named: frozenset[str] = frozenset()  # every rule it names
    unwaivable: set[str] = field(default_factory=set)  # rules it names or would hide that may not be waived
    verdict: str = "ok"  # malformed | expired | too-far | ok
    used: int = 0

    @property
    def effective(self) -> bool:
        return self.verdict == "ok"


def apply_waivers(texts: Mapping[str, str], evaluations: list[Evaluation], ran: set[str], config: WaiverConfig,
                  as_of: dt.date) -> list[Evaluation]:
    """The evaluations with waived findings marked, plus the waiver rules' own evaluations."""
    waivers = inline_waivers(texts) + list(config.records)
    if not waivers:
        return evaluations
    resolve = config.resolve or _default_resolver()
    settings = config.settings
    judged = [_judge(w, resolve, settings, as_of) for w in waivers]

    by_line: dict[tuple[str, int], list[_Judged]] = {}
    external: list[_Judged] = []
    for j in judged:
        if j.waiver.kind == "inSource":
            for line in j.waiver.lines:
                by_line.setdefault((j.waiver.file or "", line), []).append(j)
        else:
            external.append(j)

    out: list[Evaluation] = []
    for e in evaluations:
        if e.status not in ("fail", "unknown"):
            out.append(e)
            continue
        waived_by: _Judged | None = None
        places = origin_places(e)
        candidates = [*by_line.get((e.location.file, e.location.line), ())]
        for place in sorted(places):
            candidates.extend(j for j in by_line.get(place, ()) if j not in candidates)
        for j in (*candidates, *external):
            if not j.effective or e.rule not in j.named or not j.waiver.covers(e, places):
                continue
            if e.rule not in j.ids:
                j.unwaivable.add(e.rule)  # it tried to hide a finding of an unwaivable rule
                continue
            j.used += 1
            waived_by = waived_by or j
        out.append(_waived(e, waived_by.waiver) if waived_by else e)

    for j in judged:
        out.extend(e for e in _verdicts(j, ran, settings, as_of) if e.rule in ran)
    return out


_ORIGIN = re.compile(r"^(?P<what>.+) at (?P<file>.+):(?P<line>[0-9]+)$")


def origin_places(e: Evaluation) -> frozenset[tuple[str, int]]:
    """Where the finding's value was set, from ``details["origins"]`` ("var.max set at prod.tfvars:3").

    A module call ("module.app called at main.tf:9") is a step of the path, not where a value is
    written, and is left out: a waiver on a module call would hide every finding inside the module.
    """
    origins = e.details.get("origins")
    if not isinstance(origins, (list, tuple)):
        return frozenset()
    out: set[tuple[str, int]] = set()
    for text in origins:
        match = _ORIGIN.match(text) if isinstance(text, str) else None
        if match and not match.group("what").endswith(" called"):
            out.add((match.group("file"), int(match.group("line"))))
    return frozenset(out)


def _judge(w: Waiver, resolve: Resolver, settings: WaiverSettings, as_of: dt.date) -> _Judged:
    j = _Judged(w, problems=list(w.problems))
    named: set[str] = set()
    for token in w.selectors:
        ids, exact = resolve(token)
        if not ids:
            j.problems.append(f"no rule is named {token!r}: give an id (CFG113), a name or an id prefix (CFG1)")
            continue
        named.update(ids)
        if exact:
            j.unwaivable.update(i for i in ids if _unwaivable(i, settings))
    if settings.require_owner and w.owner is None and "owner" not in " ".join(j.problems):
        j.problems.append("missing owner=...: the policy requires every waiver to name an owner (waivers.require_owner)")
    j.named = frozenset(named)
    j.ids = frozenset(i for i in named if not _unwaivable(i, settings))
    if j.problems:
        j.verdict = "malformed"
    elif w.until is not None and w.until < as_of:
        j.verdict = "expired"
    elif w.until is not None and (w.until - as_of).days > settings.max_days:
        j.verdict = "too-far"
    return j


def _unwaivable(rule_id: str, settings: WaiverSettings) -> bool:
    return rule_id.startswith(WAIVER_FAMILY) or rule_id in settings.unwaivable


def _waived(e: Evaluation, w: Waiver) -> Evaluation:
    record: dict[str, object] = {"kind": w.kind, "file": w.location.file, "line": w.location.line, "id": w.id}
    if w.until is not None:
        record["until"] = w.until.isoformat()
    if w.owner is not None:
        record["owner"] = w.owner
    record["reason"] = w.reason
    record["status"] = e.status  # what it would have been: fail or unknown
    details = {**e.details, "waiver": record}
    if e.status == "unknown" and e.reason:
        details["unknown_reason"] = e.reason
    return e.model_copy(update={"status": "waived", "reason": w.reason, "details": details})


def _verdicts(j: _Judged, ran: set[str], settings: WaiverSettings, as_of: dt.date) -> Iterable[Evaluation]:
    w = j.waiver
    subject = f"waive {w.shown}"
    value = w.until_text

    def make(meta: RuleMeta, status: str, message: str) -> Evaluation:
        details = {"waiver": {"kind": w.kind, "file": w.location.file, "line": w.location.line, "id": w.id,
                              "rules": sorted(j.named), "until": w.until.isoformat() if w.until else w.until_text,
                              "owner": w.owner, "reason": w.reason}}
        return evaluation(meta, status, message, w.location, subject, value, details=details)

    if j.verdict == "malformed":
        yield make(WAIVER_MALFORMED, "fail", f"malformed waiver, so it waives nothing: {'; '.join(j.problems)}")
        return
    yield make(WAIVER_MALFORMED, "pass", f"waiver for {w.shown} is well formed")
    assert w.until is not None
    days = (w.until - as_of).days
    if j.verdict == "expired":
        ago = -days
        yield make(WAIVER_EXPIRED, "fail", f"waiver for {w.shown} expired on {w.until.isoformat()} "
                                          f"({ago} day{'s' if ago != 1 else ''} ago): what it waived fails again; "
                                          "fix it, or renew the waiver with a new date and reason")
        return
    yield make(WAIVER_EXPIRED, "pass", f"waiver for {w.shown} runs until {w.until.isoformat()}")
    if j.verdict == "too-far":
        yield make(WAIVER_TOO_FAR, "fail", f"waiver for {w.shown} runs until {w.until.isoformat()}, {days} days ahead: "
                                          f"more than the {settings.max_days} days the policy allows "
                                          "(waivers.max_days), so it waives nothing")
        return
    yield make(WAIVER_TOO_FAR, "pass", f"waiver for {w.shown} ends within {settings.max_days} days")
    if j.unwaivable:
        rules = ", ".join(sorted(j.unwaivable))
        why = ("the waiver rules cannot be waived" if all(r.startswith(WAIVER_FAMILY) for r in j.unwaivable)
               else "the policy lists it in waivers.unwaivable")
        yield make(WAIVER_UNWAIVABLE, "fail", f"waiver for {w.shown}: {rules} may not be waived ({why}); "
                                              "its findings still count")
    else:
        yield make(WAIVER_UNWAIVABLE, "pass", f"waiver for {w.shown} names only rules that may be waived")
    if not j.used and not j.unwaivable:  # an unwaivable hit is reported (CFG015), not as unused too
        idle = sorted(j.ids - ran)
        where = f" in {w.path}" if w.kind == "external" and w.path else ""
        if j.ids and not (j.ids & ran):
            which = ", ".join(idle) if len(idle) <= 3 else "none of its rules"
            advice = f": {which} did not run in this check (--select, --ignore, or a rule that is off)"
        else:
            advice = "; delete it, or move it onto the finding's line or the line above"
        yield make(WAIVER_UNUSED, "fail", f"waiver for {w.shown} matches no finding{where}{advice}")
    elif j.used:
        yield make(WAIVER_UNUSED, "pass", f"waiver for {w.shown} waives {j.used} finding{'s' if j.used != 1 else ''}")
    if days <= settings.warn_days:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        yield make(WAIVER_EXPIRING, "fail", f"waiver for {w.shown} expires {when}, on {w.until.isoformat()}: "
                                            "fix what it waives, or renew it on purpose")
    else:
        yield make(WAIVER_EXPIRING, "pass", f"waiver for {w.shown} expires in {days} days")


def _default_resolver() -> Resolver:
    """Selectors resolved against the default catalog (for callers that give no resolver)."""
    from ..rules.registry import build_catalog

    return catalog_resolver(build_catalog())


def catalog_resolver(catalog: Catalog) -> Resolver:
    """A resolver over a rule catalog: exact id, name or alias, else an id prefix (``Catalog.find``)."""

    def resolve(token: str) -> tuple[tuple[str, ...], bool]:
        found = catalog.find(token)
        exact = any(token in (r.meta.id, r.meta.name, *r.meta.aliases) for r in found)
        return tuple(sorted(r.meta.id for r in found)), exact

    return resolve
