"""Runner behaviour that needs no server: backoff, edge cases, cheap import."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time

import pytest

from cfgate.probes import ProbeEvent, ProbeTarget, ProgressLine, backoff_delay, run_probes, run_probes_async


def target(**policy: object) -> ProbeTarget:
    return ProbeTarget(**{"name": "t", "kind": "dns", "address": "localhost", "timeout_s": 1.0, **policy})


def test_backoff_is_exponential_and_capped() -> None:
    policy = target(backoff_base_s=1.0, backoff_max_s=5.0, jitter=False)
    assert [backoff_delay(policy, n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_backoff_jitter_stays_within_half_to_full_delay() -> None:
    policy = target(backoff_base_s=2.0, backoff_max_s=30.0, jitter=True)
    rng = random.Random(7)
    for failures in range(1, 8):
        full = min(30.0, 2.0 * 2 ** (failures - 1))
        assert full / 2 <= backoff_delay(policy, failures, rng) <= full


def test_no_targets() -> None:
    events: list[ProbeEvent] = []
    assert run_probes([], deadline_s=1, on_event=events.append) == []
    assert [e.type for e in events] == ["stage_start", "stage_end"]


def test_zero_deadline_runs_no_attempt() -> None:
    [outcome] = run_probes([target()], deadline_s=0)
    assert not outcome.ok and outcome.deadline_reached
    assert outcome.error == "deadline reached after 0 attempts"


def test_invalid_address_is_not_retried() -> None:
    [outcome] = run_probes([target(kind="tcp", address="no-port-here", attempts=3)], deadline_s=5)
    assert not outcome.ok and len(outcome.attempts) == 1
    assert "expected host:port" in (outcome.error or "")


def test_event_callback_errors_propagate() -> None:
    def explode(event: ProbeEvent) -> None:
        if event.type == "attempt_start":
            raise RuntimeError("display broke")

    with pytest.raises(RuntimeError, match="display broke"):
        run_probes([target()], deadline_s=5, on_event=explode)


def test_sync_runner_refuses_a_running_loop_and_async_runner_works() -> None:
    async def main() -> bool:
        with pytest.raises(RuntimeError, match="run_probes_async"):
            run_probes([target()])
        [outcome] = await run_probes_async([target()], deadline_s=5)
        return outcome.ok

    assert asyncio.run(main())


def test_outcomes_keep_target_order() -> None:
    names = [f"t{i}" for i in range(5)]
    outcomes = run_probes([target(name=n) for n in names], deadline_s=5)
    assert [o.target for o in outcomes] == names


def test_import_is_cheap() -> None:
    code = (
        "import sys, cfgate.probes\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'redis', 'psycopg_binary'))\n"
        "assert not heavy, heavy\n"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert time.monotonic() - started < 10


def test_progress_line_follows_the_stage() -> None:
    line = ProgressLine()
    seen: list[str] = []

    def on_event(event: ProbeEvent) -> None:
        line.update(event)
        seen.append(line.render())

    targets = [target(name="a"), target(name="b", kind="tcp", address="no-port-here")]
    run_probes(targets, deadline_s=5, on_event=on_event)
    assert seen[0] == "probing 0/2 done, 0 failed"
    assert any("a attempt 1" in s for s in seen)
    assert seen[-1] == "probing 2/2 done, 1 failed"
    assert len(line.render(width=10)) == 10
