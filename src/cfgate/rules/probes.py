"""CFG9xx: the live probe family. Their evaluations come from the probe stage, not from the files.

Rules never touch the network, so a probe rule (:class:`~cfgate.rules.base.StageRule`) yields nothing under the static
engine (``cfgate check``). ``cfgate probe`` and ``cfgate run`` probe the endpoints the resolved
configuration names and turn each outcome into an evaluation of one of these rules
(:mod:`cfgate.stages.outcomes`). They are ordinary catalog entries all the same: ``--select`` and
``--ignore`` apply to them, ``cfgate explain CFG901`` explains them, and reporters take their
metadata from here.

The documented examples are env files. They cannot fail or pass without a network, so the static
meta-tests exempt this family; ``tests/stages/test_rule_examples.py`` runs them live against
servers it starts on loopback (it maps the documented ``localhost`` ports to those servers).
"""

from __future__ import annotations


from ..models import Example, RuleMeta
from .base import StageRule

_LIVE_NOTE = "run live: cfgate probe . (the tests map the documented localhost port to a server they start)"

PROBE_UNREACHABLE = RuleMeta(
    id="CFG901",
    name="probe-target-unreachable",
    title="A configured endpoint does not answer its live probe",
    severity="error",
    rationale=(
        "The configuration passed its static checks but names an endpoint that is not there: the host name does not "
        "resolve, nothing accepts the connection, or the service answers with the wrong status. Tests or a deploy "
        "that start anyway fail later, slower and with a less clear message. The probe retries with backoff and a "
        "warm-up (the seed's resilience check: 3 attempts, 60 s warm-up, 45 s for the database), so a slow start "
        "is not reported; an emergency bypass flag covering the probe turns the failure into a warning only while "
        "the flag's expiry has not passed."
    ),
    fix=(
        "Fix the address (host, port, scheme, health path) in the env file at the reported line, or start the "
        "service. `cfgate probe --list` shows every target and where it comes from."
    ),
    bad=Example(
        files={".env": "REDIS_URL=redis://redis.staging.invalid:6379/0\n"},
        note="a host name that never resolves (RFC 6761 .invalid)",
    ),
    good=Example(files={".env": "API_URL=http://localhost:8080/health\n"}, note=_LIVE_NOTE),
    references=(
        "seed incident #1278: the test runner's resilience check (warm-up, 3 attempts, bypass mode)",
        "https://www.rfc-editor.org/rfc/rfc6761#section-6.4",
    ),
    family="9",
)

PROBE_AUTH_FAILED = RuleMeta(
    id="CFG902",
    name="probe-authentication-failed",
    title="An endpoint rejects the credentials in the configuration",
    severity="error",
    rationale=(
        "The server answered, but refused the user name or password that the configuration carries (PostgreSQL "
        "password authentication, Redis AUTH). Waiting does not fix a wrong password, so the probe stops retrying "
        "at once. The password itself is never shown, only the server's refusal."
    ),
    fix="Correct the credentials in the configuration (or the secret it refers to), or grant the role access on the server.",
    bad=Example(files={".env": "REDIS_URL=redis://:wrong-password@localhost:6379/0\n"}, note=_LIVE_NOTE),
    good=Example(files={".env": "REDIS_URL=redis://:s3cret-example@localhost:6379/0\n"}, note=_LIVE_NOTE),
    references=("https://www.postgresql.org/docs/current/auth-password.html", "https://redis.io/docs/latest/commands/auth/"),
    family="9",
)

PROBE_DEADLINE = RuleMeta(
    id="CFG903",
    name="probe-deadline-reached",
    title="A probe did not finish before the stage deadline",
    severity="error",
    rationale=(
        "The probe stage is bounded (`--deadline`, or `probes.deadline_s` in the policy) so that a black-holed "
        "endpoint cannot hold a pipeline. A target still without an answer when the deadline passes is reported "
        "with the attempts it made; it may be down, black-holed or still warming up."
    ),
    fix="Check that the endpoint answers quickly; if it is only slow to start, raise --deadline or its warm-up in the policy.",
    bad=Example(
        files={".env": "API_URL=http://localhost:8080/health\n"},
        note="a server that accepts the connection and never answers, probed with --deadline 1",
    ),
    good=Example(files={".env": "API_URL=http://localhost:8080/health\n"}, note="the same target, answering 200 at once"),
    family="9",
)

PROBE_DRIVER_MISSING = RuleMeta(
    id="CFG904",
    name="probe-driver-missing",
    title="A probe cannot run because its driver is not installed",
    severity="error",
    rationale=(
        "PostgreSQL and Redis probes speak the real protocol through psycopg 3 and redis-py, which are an optional "
        "extra. Without them cfgate cannot tell whether the endpoint works, so the outcome is unknown (never a "
        "guess): it fails the gate only under --fail-on-unknown, and the message names the extra to install."
    ),
    fix="pip install 'cfgate[probes]'",
    bad=Example(
        files={".env": "DATABASE_URL=postgresql://app@localhost:5432/app\n"},
        note="on a machine without the cfgate[probes] extra",
    ),
    good=Example(
        files={".env": "DATABASE_URL=postgresql://app@localhost:5432/app\n"},
        note="with the extra installed the probe runs (and reports its own outcome)",
    ),
    family="9",
)


PROBE_METAS = (PROBE_UNREACHABLE, PROBE_AUTH_FAILED, PROBE_DEADLINE, PROBE_DRIVER_MISSING)
PROBE_RULES = tuple(StageRule(meta) for meta in PROBE_METAS)  # the probe stage produces their evaluations
PROBE_RULE_IDS = frozenset(meta.id for meta in PROBE_METAS)
