"""Bypass coverage: which flags soften which probes, and whether each flag is still valid.

A flag is judged exactly as its bypass rule (CFG210 in the default policy) judges it in the static
check: the rule itself runs, over the env file that sets the flag's effective value, and its verdict
decides. A ``pass`` (an expiry within the window) or a ``warning`` (expiring within the warn window)
keeps the bypass valid; any error (no expiry, an unreadable date, an expiry too far ahead, or one that
has passed as of ``--as-of``) makes the bypass ignored, and the rule's own message says why.

Only enabled flags are judged: a flag that is unset, or set to a value the rule does not count as
enabled (``false``), covers nothing and is not mentioned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ..entities import entities, select
from ..envlayer import EnvLayer
from ..models import Location, Unknown
from ..policies.model import BypassSpec, ProbeBypass, Selector, as_tuple
from ..rules.base import Context
from ..rules.bypass import BypassPolicyRule
from ..rules.registry import Catalog
from ..sources import Workspace


@dataclass(frozen=True)
class FlagVerdict:
    """One enabled bypass flag, judged. ``summary`` says why it is valid or why it is ignored."""

    flag: str
    valid: bool
    summary: str
    location: Location
    rule: str | None = None  # the judging rule's id
    expiry: str | None = None
    expiry_source: str | None = None
    days_left: int | None = None

    def as_details(self) -> dict[str, object]:
        """The verdict as JSON-safe evaluation details."""
        return {
            "flag": self.flag, "valid": self.valid, "judged_by": self.rule, "expiry": self.expiry,
            "expiry_source": self.expiry_source, "days_left": self.days_left, "summary": self.summary,
            "location": f"{self.location.file}:{self.location.line}",
        }


@dataclass(frozen=True)
class Cover:
    """What covers one probe: the valid flag that softens its failure, and the enabled flags that cannot."""

    valid: FlagVerdict | None = None
    ignored: tuple[FlagVerdict, ...] = ()


@dataclass
class Coverage:
    """Bypass entries of the policy with the verdict of every enabled flag they name."""

    entries: list[ProbeBypass] = field(default_factory=list)
    verdicts: dict[str, FlagVerdict] = field(default_factory=dict)

    def for_probe(self, name: str, kind: str) -> Cover:
        """The cover of the probe ``name`` of ``kind``: valid flags win; the first valid one is named."""
        valid: FlagVerdict | None = None
        ignored: list[FlagVerdict] = []
        for entry in self.entries:
            if not any(fnmatchcase(name, glob) for glob in as_tuple(entry.probes)):
                continue
            if entry.kinds and kind not in entry.kinds:
                continue
            for flag in entry.flags:
                verdict = self.verdicts.get(flag)
                if verdict is None:
                    continue
                if verdict.valid and valid is None:
                    valid = verdict
                elif not verdict.valid and verdict not in ignored:
                    ignored.append(verdict)
        return Cover(valid, () if valid is not None else tuple(ignored))


def _bypass_rules(catalog: Catalog) -> list[BypassPolicyRule]:
    return [rule for rule in catalog.rules if isinstance(rule, BypassPolicyRule)]


def _judging_rule(catalog: Catalog, token: str | None, flag: str, file: str,
                  workspace: Workspace) -> BypassPolicyRule | None | str:
    """The rule that judges ``flag``: the one ``token`` names, else the one whose selector selects it in ``file``.

    Returns an explanation (str) when ``token`` names no bypass rule.
    """
    rules = _bypass_rules(catalog)
    if token is not None:
        named = [r for r in rules if token in (r.meta.id, r.meta.name, *r.meta.aliases)]
        return named[0] if named else f"the policy says rule {token!r} judges it, and no bypass rule has that id or name"
    items = [e for e in entities(workspace) if e.source == "env" and e.key == flag and e.file == file]
    for rule in rules:
        if any(True for _ in select(rule.spec.select, items)):
            return rule
    return None


def judge_flag(flag: str, layer: EnvLayer, workspace: Workspace, catalog: Catalog, as_of: dt.date,
               rule_token: str | None = None) -> FlagVerdict | None:
    """Judge ``flag`` as set in ``layer``; None when it is unset or not enabled there."""
    value = layer.get(flag)
    if value is None or value.value is None:
        return None
    where = value.location
    found = _judging_rule(catalog, rule_token, flag, where.file, workspace)
    spec = found.spec.bypass if isinstance(found, BypassPolicyRule) else BypassSpec()
    if isinstance(value.value, Unknown):
        return FlagVerdict(flag, False, f"{flag} has no known value in the env layer: {value.value.reason}", where)
    if value.value.strip().lower() not in {v.lower() for v in spec.enabled_values}:
        return None
    if isinstance(found, str):
        return FlagVerdict(flag, False, f"{flag} cannot be judged: {found}", where)
    if found is None:
        return FlagVerdict(flag, False, f"no bypass rule selects {flag}, so nothing judges its expiry; "
                                        "add it to a bypass rule's keys or name the rule in the policy's probes.bypass", where)
    env = next((e for e in workspace.env if e.path == where.file), None)
    if env is None:  # cannot happen: a layer is built from the workspace's env files
        return FlagVerdict(flag, False, f"{flag}: its env file {where.file} is not among the inputs", where, found.meta.id)
    # The rule's own judgement, restricted to this one flag in the file that sets it.
    only_flag = found.spec.model_copy(update={"select": Selector(source="env", keys=flag)})
    judge = BypassPolicyRule(found.meta, only_flag)
    single = Workspace(env=[env], files=[env.path])
    ctx = Context(workspace=single, entities=entities(single), as_of=as_of)
    verdict = next((e for e in judge.evaluate(ctx) if e.subject == flag), None)
    if verdict is None or (verdict.status == "pass" and "expiry" not in verdict.details):
        return FlagVerdict(flag, False, f"{flag} is enabled only through interpolation in the env layer, and {found.meta.id} "
                                        f"reads {where.file}:{where.line} as not enabled; write the value literally", where, found.meta.id)
    details = verdict.details
    expiry = details.get("expiry")
    common = {"rule": found.meta.id, "expiry": None if expiry is None else str(expiry),
              "expiry_source": details.get("expiry_source"), "days_left": details.get("days_left")}
    valid = verdict.status == "pass" or (verdict.status == "fail" and verdict.severity == "warning")
    if valid:
        summary = f"bypass {flag} is valid until {expiry} (from {details.get('expiry_source')}; judged by {found.meta.id})"
    else:
        summary = f"{verdict.message} (judged by {found.meta.id})"
    return FlagVerdict(flag, valid, summary, where, **common)  # type: ignore[arg-type]


def coverage(entries: list[ProbeBypass], layer: EnvLayer | None, workspace: Workspace, catalog: Catalog,
             as_of: dt.date) -> Coverage:
    """Judge every enabled flag the policy's bypass entries name, in ``layer``."""
    verdicts: dict[str, FlagVerdict] = {}
    if layer is not None:
        for entry in entries:
            for flag in entry.flags:
                if flag in verdicts:
                    continue
                verdict = judge_flag(flag, layer, workspace, catalog, as_of, entry.rule)
                if verdict is not None:
                    verdicts[flag] = verdict
    return Coverage(list(entries), verdicts)
