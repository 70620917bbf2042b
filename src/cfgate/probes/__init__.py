"""The live probe stage: after the config checks, see whether the configured endpoints answer.

    from cfgate.probes import targets_from_env, run_probes

    targets = targets_from_env(env, sources, max_timeout_s=10)
    outcomes = run_probes(targets, deadline_s=120, on_event=print_event)

Kinds: ``dns``, ``tcp``, ``postgres`` (psycopg 3), ``redis`` (redis-py), ``http``. The drivers
are optional and imported only when a probe of their kind runs (``pip install 'cfgate[probes]'``).
"""

from __future__ import annotations

from .common import INSTALL_HINT
from .display import ProgressLine, format_event, format_outcome
from .models import PROBE_KINDS, ProbeAttempt, ProbeEvent, ProbeKind, ProbeOutcome, ProbeTarget
from .redact import redact_address, scrub, secrets_of
from .runner import EventCallback, backoff_delay, run_probes, run_probes_async
from .targets import DEFAULT_WARMUP_S, parse_duration, targets_from_env

__all__ = [
    "DEFAULT_WARMUP_S",
    "INSTALL_HINT",
    "PROBE_KINDS",
    "EventCallback",
    "ProbeAttempt",
    "ProbeEvent",
    "ProbeKind",
    "ProbeOutcome",
    "ProbeTarget",
    "ProgressLine",
    "backoff_delay",
    "format_event",
    "format_outcome",
    "parse_duration",
    "redact_address",
    "run_probes",
    "run_probes_async",
    "scrub",
    "secrets_of",
    "targets_from_env",
]
