"""Before and after: which values changed, by how much, and which findings are new, fixed or unchanged.

Values are matched by file and subject (``google_vpc_access_connector.connector.max_instances`` in
``vpc-connector.tf``); a subject that moved to another file, and is the only one of its name on each
side, is matched by subject alone. A value that is unknown on either side is reported as unknown,
never given a percentage. A percentage needs two numbers in the same unit and a base that is not 0.

Findings (failures, unknowns and waived failures) are matched by the fingerprint of
:mod:`cfgate.reporters.fingerprint`: rule, file, subject and value, never the line. A changed value
is therefore a different finding; the note on each side says so ("still fails with the new value 100"),
so that a finding that merely changed value is not mistaken for a fix.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..models import Evaluation, RunResult
from ..reporters.fingerprint import fingerprints
from .inventory import InventoryValue
from .model import FindingChange, InputChange, InputFile, ValueCell, ValueChange

FINDING_STATUSES = ("fail", "unknown", "waived")
_AT_LINE = re.compile(r"@\d+(?=\.|$)")
_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z%]*)\s*")

Key = tuple[str, str]  # (file, subject)


@dataclass(frozen=True)
class SideValue:
    cell: ValueCell
    rules: tuple[str, ...]
    digest: str | None = None  # of the value before redaction (see InventoryValue); compared, never shown


def side_values(result: RunResult, values: dict[Key, InventoryValue]) -> dict[Key, SideValue]:
    """Every value on one side: what the rules judged, else what the inventory found."""
    judged: dict[Key, list[Evaluation]] = {}
    for e in result.evaluations:
        judged.setdefault((e.location.file, e.subject), []).append(e)
    out: dict[Key, SideValue] = {}
    for key in sorted(set(judged) | set(values)):
        evaluations = judged.get(key, [])
        rules = tuple(sorted({e.rule for e in evaluations}))
        known = [e for e in evaluations if e.status != "unknown" and e.value is not None]
        unknown = [e for e in evaluations if e.status == "unknown"]
        listed = values.get(key)
        if known:
            cell = ValueCell("known", value=known[0].value, line=known[0].location.line)
        elif listed is not None:
            cell = listed.cell
        elif unknown:
            cell = ValueCell("unknown", reason=unknown[0].reason or "unresolved", line=unknown[0].location.line)
        else:
            continue  # a file-level check, or an evaluation without a value: nothing to compare
        out[key] = SideValue(cell, rules, listed.digest if listed is not None else None)
    return out


def number(value: Any) -> tuple[float, str] | None:
    """A number and its unit: ``100`` -> (100, ""), ``"600"`` -> (600, ""), ``"30s"`` -> (30, "s")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return (float(value), "") if math.isfinite(value) else None
    if isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        if match:
            return float(match.group(1)), match.group(2)
    return None


def percent_text(percent: float) -> str:
    """``+100%``, ``+1900%``, ``-25%``, ``+66.7%``."""
    rounded = round(percent)
    if abs(percent - rounded) < 0.05:
        return f"{rounded:+d}%"
    return f"{percent:+.1f}%"


def _same(a: ValueCell, b: ValueCell) -> bool:
    if a.state != b.state:
        return False
    if a.state == "known":
        numbers = [v for v in (a.value, b.value) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) == 2:
            return a.value == b.value  # 5 and 5.0 are one number
        return _canonical(a.value) == _canonical(b.value)
    if a.state == "unknown":
        return a.reason == b.reason
    return True


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _change(before: ValueCell, after: ValueCell, file: str, subject: str, rules: tuple[str, ...],
            base_file: str | None = None) -> ValueChange:
    old = number(before.value) if before.state == "known" else None
    new = number(after.value) if after.state == "known" else None
    percent: float | None = None
    unit = ""
    if before.state == "absent":
        text = "added, unknown" if after.state == "unknown" else "added"
    elif after.state == "absent":
        text = "removed"
    elif before.state == "unknown" and after.state == "unknown":
        text = "unknown before and after"
    elif before.state == "unknown":
        text = "unknown before"
    elif after.state == "unknown":
        text = "unknown after"
    elif old is not None and new is not None and old[1] == new[1]:
        unit = old[1]
        if old[0] == 0:
            text = "from 0"
        else:
            percent = (new[0] - old[0]) / abs(old[0]) * 100
            text = percent_text(percent)
    else:
        text = "changed"
    numeric = old is not None and new is not None and old[1] == new[1]
    return ValueChange(file=file, subject=subject, before=before, after=after, change=text, percent=percent,
                       before_number=old[0] if numeric and old else None, after_number=new[0] if numeric and new else None,
                       unit=unit, rules=rules, base_file=base_file)


def value_changes(base: dict[Key, SideValue], head: dict[Key, SideValue]) -> tuple[ValueChange, ...]:
    """Every value that differs, sorted by file, line and subject."""
    absent = ValueCell("absent")
    changes: list[ValueChange] = []
    only_base = sorted(set(base) - set(head))
    only_head = sorted(set(head) - set(base))
    for key in sorted(set(base) & set(head)):
        b, a = base[key], head[key]
        if not _same(b.cell, a.cell):
            changes.append(_change(b.cell, a.cell, key[0], key[1], tuple(sorted(set(b.rules) | set(a.rules)))))
        elif b.digest and a.digest and b.digest != a.digest:  # equal once redacted: a rotated secret
            changes.append(replace(_change(b.cell, a.cell, key[0], key[1], tuple(sorted(set(b.rules) | set(a.rules)))),
                                   change="changed (redacted)", percent=None, before_number=None, after_number=None))
    # the rest pair up when they are the only one of their kind on each side: first a subject that moved to
    # another file, then one whose name carries its line (a pool built in a call: create_async_engine@19)
    for loose in (lambda key: key[1], lambda key: (key[0], _AT_LINE.sub("@", key[1]))):
        pairs = _unique_pairs(only_base, only_head, loose)
        for b_key, a_key in pairs:
            b, a = base[b_key], head[a_key]
            if not _same(b.cell, a.cell):  # moved with the same value: not a changed value
                changes.append(_change(b.cell, a.cell, a_key[0], a_key[1], tuple(sorted(set(b.rules) | set(a.rules))),
                                       base_file=b_key[0] if b_key[0] != a_key[0] else None))
        paired_base, paired_head = {b for b, _ in pairs}, {a for _, a in pairs}
        only_base = [k for k in only_base if k not in paired_base]
        only_head = [k for k in only_head if k not in paired_head]
    for key in only_base:
        changes.append(_change(base[key].cell, absent, key[0], key[1], base[key].rules))
    for key in only_head:
        changes.append(_change(absent, head[key].cell, key[0], key[1], head[key].rules))
    changes.sort(key=lambda c: (c.file, c.after.line or c.before.line or 0, c.subject))
    return tuple(changes)


def _unique_pairs(base: list[Key], head: list[Key], loose: Callable[[Key], Any]) -> list[tuple[Key, Key]]:
    """Pairs of keys that share a loose identity which is unique on both sides."""
    base_count = Counter(loose(k) for k in base)
    head_by = {}
    head_count: Counter[Any] = Counter()
    for k in head:
        head_count[loose(k)] += 1
        head_by[loose(k)] = k
    return [(k, head_by[loose(k)]) for k in base if base_count[loose(k)] == 1 and head_count.get(loose(k)) == 1]


def _findings(result: RunResult) -> dict[str, Evaluation]:
    comparable = [e for e in result.evaluations if e.status in FINDING_STATUSES]
    return dict(zip(fingerprints(comparable), comparable))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return _canonical(value)


def _entry(e: Evaluation, fp: str, before: str | None, after: str | None, note: str | None) -> FindingChange:
    return FindingChange(rule=e.rule, name=e.name, severity=e.severity, file=e.location.file, line=e.location.line,
                         subject=e.subject, value=e.value, message=e.message, status_before=before, status_after=after,
                         fingerprint=fp, note=note)


def _by_subject(evaluations: Iterable[Evaluation]) -> dict[tuple[str, str, str], list[Evaluation]]:
    out: dict[tuple[str, str, str], list[Evaluation]] = {}
    for e in evaluations:
        out.setdefault((e.rule, e.location.file, e.subject), []).append(e)
    return out


def _other_side(e: Evaluation, other: dict[tuple[str, str, str], list[Evaluation]], other_files: set[str],
                now: bool) -> str | None:
    """What the same rule says about the same subject on the other side, as a note."""
    twins = other.get((e.rule, e.location.file, e.subject), [])
    findings = [t for t in twins if t.status in FINDING_STATUSES]
    verb = {"fail": "fails", "unknown": "is unknown", "waived": "is waived", "pass": "passes"}
    if findings:
        t = findings[0]
        return (f"still {verb[t.status]} with the new value {_show(t.value)}" if now
                else f"{'failed' if t.status == 'fail' else verb[t.status]} before with the value {_show(t.value)}")
    if twins:
        t = twins[0]
        return f"passes now with the value {_show(t.value)}" if now else f"passed before with the value {_show(t.value)}"
    if e.location.file not in other_files:
        return "the file is gone" if now else "a new file"
    return "no longer present" if now else "not present before"


def finding_changes(base: RunResult, head: RunResult) -> tuple[tuple[FindingChange, ...], tuple[FindingChange, ...], tuple[FindingChange, ...]]:
    """``(new, fixed, unchanged)`` findings, each sorted by file, line and rule."""
    before, after = _findings(base), _findings(head)
    base_subjects, head_subjects = _by_subject(base.evaluations), _by_subject(head.evaluations)
    base_files, head_files = set(base.files), set(head.files)
    new = [_entry(e, fp, None, e.status, _other_side(e, base_subjects, base_files, now=False))
           for fp, e in after.items() if fp not in before]
    fixed = [_entry(e, fp, e.status, None, _other_side(e, head_subjects, head_files, now=True))
             for fp, e in before.items() if fp not in after]
    unchanged = [_entry(e, fp, before[fp].status, e.status,
                        None if before[fp].status == e.status else f"{before[fp].status} before, {e.status} now")
                 for fp, e in after.items() if fp in before]

    def order(items: list[FindingChange]) -> tuple[FindingChange, ...]:
        return tuple(sorted(items, key=lambda c: (c.file, c.line, c.rule, c.subject, c.fingerprint)))

    return order(new), order(fixed), order(unchanged)


def input_changes(base: tuple[InputFile, ...], head: tuple[InputFile, ...]) -> tuple[InputChange, ...]:
    """Each input file on either side, by its sha256."""
    old = {f.file: f.sha256 for f in base}
    new = {f.file: f.sha256 for f in head}
    out = []
    for file in sorted(set(old) | set(new)):
        if file not in old:
            change = "added"
        elif file not in new:
            change = "removed"
        else:
            change = "unchanged" if old[file] == new[file] else "modified"
        out.append(InputChange(file, old.get(file), new.get(file), change))  # type: ignore[arg-type]
    return tuple(out)
