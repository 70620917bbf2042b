"""The probe stage: plan, probe concurrently within the deadline, and return evaluations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..engine import redactor_for
from ..models import Evaluation, RunResult
from ..probes import EventCallback, ProbeOutcome, run_probes
from ..rules.probes import PROBE_RULE_IDS
from .outcomes import probe_evaluation, unresolved_evaluation
from .plan import ProbePlan


@dataclass
class ProbeStageResult:
    """What the stage found: evaluations (sorted, scrubbed), raw outcomes and how long it took."""

    evaluations: list[Evaluation] = field(default_factory=list)
    outcomes: list[ProbeOutcome] = field(default_factory=list)
    duration_s: float = 0.0
    skipped: str | None = None  # why the stage did not probe

    @property
    def bypassed(self) -> int:
        """Failures softened to warnings by a valid bypass flag."""
        return sum(1 for e in self.evaluations if e.status == "fail" and "bypass" in e.details)


def _scrub(evaluations: list[Evaluation], plan: ProbePlan) -> list[Evaluation]:
    """The engine's second net: remove every secret seen in the inputs from every text field."""
    redactor = redactor_for(plan.workspace)
    return [
        e.model_copy(update={
            "message": redactor.scrub(e.message), "value": redactor.scrub(e.value), "reason": redactor.scrub(e.reason),
            "details": redactor.scrub(e.details), "subject": redactor.scrub(e.subject),
        })
        for e in evaluations
    ]


def run_probe_stage(plan: ProbePlan, *, active: set[str], deadline_s: float | None = None,
                    on_event: EventCallback | None = None) -> ProbeStageResult:
    """Probe every planned target; keep the evaluations of the ``active`` rule ids.

    ``deadline_s`` bounds the whole stage (default: the policy's ``probes.deadline_s``). When no
    probe rule is active (``--ignore CFG9``, ``--select CFG2``) nothing is probed.
    """
    if not active & PROBE_RULE_IDS:
        return ProbeStageResult(skipped="no probe rule (CFG9xx) is selected")
    started = time.monotonic()
    runnable = [p for p in plan.probes if p.target is not None]
    deadline = deadline_s if deadline_s is not None else plan.deadline_s
    outcomes = run_probes([p.target for p in runnable if p.target is not None], deadline_s=deadline, on_event=on_event)
    by_name = {o.target: o for o in outcomes}
    evaluations: list[Evaluation] = []
    for probe in plan.probes:
        if probe.target is None:
            evaluations.append(unresolved_evaluation(probe))
        elif probe.name in by_name:
            evaluations.append(probe_evaluation(probe, by_name[probe.name]))
    kept = [e for e in _scrub(evaluations, plan) if e.rule in active]
    kept.sort(key=Evaluation.sort_key)
    return ProbeStageResult(kept, outcomes, round(time.monotonic() - started, 3))


def probe_result(plan: ProbePlan, stage: ProbeStageResult) -> RunResult:
    """The stage's evaluations as a run result (the shape every reporter takes)."""
    return RunResult(as_of=plan.as_of, files=tuple(plan.workspace.files), evaluations=tuple(stage.evaluations))
