"""Probe outcomes as ordinary evaluations of the CFG9xx rules, so every reporter shows them.

Which rule an outcome belongs to:

* success, or a failure to connect, resolve or get the expected answer: CFG901 (pass or fail);
* credentials refused: CFG902; the stage deadline passed first: CFG903;
* the driver is not installed: CFG904, ``unknown`` (cfgate cannot tell), with the extra to install.

A failure covered by a valid bypass flag is a ``warning`` whose message names the flag and its
expiry; with no valid flag it keeps the rule's severity, and every enabled flag that could have
covered it is named with the reason it was ignored. The message carries the attempts, their
latencies and the resolved addresses (text output shows messages only); ``details`` has the same
facts structured, for JSON, SARIF and JUnit.
"""

from __future__ import annotations

from typing import Any

from ..models import Evaluation, RuleMeta
from ..probes import INSTALL_HINT, ProbeOutcome
from ..rules.base import evaluation
from ..rules.probes import (
    PROBE_AUTH_FAILED,
    PROBE_DEADLINE,
    PROBE_DRIVER_MISSING,
    PROBE_UNREACHABLE,
)
from .plan import PlannedProbe


def rule_for(outcome: ProbeOutcome) -> RuleMeta:
    """The probe rule an outcome is an evaluation of."""
    error = outcome.error or ""
    if outcome.ok:
        return PROBE_UNREACHABLE
    if outcome.deadline_reached:
        return PROBE_DEADLINE
    if INSTALL_HINT in error:
        return PROBE_DRIVER_MISSING
    if error.startswith("authentication failed"):
        return PROBE_AUTH_FAILED
    return PROBE_UNREACHABLE


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _attempts_text(outcome: ProbeOutcome) -> str:
    count = len(outcome.attempts)
    if not count:
        return "no attempt started"
    latencies = ", ".join(_ms(a.latency_ms) for a in outcome.attempts)
    return f"{count} attempt{'s' if count != 1 else ''} ({latencies})"


def _details(probe: PlannedProbe, outcome: ProbeOutcome | None) -> dict[str, Any]:
    target = probe.target
    details: dict[str, Any] = {
        "probe": probe.name, "kind": probe.kind, "address": probe.address, "origin": probe.origin, "source": probe.where,
    }
    if target is not None:
        details.update(timeout_s=target.timeout_s, max_attempts=target.attempts, warmup_s=target.warmup_s)
    if outcome is not None:
        details.update(
            attempts=[a.model_dump() for a in outcome.attempts],
            latency_ms=[a.latency_ms for a in outcome.attempts],
            resolved_addresses=list(outcome.resolved_addresses),
            duration_s=outcome.duration_s,
            deadline_reached=outcome.deadline_reached,
        )
        if outcome.detail:
            details["detail"] = outcome.detail
        if outcome.error:
            details["error"] = outcome.error
    if probe.cover.valid is not None:
        details["bypass"] = probe.cover.valid.as_details()
    if probe.cover.ignored:
        details["bypass_ignored"] = [v.as_details() for v in probe.cover.ignored]
    return details


def probe_evaluation(probe: PlannedProbe, outcome: ProbeOutcome) -> Evaluation:
    """The evaluation for one probe's outcome, at the line its target came from."""
    meta = rule_for(outcome)
    head = f"{probe.name} [{probe.kind}] {probe.address}"
    resolved = f"; resolved to {', '.join(outcome.resolved_addresses)}" if outcome.resolved_addresses else ""
    facts = f"{_attempts_text(outcome)}{resolved}"
    details = _details(probe, outcome)
    if outcome.ok:
        return evaluation(meta, "pass", f"{head}: {outcome.detail or 'ok'}; {facts}", probe.location, probe.name,
                          probe.address, details=details)
    error = outcome.error or "failed"
    if meta is PROBE_DRIVER_MISSING:
        return evaluation(meta, "unknown", f"{head}: not probed: {error}", probe.location, probe.name, probe.address,
                          reason=error, details=details)
    message = f"{head}: {error}; {facts}"
    severity = meta.severity
    if probe.cover.valid is not None:
        severity = "warning"
        message += f"; failure tolerated as a warning: {probe.cover.valid.summary}"
    for ignored in probe.cover.ignored:
        message += f"; bypass {ignored.flag} ignored: {ignored.summary}"
    return evaluation(meta, "fail", message, probe.location, probe.name, probe.address, severity=severity, details=details)


def unresolved_evaluation(probe: PlannedProbe) -> Evaluation:
    """An unknown evaluation for a policy target whose address the env layer cannot resolve."""
    reason = probe.unresolved or "the address cannot be resolved"
    return evaluation(PROBE_UNREACHABLE, "unknown", f"{probe.name} [{probe.kind}] not probed: {reason}", probe.location,
                      probe.name, probe.address, reason=reason, details=_details(probe, None))
