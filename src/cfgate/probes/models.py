"""Data models of the live probe stage: what to probe, what each attempt saw, what came out.

Every model is frozen and rejects unknown keys. A target's ``address`` may carry credentials
(``postgresql://app:secret@db/app``): it is excluded from ``repr`` and every human-facing
string uses :func:`cfgate.probes.redact.redact_address` instead.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..models.base import Model
from .redact import redact_address

ProbeKind = Literal["dns", "tcp", "postgres", "redis", "http"]
"""What a probe checks: name resolution, a TCP connect, ``SELECT 1``, ``PING``, or an HTTP GET."""

PROBE_KINDS: tuple[ProbeKind, ...] = ("dns", "tcp", "postgres", "redis", "http")


class ProbeTarget(Model):
    """One endpoint to probe, with its retry policy.

    ``address`` is, by kind: a hostname (``dns``), ``host:port`` or ``[v6]:port`` (``tcp``),
    a libpq URL or ``key=value`` conninfo (``postgres``), a ``redis://``/``rediss://`` URL
    (``redis``), an ``http://``/``https://`` URL (``http``).

    Retry policy: up to ``attempts`` attempts, each bounded by ``timeout_s``, separated by an
    exponential backoff (``backoff_base_s * 2**(n-1)`` capped at ``backoff_max_s``, with jitter
    drawn from ``[delay/2, delay]`` when ``jitter``). ``warmup_s > 0`` turns on warm-up mode:
    the probe keeps retrying until its first success or until ``warmup_s`` has passed since it
    started, whichever comes first (and still makes at least ``attempts`` attempts).
    """

    name: str = Field(min_length=1)
    kind: ProbeKind
    address: str = Field(min_length=1, repr=False)
    timeout_s: float = Field(gt=0)
    attempts: int = Field(default=3, ge=1)
    warmup_s: float = Field(default=0.0, ge=0)
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=30.0, ge=0)
    jitter: bool = True
    expect_status: int = Field(default=200, ge=100, le=599)
    source: str | None = None

    @property
    def redacted_address(self) -> str:
        """The address with passwords and secret query values replaced by ``***``."""
        return redact_address(self.address)

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return f"{self.name} [{self.kind}] {self.redacted_address}{where}"


class ProbeAttempt(Model):
    """One try at a target. ``error`` is already scrubbed of secrets."""

    number: int = Field(ge=1)
    ok: bool
    latency_ms: float = Field(ge=0)
    error: str | None = None


class ProbeOutcome(Model):
    """The verdict for one target. ``address`` is the redacted address; ``error`` is scrubbed.

    ``resolved_addresses`` lists the IP addresses the target's host name resolved to (the
    literal itself for an IP address; empty for a Unix socket or when resolution failed).
    ``detail`` is a short success note (``HTTP 200``, ``PONG``, ``SELECT 1``).
    """

    target: str
    kind: ProbeKind
    ok: bool
    address: str
    attempts: list[ProbeAttempt] = Field(default_factory=list)
    resolved_addresses: list[str] = Field(default_factory=list)
    error: str | None = None
    detail: str | None = None
    duration_s: float = Field(ge=0)
    source: str | None = None
    deadline_reached: bool = False


EventType = Literal["stage_start", "attempt_start", "attempt_end", "retry_wait", "target_done", "stage_end"]


class ProbeEvent(Model):
    """Progress of a running stage, for a live display (see :func:`cfgate.probes.format_event`).

    * ``stage_start``: ``total`` targets, ``deadline_s``.
    * ``attempt_start``: ``target``, ``attempt`` (1-based), ``max_attempts`` (None in warm-up).
    * ``attempt_end``: also ``ok``, ``latency_ms`` and a scrubbed ``message`` on failure.
    * ``retry_wait``: ``delay_s`` before the next attempt, ``message`` = the last error.
    * ``target_done``: ``outcome``.
    * ``stage_end``: ``total``, ``failed``.

    ``elapsed_s`` is measured from the start of the stage.
    """

    type: EventType
    elapsed_s: float
    target: str | None = None
    kind: ProbeKind | None = None
    attempt: int | None = None
    max_attempts: int | None = None
    ok: bool | None = None
    latency_ms: float | None = None
    delay_s: float | None = None
    message: str | None = None
    total: int | None = None
    failed: int | None = None
    deadline_s: float | None = None
    outcome: ProbeOutcome | None = None
