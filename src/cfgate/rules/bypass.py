"""``bypass`` policy rules: an enabled emergency flag must carry an expiry, near enough, not yet passed.

Where the expiry comes from, in order: an inline comment on the flag (``# expires: 2025-09-18``),
the comment block directly above it, a key named after the flag (``<FLAG>_EXPIRY``), then any
expiry key in the same file (the one sharing the longest prefix with the flag). An expiry is valid
through the whole of its day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from os.path import commonprefix
from typing import Iterable

from ..entities import select
from ..models import EnvEntry, EnvFile, Evaluation, Location, RuleMeta
from ..policies.model import BypassRule, as_tuple
from .base import Context, evaluation


@dataclass(frozen=True)
class Expiry:
    text: str  # the raw date text
    source: str  # human description: "EMERGENCY_BYPASS_EXPIRY in .env.staging.tests:14"
    location: Location


def parse_date(text: str) -> dt.date | None:
    cleaned = text.strip().strip("\"'").rstrip(").,;]")
    try:
        return dt.date.fromisoformat(cleaned[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", cleaned) else None
    except ValueError:
        return None


class BypassPolicyRule:
    def __init__(self, meta: RuleMeta, spec: BypassRule) -> None:
        self.meta = meta
        self.spec = spec
        self.pattern = re.compile(spec.bypass.comment_pattern)

    def evaluate(self, ctx: Context) -> Iterable[Evaluation]:
        files = {env.path: env for env in ctx.workspace.env}
        enabled_values = {v.lower() for v in self.spec.bypass.enabled_values}
        for entity in select(self.spec.select, ctx.entities):
            env = files.get(entity.file)
            entry = env.get(entity.key) if env else None
            if env is None or entry is None:
                continue
            value = (entry.value or "").strip()
            if value.lower() not in enabled_values:
                yield evaluation(self.meta, "pass", f"{entry.key} is not enabled ({value or 'empty'})",
                                 entry.location, entry.key, entry.value, key=entry.key)
                continue
            yield self._judge(entry, self._expiry(env, entry), ctx.as_of)

    def _expiry(self, env: EnvFile, entry: EnvEntry) -> Expiry | None:
        if entry.comment:
            match = self.pattern.search(entry.comment)
            if match:
                return Expiry(match.group("date") if "date" in match.groupdict() else match.group(1),
                              f"the comment on {env.path}:{entry.location.line}", entry.location)
        for offset, comment in enumerate(reversed(entry.comments_above), start=1):
            match = self.pattern.search(comment)
            if match:
                line = entry.location.line - offset
                return Expiry(match.group("date") if "date" in match.groupdict() else match.group(1),
                              f"the comment at {env.path}:{line}", Location(file=env.path, line=line))
        globs = as_tuple(self.spec.bypass.expiry_keys)
        effective = {e.key: e for e in env.entries}
        candidates = [e for e in effective.values() if e.key != entry.key and any(fnmatchcase(e.key, g) for g in globs)]
        if not candidates:
            return None
        own = [e for e in candidates if any(fnmatchcase(e.key, g.replace("*", entry.key, 1)) for g in globs if g.startswith("*"))]
        chosen = own[0] if own else max(candidates, key=lambda e: (len(commonprefix([e.key, entry.key])), -e.location.line))
        return Expiry(chosen.value or "", f"{chosen.key} in {env.path}:{chosen.location.line}", chosen.location)

    def _judge(self, entry: EnvEntry, expiry: Expiry | None, as_of: dt.date) -> Evaluation:
        spec = self.spec.bypass
        key = entry.key
        base = f"bypass flag {key}={entry.value}"
        if expiry is None:
            return evaluation(self.meta, "fail", f"{base} has no expiry: add {key}_EXPIRY=YYYY-MM-DD or '# expires: YYYY-MM-DD'",
                              entry.location, key, entry.value, key=key, details={"expiry": None})
        date = parse_date(expiry.text)
        details = {"expiry": date.isoformat() if date else expiry.text, "expiry_source": expiry.source}
        if date is None:
            return evaluation(self.meta, "fail", f"{base}: cannot read the expiry {expiry.text!r} from {expiry.source}; write it as YYYY-MM-DD",
                              entry.location, key, entry.value, key=key, details=details)
        days = (date - as_of).days
        details["days_left"] = days
        if days < 0:
            return evaluation(self.meta, "fail", f"{base} expired on {date} ({-days} day{'s' if days != -1 else ''} ago, from {expiry.source}); remove it",
                              entry.location, key, entry.value, key=key, details=details)
        if days > spec.max_window_days:
            return evaluation(self.meta, "fail", f"{base} expires on {date}, {days} days ahead: more than the {spec.max_window_days} days allowed (from {expiry.source})",
                              entry.location, key, entry.value, key=key, details=details)
        if days <= spec.warn_days:
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            return evaluation(self.meta, "fail", f"{base} expires {when}, on {date} (from {expiry.source}); remove or renew it",
                              entry.location, key, entry.value, key=key, severity="warning", details=details)
        return evaluation(self.meta, "pass", f"{base} expires on {date}, in {days} days (from {expiry.source})",
                          entry.location, key, entry.value, key=key, details=details)
