"""Plain-text rendering of probe events and outcomes, for a CLI's line-by-line output.

A TTY display can keep one status line per target from the same events; these helpers give
the wording, so both displays say the same thing.
"""

from __future__ import annotations

from .models import ProbeEvent, ProbeOutcome


def format_outcome(outcome: ProbeOutcome) -> str:
    """``ok   DATABASE_URL [postgres] postgresql://app:***@db/app: SELECT 1 ok (1 attempt, 0.02 s)``."""
    count = len(outcome.attempts)
    tries = f"{count} attempt{'' if count == 1 else 's'}, {outcome.duration_s:.2f} s"
    what = outcome.detail if outcome.ok else outcome.error
    where = f" ({outcome.source})" if outcome.source else ""
    resolved = f" -> {', '.join(outcome.resolved_addresses)}" if outcome.kind == "dns" and outcome.ok else ""
    status = "ok  " if outcome.ok else "FAIL"
    return f"{status} {outcome.target} [{outcome.kind}] {outcome.address}{where}: {what}{resolved} ({tries})"


def format_event(event: ProbeEvent) -> str | None:
    """One line for an event, or None for events a plain display need not print."""
    stamp = f"[{event.elapsed_s:6.1f}s]"
    if event.type == "stage_start":
        bound = f", deadline {event.deadline_s:g} s" if event.deadline_s is not None else ""
        return f"{stamp} probing {event.total} target(s){bound}"
    if event.type == "attempt_end" and not event.ok:
        of = f"/{event.max_attempts}" if event.max_attempts else ""
        return f"{stamp} {event.target}: attempt {event.attempt}{of} failed: {event.message}"
    if event.type == "retry_wait":
        return f"{stamp} {event.target}: retrying in {event.delay_s:.3g} s"
    if event.type == "target_done" and event.outcome is not None:
        return f"{stamp} {format_outcome(event.outcome)}"
    if event.type == "stage_end":
        return f"{stamp} done: {event.total} target(s), {event.failed} failed"
    return None


class ProgressLine:
    """State for a one-line TTY display: feed it every event, redraw :meth:`render` in place.

    ``probing 3/5 done, 1 failed; DATABASE_URL attempt 2, REDIS_URL retry in 4 s`` — the CLI
    writes ``"\\r" + line`` (padded or cleared) after each event and a newline at ``stage_end``.
    """

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.failed = 0
        self.running: dict[str, str] = {}

    def update(self, event: ProbeEvent) -> None:
        """Record what ``event`` says about the stage."""
        name = event.target or ""
        if event.type == "stage_start":
            self.total = event.total or 0
        elif event.type == "attempt_start":
            self.running[name] = f"{name} attempt {event.attempt}"
        elif event.type == "retry_wait":
            self.running[name] = f"{name} retry in {event.delay_s or 0:.0f} s"
        elif event.type == "target_done":
            self.running.pop(name, None)
            self.done += 1
            self.failed += 0 if event.ok else 1

    def render(self, width: int = 100) -> str:
        """The current status, cut to ``width`` characters."""
        line = f"probing {self.done}/{self.total} done, {self.failed} failed"
        if self.running:
            line += "; " + ", ".join(self.running.values())
        return line if len(line) <= width else line[: width - 1] + "…"
