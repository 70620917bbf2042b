"""Run probes concurrently, with per-attempt timeouts, backoff, warm-up and a stage deadline.

:func:`run_probes` is the synchronous entry point (it owns a fresh event loop);
:func:`run_probes_async` does the same inside a running loop.

Time bounds, from the inside out:

* every attempt is wrapped in ``asyncio.wait_for(check, min(timeout_s, time left))``;
* a retry never sleeps past the stage deadline: when the next attempt could not start before
  it, the target ends at once with ``deadline reached after N attempts``;
* a last-resort guard cancels whatever is still running shortly after the deadline
  (:data:`DEADLINE_GRACE_S`), so even a check that ignores cancellation cannot stretch the
  stage; the synchronous runner also runs blocking resolver calls in detached daemon threads,
  which it never waits for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import random
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .common import Observation, ProbeError
from .models import EventType, ProbeAttempt, ProbeEvent, ProbeKind, ProbeOutcome, ProbeTarget
from .redact import one_line, scrub, secrets_of

EventCallback = Callable[[ProbeEvent], None]
Check = Callable[[ProbeTarget, float, Observation], Awaitable[None]]

DEADLINE_GRACE_S = 0.25
"""How long after the deadline the guard waits before cancelling a straggler."""


def _checks() -> dict[ProbeKind, Check]:
    from .drivers import check_postgres, check_redis
    from .net import check_dns, check_http, check_tcp

    return {
        "dns": check_dns,
        "tcp": check_tcp,
        "http": check_http,
        "postgres": check_postgres,
        "redis": check_redis,
    }


def backoff_delay(target: ProbeTarget, failures: int, rng: random.Random | None = None) -> float:
    """Delay after the ``failures``-th failed attempt: exponential, capped, optionally jittered."""
    delay = min(target.backoff_max_s, target.backoff_base_s * 2.0 ** max(failures - 1, 0))
    if target.jitter and delay > 0:
        low = delay / 2
        delay = rng.uniform(low, delay) if rng is not None else random.uniform(low, delay)
    return delay


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class _Progress:
    """The record of one target, shared with the deadline guard."""

    target: ProbeTarget
    started: float = 0.0
    attempts: list[ProbeAttempt] = field(default_factory=list)
    seen: Observation = field(default_factory=Observation)

    def outcome(self, now: float, *, ok: bool, error: str | None, deadline: bool = False) -> ProbeOutcome:
        return ProbeOutcome(
            target=self.target.name,
            kind=self.target.kind,
            ok=ok,
            address=self.target.redacted_address,
            attempts=list(self.attempts),
            resolved_addresses=list(self.seen.resolved),
            error=error,
            detail=self.seen.detail if ok else None,
            duration_s=round(max(now - self.started, 0.0), 3),
            source=self.target.source,
            deadline_reached=deadline,
        )

    def deadline_outcome(self, now: float) -> ProbeOutcome:
        last = self.attempts[-1].error if self.attempts else None
        error = f"deadline reached after {_plural(len(self.attempts), 'attempt')}"
        if last:
            error += f" (last error: {last})"
        return self.outcome(now, ok=False, error=error, deadline=True)


class _Stage:
    """One run of the probe stage: the clock, the deadline and the event sink."""

    def __init__(self, deadline_s: float | None, on_event: EventCallback | None) -> None:
        self.loop = asyncio.get_running_loop()
        self.start = self.loop.time()
        self.end = math.inf if deadline_s is None else self.start + max(deadline_s, 0.0)
        self.deadline_s = deadline_s
        self.on_event = on_event
        self.checks = _checks()

    def now(self) -> float:
        return self.loop.time()

    def left(self) -> float:
        return self.end - self.now()

    def emit(self, type_: EventType, **fields: Any) -> None:
        if self.on_event is not None:
            self.on_event(ProbeEvent(type=type_, elapsed_s=round(self.now() - self.start, 3), **fields))

    async def attempt(self, progress: _Progress, number: int) -> tuple[bool, str | None, bool]:
        """Run one attempt: returns (ok, scrubbed error, retryable)."""
        target = progress.target
        budget = min(target.timeout_s, self.left())
        max_attempts = None if target.warmup_s > 0 else target.attempts
        self.emit("attempt_start", target=target.name, kind=target.kind, attempt=number, max_attempts=max_attempts)
        began = self.now()
        ok, error, retryable = False, None, True
        try:
            await asyncio.wait_for(self.checks[target.kind](target, budget, progress.seen), budget)
            ok = True
        except TimeoutError:
            error = f"timed out after {budget:.3g} s"
        except ProbeError as exc:
            error, retryable = exc.message, exc.retryable
        except OSError as exc:
            error = exc.strerror or str(exc) or type(exc).__name__
        except Exception as exc:  # an unexpected driver failure is a failed attempt, not a crash
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            error = one_line(scrub(error, secrets_of(target.address)))
        latency_ms = round((self.now() - began) * 1000, 1)
        progress.attempts.append(ProbeAttempt(number=number, ok=ok, latency_ms=latency_ms, error=error))
        self.emit(
            "attempt_end",
            target=target.name,
            kind=target.kind,
            attempt=number,
            max_attempts=max_attempts,
            ok=ok,
            latency_ms=latency_ms,
            message=error,
        )
        return ok, error, retryable

    async def probe(self, progress: _Progress) -> ProbeOutcome:
        """Retry one target until success, a final failure, or the deadline."""
        target = progress.target
        progress.started = self.now()
        warm_end = progress.started + target.warmup_s
        number = 0
        while True:
            if self.left() <= 0:
                return self._done(progress.deadline_outcome(self.now()))
            number += 1
            ok, error, retryable = await self.attempt(progress, number)
            if ok:
                return self._done(progress.outcome(self.now(), ok=True, error=None))
            now = self.now()
            if not retryable:
                return self._done(progress.outcome(now, ok=False, error=error))
            in_warmup = now < warm_end
            if number >= target.attempts and not in_warmup:
                if self.left() <= 0:
                    return self._done(progress.deadline_outcome(now))
                summary = f"failed after {_plural(number, 'attempt')}"
                if target.warmup_s > 0:
                    summary += f" and a {target.warmup_s:g} s warm-up"
                return self._done(progress.outcome(now, ok=False, error=f"{error} ({summary})"))
            delay = backoff_delay(target, number)
            if in_warmup and number >= target.attempts:
                delay = min(delay, warm_end - now)  # last try lands at the end of the warm-up
            if now + delay >= self.end:
                return self._done(progress.deadline_outcome(now))
            self.emit(
                "retry_wait",
                target=target.name,
                kind=target.kind,
                attempt=number,
                delay_s=round(delay, 3),
                message=error,
            )
            await asyncio.sleep(delay)

    def _done(self, outcome: ProbeOutcome) -> ProbeOutcome:
        self.emit(
            "target_done",
            target=outcome.target,
            kind=outcome.kind,
            ok=outcome.ok,
            message=outcome.error,
            outcome=outcome,
        )
        return outcome


async def run_probes_async(
    targets: Sequence[ProbeTarget],
    deadline_s: float | None = None,
    on_event: EventCallback | None = None,
) -> list[ProbeOutcome]:
    """Probe ``targets`` concurrently; outcomes come back in the order of ``targets``.

    ``deadline_s`` bounds the whole stage (None: no bound beyond each target's own policy).
    ``on_event`` is called synchronously with each :class:`ProbeEvent`; an exception it raises
    aborts the stage and propagates.
    """
    stage = _Stage(deadline_s, on_event)
    stage.emit("stage_start", total=len(targets), deadline_s=deadline_s)
    records = [_Progress(target) for target in targets]
    for record in records:
        record.started = stage.start
    tasks = [asyncio.ensure_future(stage.probe(record)) for record in records]
    outcomes: list[ProbeOutcome] = []
    try:
        if tasks:
            timeout = None if stage.end == math.inf else max(stage.left(), 0.0) + DEADLINE_GRACE_S
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=DEADLINE_GRACE_S)
        for record, task in zip(records, tasks, strict=True):
            if task.done() and not task.cancelled():
                outcomes.append(task.result())  # re-raises a failure of on_event
            else:
                outcomes.append(stage._done(record.deadline_outcome(stage.now())))
    finally:
        for task in tasks:
            task.cancel()
    stage.emit("stage_end", total=len(outcomes), failed=sum(not o.ok for o in outcomes))
    return outcomes


class _DetachedExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each blocking call (``getaddrinfo``) in its own daemon thread, never joined.

    asyncio's default executor is joined when the loop shuts down, so a resolver stuck for
    its own timeouts would hold the stage past its deadline; these threads are abandoned.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting coroutine
                future.set_exception(exc)

        threading.Thread(target=work, name="cfgate-probe-io", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


def run_probes(
    targets: Sequence[ProbeTarget],
    deadline_s: float | None = None,
    on_event: EventCallback | None = None,
) -> list[ProbeOutcome]:
    """Synchronous :func:`run_probes_async`, in a fresh event loop (not inside a running one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("run_probes() cannot run inside an event loop; await run_probes_async()")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_DetachedExecutor(max_workers=1))
    try:
        return loop.run_until_complete(run_probes_async(targets, deadline_s, on_event))
    finally:
        try:
            leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.wait(leftovers, timeout=DEADLINE_GRACE_S))
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), DEADLINE_GRACE_S))
        except TimeoutError:
            pass
        finally:
            loop.close()
