"""``cfgate run -- <command>``: the static check, then the probes, then the user's command.

The command runs only when the gate passes: no finding at or above ``--fail-on`` (a probe failure
covered by a valid bypass flag is a warning, so by default it lets the command run). It receives the
process environment with the resolved env layer on top (the layer wins: the command sees the values
the gate checked), inherits stdin, stdout and stderr untouched, and its exit code becomes cfgate's.
When it does not run, cfgate exits with the gate's code. Nothing from the scanned repo is executed
except that command, which runs without a shell; its program is looked up on cfgate's own ``PATH``,
so an env file that sets ``PATH`` cannot swap in a program from the repo.

The run summary records each stage's verdict and duration and the command's exit code: on stderr
at the end, and under ``"run"`` in JSON reports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TextIO

from pydantic import Field

from ..engine import RunOptions, exit_code, redactor_for
from ..engine import evaluate_loaded
from ..terraform.resolve import TfOptions
from ..envlayer import EnvLayer
from ..models import Evaluation, Model, RunResult
from ..probes import EventCallback
from ..rules.base import Rule
from ..rules.registry import Catalog
from ..sources import Workspace
from .plan import plan_probes
from .probe import ProbeStageResult, run_probe_stage

StageName = Literal["check", "probes", "command"]
Verdict = Literal["passed", "failed", "bypassed", "skipped"]


class StageRecord(Model):
    """One stage of a run: its verdict, how long it took and what it counted."""

    stage: StageName
    verdict: Verdict
    duration_s: float = Field(ge=0)
    note: str | None = None  # why it was skipped, or what it ran
    exit_code: int | None = None  # the command's
    counts: dict[str, int] = Field(default_factory=dict)


class RunSummary(Model):
    """The record of ``cfgate run``: every stage in order and the exit code cfgate returns."""

    stages: list[StageRecord]
    exit_code: int
    exit_code_from: Literal["command", "gate"]
    skip_probes: bool = False
    env_layer: str | None = None
    command: list[str] = Field(default_factory=list)  # redacted


@dataclass(frozen=True)
class GateConfig:
    """What the gate evaluates and how it decides: rules, catalog, the static run's options, the threshold."""

    rules: list[Rule]
    catalog: Catalog
    options: RunOptions
    fail_on: str = "error"
    fail_on_unknown: bool = False

    @property
    def as_of(self) -> dt.date:
        return self.options.as_of

    def code(self, evaluations: list[Evaluation] | tuple[Evaluation, ...]) -> int:
        result = RunResult(as_of=self.as_of, evaluations=tuple(evaluations))
        return exit_code(result, self.fail_on, self.fail_on_unknown)


@dataclass(frozen=True)
class Handoff:
    """The outcome of ``cfgate run``: the gate's evaluations (for reports) and the summary."""

    result: RunResult
    summary: RunSummary


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(evaluations: list[Evaluation] | tuple[Evaluation, ...]) -> dict[str, int]:
    return {
        "errors": sum(1 for e in evaluations if e.status == "fail" and e.severity == "error"),
        "warnings": sum(1 for e in evaluations if e.status == "fail" and e.severity == "warning"),
        "unknown": sum(1 for e in evaluations if e.status == "unknown"),
        "passed": sum(1 for e in evaluations if e.status == "pass"),
    }


def command_env(layer: EnvLayer | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The command's environment: the process environment with the layer's known values on top."""
    env = dict(os.environ if base is None else base)
    if layer is not None:
        env.update(layer.plain())
    return env


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it: ``128 + N`` for a child killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def run_command(argv: list[str], env: dict[str, str], stderr: TextIO) -> int:
    """Run ``argv`` (no shell) with inherited streams; its exit status, or 127/126 when it cannot start."""
    program = argv[0]
    if os.sep not in program and not (os.altsep and os.altsep in program):
        found = shutil.which(program, path=os.environ.get("PATH", os.defpath))  # cfgate's PATH, not the layer's
        if found is None:
            stderr.write(f"cfgate: error: command not found: {program}\n")
            return 127
        program = found
    sys.stdout.flush()
    stderr.flush()
    try:
        process = subprocess.Popen(argv, executable=program, env=env)
    except PermissionError as exc:
        stderr.write(f"cfgate: error: cannot run {argv[0]}: {exc.strerror or exc}\n")
        return 126
    except OSError as exc:
        stderr.write(f"cfgate: error: cannot run {argv[0]}: {exc.strerror or exc}\n")
        return 127 if isinstance(exc, FileNotFoundError) else 126
    interrupts = 0
    while True:
        try:
            return exit_status(process.wait())
        except KeyboardInterrupt:
            # The terminal sent SIGINT to the command as well: let it finish on its own first.
            interrupts += 1
            if interrupts == 2:
                process.send_signal(signal.SIGTERM)
            elif interrupts > 2:
                process.kill()


def _probe_verdict(stage: ProbeStageResult, gate: GateConfig) -> Verdict:
    if stage.skipped:
        return "skipped"
    if gate.code(stage.evaluations):
        return "failed"
    return "bypassed" if stage.bypassed else "passed"


def run_handoff(
    workspace: Workspace,
    layer: EnvLayer | None,
    gate: GateConfig,
    command: list[str],
    *,
    skip_probes: bool = False,
    deadline_s: float | None = None,
    on_event: EventCallback | None = None,
    stderr: TextIO | None = None,
    runner: Callable[[list[str], dict[str, str], TextIO], int] = run_command,
    tf_options: TfOptions | None = None,
) -> Handoff:
    """Check, probe, then run ``command`` if the gate passed; see the module docstring.

    ``stderr`` (default: ``sys.stderr`` at call time) gets the stage lines; ``runner`` runs the command.
    """
    stderr = sys.stderr if stderr is None else stderr
    redactor = redactor_for(workspace)
    shown_command = [redactor.scrub(part) for part in command]
    stages: list[StageRecord] = []

    started = time.monotonic()
    # exactly what `cfgate check` runs, with the same options, on the workspace already read for this run
    static = evaluate_loaded(workspace, tf_options or TfOptions(), gate.options, gate.rules)
    check_code = gate.code(static.evaluations)
    stages.append(StageRecord(stage="check", verdict="failed" if check_code else "passed",
                              duration_s=round(time.monotonic() - started, 3), counts=_counts(static.evaluations)))
    stderr.write(f"cfgate: check {stages[-1].verdict} in {stages[-1].duration_s:.2f} s\n")

    evaluations = list(static.evaluations)
    if check_code:
        probes = ProbeStageResult(skipped="the static check failed")
    elif skip_probes:
        probes = ProbeStageResult(skipped="--skip-probes")
    else:
        plan = plan_probes(workspace, gate.catalog, layer, gate.as_of)
        probes = run_probe_stage(plan, active={r.meta.id for r in gate.rules}, deadline_s=deadline_s, on_event=on_event)
        evaluations += probes.evaluations
    probe_counts = {"targets": len(probes.outcomes), "failed": sum(1 for o in probes.outcomes if not o.ok),
                    "bypassed": probes.bypassed} if not probes.skipped else {}
    stages.append(StageRecord(stage="probes", verdict=_probe_verdict(probes, gate), duration_s=probes.duration_s,
                              note=probes.skipped, counts=probe_counts))
    stderr.write(f"cfgate: probes {stages[-1].verdict}" + (f" ({probes.skipped})" if probes.skipped else
                                                          f" in {probes.duration_s:.2f} s") + "\n")

    evaluations.sort(key=Evaluation.sort_key)
    result = RunResult(as_of=gate.as_of, files=tuple(workspace.files), evaluations=tuple(evaluations))
    gate_code = gate.code(evaluations)
    if gate_code:
        stages.append(StageRecord(stage="command", verdict="skipped", duration_s=0.0, note="the gate failed"))
        stderr.write(f"cfgate: not running {shlex.join(shown_command)}: the gate failed\n")
        code, source = gate_code, "gate"
    else:
        stderr.write(f"cfgate: running {shlex.join(shown_command)}"
                     + (f" with env layer {layer.name}" if layer is not None else "") + "\n")
        started = time.monotonic()
        code = runner(command, command_env(layer), stderr)
        stages.append(StageRecord(stage="command", verdict="failed" if code else "passed",
                                  duration_s=round(time.monotonic() - started, 3), exit_code=code,
                                  note=shlex.join(shown_command)))
        source = "command"
    summary = RunSummary(stages=stages, exit_code=code, exit_code_from=source, skip_probes=skip_probes,  # type: ignore[arg-type]
                         env_layer=layer.name if layer is not None else None, command=shown_command)
    return Handoff(result, summary)


def summary_text(summary: RunSummary) -> str:
    """The run summary for stderr: one line per stage, then where the exit code comes from."""
    lines = ["cfgate: run summary"]
    for stage in summary.stages:
        verdict = f"exit {stage.exit_code}" if stage.exit_code is not None else stage.verdict
        if stage.stage == "check" or (stage.stage == "probes" and not stage.note):
            c = stage.counts
            note = (f"{_plural(c.get('errors', 0), 'error')}, {_plural(c.get('warnings', 0), 'warning')}, {c.get('unknown', 0)} unknown"
                    if stage.stage == "check" else
                    f"{_plural(c.get('targets', 0), 'target')}, {c.get('failed', 0)} failed, {c.get('bypassed', 0)} covered by a bypass")
        else:
            note = stage.note or ""
        lines.append(f"  {stage.stage:<8} {verdict:<9} {stage.duration_s:7.2f} s  {note}".rstrip())
    origin = "the command's" if summary.exit_code_from == "command" else "the gate's"
    lines.append(f"cfgate: exit code {summary.exit_code} ({origin})")
    return "\n".join(lines) + "\n"


def with_run_summary(json_report: str, summary: RunSummary) -> str:
    """A JSON report with the run summary added under ``"run"`` (the rest unchanged)."""
    document = json.loads(json_report)
    document["run"] = summary.model_dump(mode="json")
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
