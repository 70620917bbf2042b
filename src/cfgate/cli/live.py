"""`cfgate probe` and `cfgate run -- COMMAND`: the live probe stage and the test hand-off."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer
import typer.core


from .app import app
from .common import DeadlineOpt, Failure, _Gate, _emit, _gate, INPUT_OPTIONS, REPORT_OPTIONS, shared_options


# --- The live stages: probe and run --------------------------------------------------------------


def _live_inputs(gate: _Gate, deadline: Optional[float]) -> tuple[Any, Any, Any]:
    """The workspace (read once, with the --var-file files), its Terraform options, and the env layer the live
    stages use (one layer: --env-layer, the setting, or the only one)."""
    from ..engine import load
    from ..stages import choose_layer

    if deadline is not None and deadline <= 0:
        raise Failure(f"--deadline {deadline:g}: give a number of seconds above 0")
    workspace, tf_options = load(gate.options)
    layer = choose_layer(workspace, gate.settings.env_layers, gate.options.env_layer)
    if layer is not None and layer.missing:
        print(f"cfgate: warning: env layer {layer.name}: no such file among the inputs: {', '.join(layer.missing)}", file=sys.stderr)
    return workspace, tf_options, layer


@app.command()
@shared_options(INPUT_OPTIONS, REPORT_OPTIONS)
def probe(
    shared: dict[str, Any],
    deadline: DeadlineOpt = None,
    list_targets: Annotated[bool, typer.Option("--list", help="Only list the targets (secrets redacted) and where each comes from.")] = False,
) -> None:
    """Probe the endpoints the resolved configuration and the policy name (dns, tcp, postgres, redis, http)."""
    from ..stages import ProgressPrinter, plan_probes, probe_result, render_listing, run_probe_stage

    gate = _gate(**shared)
    workspace, _, layer = _live_inputs(gate, deadline)
    plan = plan_probes(workspace, gate.catalog, layer, gate.options.as_of)
    if list_targets:
        _emit(render_listing(plan, "json" if gate.fmt == "json" else "text", deadline), gate.output)
        raise typer.Exit(0)
    stage = run_probe_stage(plan, active={r.meta.id for r in gate.rules}, deadline_s=deadline, on_event=ProgressPrinter(sys.stderr))
    if stage.skipped:
        print(f"cfgate: nothing probed: {stage.skipped}", file=sys.stderr)
    result = probe_result(plan, stage)
    gate.write(result)
    raise typer.Exit(gate.exit_code(result))


class _CommandAfterDashes(typer.core.TyperCommand):
    """A command whose arguments after the first ``--`` are the command line to hand off to, untouched."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            args, ctx.meta["cfgate.command"] = args[:at], args[at + 1:]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "-- COMMAND [ARGS]..."]


@app.command("run", cls=_CommandAfterDashes)
@shared_options(INPUT_OPTIONS, REPORT_OPTIONS)
def run_tests(
    ctx: typer.Context,
    shared: dict[str, Any],
    deadline: DeadlineOpt = None,
    skip_probes: Annotated[bool, typer.Option("--skip-probes", help="Skip the probe stage (recorded in the run summary).")] = False,
) -> None:
    """Check, probe, then run the command after -- (with the env layer in its environment) if the gate passes.

    Exits with the command's exit code when it ran, else with the gate's. Example: cfgate run . -- pytest -q
    """
    from dataclasses import replace

    from ..stages import GateConfig, ProgressPrinter, run_handoff, summary_text

    command = list(ctx.meta.get("cfgate.command") or [])
    if not command:
        raise Failure("give the command to run after --, e.g. cfgate run . -- pytest -q")
    gate = _gate(**shared)
    workspace, tf_options, layer = _live_inputs(gate, deadline)
    # the static check resolves env values with the very layer the command will receive
    options = replace(gate.options, env_layer=layer.name) if layer is not None else gate.options
    handoff = run_handoff(workspace, layer, GateConfig(gate.rules, gate.catalog, options, gate.threshold, gate.fail_on_unknown),
                          command, skip_probes=skip_probes, deadline_s=deadline, on_event=ProgressPrinter(sys.stderr),
                          tf_options=tf_options)
    gate.write(handoff.result, handoff.summary)
    sys.stderr.write(summary_text(handoff.summary))
    raise typer.Exit(handoff.summary.exit_code)


