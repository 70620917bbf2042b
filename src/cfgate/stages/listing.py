"""``cfgate probe --list``: the planned targets, redacted, with where each came from."""

from __future__ import annotations

import json
from typing import Any

from .plan import PlannedProbe, ProbePlan


def _timing(probe: PlannedProbe) -> str:
    target = probe.target
    if target is None:
        return f"not probed: {probe.unresolved}"
    parts = [f"timeout {target.timeout_s:g} s", f"{target.attempts} attempt{'s' if target.attempts != 1 else ''}"]
    if target.warmup_s:
        parts.append(f"warm-up {target.warmup_s:g} s")
    if target.kind == "http":
        parts.append(f"expect {target.expect_status}")
    return ", ".join(parts)


def _cover(probe: PlannedProbe) -> str:
    if probe.cover.valid is not None:
        return f"bypass {probe.cover.valid.flag} valid until {probe.cover.valid.expiry}"
    if probe.cover.ignored:
        return "bypass ignored: " + ", ".join(v.flag for v in probe.cover.ignored)
    return ""


def _row(probe: PlannedProbe) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": probe.name, "kind": probe.kind, "address": probe.address, "origin": probe.origin,
        "file": probe.location.file, "line": probe.location.line,
    }
    if probe.target is not None:
        target = probe.target
        row.update(timeout_s=target.timeout_s, attempts=target.attempts, warmup_s=target.warmup_s,
                   backoff_base_s=target.backoff_base_s, backoff_max_s=target.backoff_max_s, jitter=target.jitter)
        if target.kind == "http":
            row["expect_status"] = target.expect_status
    else:
        row["unresolved"] = probe.unresolved
    if probe.cover.valid is not None:
        row["bypass"] = probe.cover.valid.as_details()
    if probe.cover.ignored:
        row["bypass_ignored"] = [v.as_details() for v in probe.cover.ignored]
    return row


def render_listing(plan: ProbePlan, fmt: str = "text", deadline_s: float | None = None) -> str:
    """The targets as text (aligned columns) or JSON. Addresses are redacted; nothing is probed."""
    deadline = deadline_s if deadline_s is not None else plan.deadline_s
    if fmt == "json":
        document = {
            "env_layer": plan.layer.name if plan.layer else None,
            "policy": plan.policy.file,
            "deadline_s": deadline,
            "max_timeout_s": plan.policy.spec.max_timeout_s,
            "targets": [_row(p) for p in plan.probes],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    count = len(plan.probes)
    context = [f"env layer {plan.layer.name}" if plan.layer else "no env layer"]
    if plan.policy.file:
        context.append(f"policy {plan.policy.file}")
    context.append(f"deadline {deadline:g} s" if deadline is not None else "no deadline")
    lines = [f"{count} probe target{'s' if count != 1 else ''} ({'; '.join(context)})"]
    rows = [(p.name, p.kind, p.address, p.where, _timing(p), _cover(p)) for p in plan.probes]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(4)]
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
        tail = "; ".join(part for part in row[4:] if part)
        lines.append(f"  {head}  {tail}".rstrip())
    return "\n".join(lines) + "\n"
