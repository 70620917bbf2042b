"""The live stages of the gate: ``cfgate probe`` and ``cfgate run -- <command>``.

    layer = choose_layer(workspace, settings.env_layers, "staging")        # layers.py
    plan = plan_probes(workspace, catalog, layer, as_of)                    # plan.py, bypass.py, policy.py
    stage = run_probe_stage(plan, active=rule_ids, deadline_s=120)          # probe.py -> outcomes.py
    handoff = run_handoff(workspace, layer, gate, ["pytest", "-q"])         # handoff.py

Targets come from the same resolved env layer the static rules checked, and from the policy's
``probes:`` section. Outcomes are evaluations of the CFG9xx rules (:mod:`cfgate.rules.probes`), so
every reporter shows them. Only :mod:`cfgate.probes` touches the network.
"""

from __future__ import annotations

from .bypass import Cover, Coverage, FlagVerdict, coverage, judge_flag
from .handoff import (
    GateConfig,
    Handoff,
    RunSummary,
    StageRecord,
    run_handoff,
    summary_text,
    with_run_summary,
)
from .layers import choose_layer
from .listing import render_listing
from .outcomes import probe_evaluation, rule_for, unresolved_evaluation
from .plan import PlannedProbe, ProbePlan, plan_probes
from .probe import ProbeStageResult, probe_result, run_probe_stage
from .progress import ProgressPrinter

__all__ = [
    "Cover",
    "Coverage",
    "FlagVerdict",
    "GateConfig",
    "Handoff",
    "PlannedProbe",
    "ProbePlan",
    "ProbeStageResult",
    "ProgressPrinter",
    "RunSummary",
    "StageRecord",
    "choose_layer",
    "coverage",
    "judge_flag",
    "plan_probes",
    "probe_evaluation",
    "probe_result",
    "render_listing",
    "rule_for",
    "run_handoff",
    "run_probe_stage",
    "summary_text",
    "unresolved_evaluation",
    "with_run_summary",
]
