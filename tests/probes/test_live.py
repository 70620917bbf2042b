"""Probes against real servers on loopback: success, failures, timeouts, warm-up, deadline."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from cfgate.probes import (
    INSTALL_HINT,
    ProbeEvent,
    ProbeOutcome,
    ProbeTarget,
    format_event,
    run_probes,
)

LOOPBACK = "127.0.0.1"
PostgresServer = RedisServer = Any  # conftest's server records (conftest is not importable by name)
FAST = {"timeout_s": 2.0, "attempts": 1, "backoff_base_s": 0.05, "backoff_max_s": 0.1, "jitter": False}


def probe_one(kind: str, address: str, **policy: object) -> ProbeOutcome:
    target = ProbeTarget(name=f"t-{kind}", kind=kind, address=address, **{**FAST, **policy})
    [outcome] = run_probes([target], deadline_s=20)
    return outcome


def assert_secret_absent(secret: str, outcome: ProbeOutcome, events: list[ProbeEvent] = ()) -> None:
    assert secret not in outcome.model_dump_json()
    assert secret not in repr(outcome)
    for event in events:
        assert secret not in event.model_dump_json()
        assert secret not in (format_event(event) or "")


# --- success of each kind ------------------------------------------------------------------------


def test_dns_resolves_localhost() -> None:
    outcome = probe_one("dns", "localhost")
    assert outcome.ok, outcome.error
    assert LOOPBACK in outcome.resolved_addresses
    assert [a.ok for a in outcome.attempts] == [True]


def test_tcp_connects(http_port: int) -> None:
    outcome = probe_one("tcp", f"localhost:{http_port}")
    assert outcome.ok, outcome.error
    assert outcome.resolved_addresses == [LOOPBACK]


def test_http_gets_expected_status(http_port: int) -> None:
    outcome = probe_one("http", f"http://localhost:{http_port}/health")
    assert outcome.ok, outcome.error
    assert outcome.detail == "HTTP 200 OK"


def test_http_unexpected_status_is_retried_then_fails(http_port: int) -> None:
    outcome = probe_one("http", f"http://{LOOPBACK}:{http_port}/unavailable", attempts=2)
    assert not outcome.ok
    assert "HTTP 503" in (outcome.error or "") and "expected 200" in (outcome.error or "")
    assert len(outcome.attempts) == 2


def test_http_custom_expected_status(http_port: int) -> None:
    outcome = probe_one("http", f"http://{LOOPBACK}:{http_port}/unavailable", expect_status=503)
    assert outcome.ok, outcome.error


def test_postgres_select_1(postgres_server: PostgresServer) -> None:
    outcome = probe_one("postgres", postgres_server.url(host="localhost"))
    assert outcome.ok, outcome.error
    assert outcome.detail and outcome.detail.startswith("SELECT 1 ok")
    assert outcome.resolved_addresses == [LOOPBACK]
    assert outcome.address == f"postgresql://cfgate:***@localhost:{postgres_server.port}/postgres"
    assert_secret_absent(postgres_server.password, outcome)


def test_redis_ping(redis_server: RedisServer) -> None:
    outcome = probe_one("redis", redis_server.url())
    assert outcome.ok, outcome.error
    assert outcome.detail == "PONG"
    assert_secret_absent(redis_server.password, outcome)


# --- authentication ------------------------------------------------------------------------------


def test_postgres_wrong_password_is_a_clear_auth_error(postgres_server: PostgresServer) -> None:
    wrong = "Wr0ng-Pg-Passw0rd"
    events: list[ProbeEvent] = []
    target = ProbeTarget(
        name="DATABASE_URL", kind="postgres", address=postgres_server.url(password=wrong), **{**FAST, "attempts": 3}
    )
    [outcome] = run_probes([target], deadline_s=20, on_event=events.append)
    assert not outcome.ok
    assert outcome.error and outcome.error.startswith("authentication failed")
    assert 'password authentication failed for user "cfgate"' in outcome.error
    assert len(outcome.attempts) == 1, "a wrong password is not retried"
    assert_secret_absent(wrong, outcome, events)
    assert_secret_absent(postgres_server.password, outcome, events)
    assert "***" in outcome.address


def test_redis_wrong_password_is_a_clear_auth_error(redis_server: RedisServer) -> None:
    wrong = "Wr0ng-Redis-Passw0rd"
    events: list[ProbeEvent] = []
    target = ProbeTarget(name="REDIS_URL", kind="redis", address=redis_server.url(password=wrong), **FAST)
    [outcome] = run_probes([target], deadline_s=20, on_event=events.append)
    assert not outcome.ok
    assert outcome.error and outcome.error.startswith("authentication failed")
    assert_secret_absent(wrong, outcome, events)


def test_redis_without_password_says_auth_required(redis_server: RedisServer) -> None:
    outcome = probe_one("redis", f"redis://{LOOPBACK}:{redis_server.port}/0")
    assert not outcome.ok
    assert outcome.error and outcome.error.startswith("authentication failed")


def test_driver_error_echoing_the_password_is_scrubbed(postgres_server: PostgresServer) -> None:
    # libpq's own message quotes the bad token, i.e. the password.
    bad = "pct%zzSecret"
    outcome = probe_one("postgres", f"postgresql://cfgate:{bad}@{LOOPBACK}:{postgres_server.port}/postgres")
    assert not outcome.ok
    assert "percent-encoded" in (outcome.error or "")
    assert_secret_absent(bad, outcome)
    assert "zzSecret" not in outcome.model_dump_json()


# --- closed port, black hole ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("tcp", "{host}:{port}"),
        ("http", "http://{host}:{port}/health"),
        ("postgres", "postgresql://cfgate:pw-closed@{host}:{port}/postgres"),
        ("redis", "redis://:pw-closed@{host}:{port}/0"),
    ],
)
def test_closed_port_is_refused(kind: str, template: str, closed_port: int) -> None:
    outcome = probe_one(kind, template.format(host=LOOPBACK, port=closed_port), attempts=2)
    assert not outcome.ok
    assert "refused" in (outcome.error or "").lower()
    assert len(outcome.attempts) == 2
    assert outcome.duration_s < 2
    assert_secret_absent("pw-closed", outcome)


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("http", "http://{host}:{port}/health"),
        ("postgres", "postgresql://cfgate:pw-hole@{host}:{port}/postgres"),
        ("redis", "redis://:pw-hole@{host}:{port}/0"),
    ],
)
def test_black_hole_is_bounded_by_the_timeout(kind: str, template: str, black_hole_port: int) -> None:
    timeout = 0.4
    started = time.monotonic()
    outcome = probe_one(kind, template.format(host=LOOPBACK, port=black_hole_port), timeout_s=timeout, attempts=2)
    elapsed = time.monotonic() - started
    assert not outcome.ok
    assert [a.error for a in outcome.attempts] == ["timed out after 0.4 s"] * 2
    assert all(a.latency_ms < (timeout + 0.3) * 1000 for a in outcome.attempts)
    assert elapsed < 2 * timeout + 0.05 + 0.8


# --- names that never resolve --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "address"),
    [
        ("dns", "cfgate-probe-test.invalid"),
        ("tcp", "cfgate-probe-test.invalid:5432"),
        ("http", "http://cfgate-probe-test.invalid/health"),
        ("postgres", "postgresql://app:pw-unres@db.cfgate-probe-test.invalid:5432/app"),
        ("redis", "redis://:pw-unres@cache.cfgate-probe-test.invalid:6379/0"),
    ],
)
def test_unresolvable_host(kind: str, address: str) -> None:
    outcome = probe_one(kind, address, attempts=3)
    assert not outcome.ok
    assert "cannot resolve" in (outcome.error or "")
    assert outcome.resolved_addresses == []
    assert len(outcome.attempts) == 1, "a .invalid name never resolves: no retries"
    assert_secret_absent("pw-unres", outcome)


# --- warm-up -------------------------------------------------------------------------------------


def test_warmup_waits_for_a_server_that_appears_after_3s(
    serve_http: Callable[[int], Any], reserve_port: Callable[[], int]
) -> None:
    port = reserve_port()
    ready = threading.Event()
    stop = threading.Event()

    def late_server() -> None:
        time.sleep(3.0)
        with serve_http(port):
            ready.set()
            stop.wait(30)

    thread = threading.Thread(target=late_server, daemon=True)
    thread.start()
    try:
        target = ProbeTarget(
            name="late",
            kind="http",
            address=f"http://{LOOPBACK}:{port}/health",
            timeout_s=0.5,
            attempts=2,
            warmup_s=10,
            backoff_base_s=0.2,
            backoff_max_s=0.5,
            jitter=False,
        )
        started = time.monotonic()
        [outcome] = run_probes([target], deadline_s=15)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(10)
    assert ready.is_set()
    assert outcome.ok, outcome.error
    assert len(outcome.attempts) > 2, "kept retrying past `attempts` while warming up"
    assert not any(a.ok for a in outcome.attempts[:-1]) and outcome.attempts[-1].ok
    assert 2.8 < elapsed < 4.5


def test_warmup_gives_up_at_its_limit(closed_port: int) -> None:
    target = ProbeTarget(
        name="never",
        kind="tcp",
        address=f"{LOOPBACK}:{closed_port}",
        timeout_s=0.5,
        attempts=1,
        warmup_s=1.0,
        backoff_base_s=0.1,
        backoff_max_s=0.3,
        jitter=False,
    )
    started = time.monotonic()
    [outcome] = run_probes([target], deadline_s=10)
    elapsed = time.monotonic() - started
    assert not outcome.ok
    assert "1 s warm-up" in (outcome.error or "")
    assert len(outcome.attempts) >= 4
    assert 0.9 < elapsed < 1.6


# --- the stage deadline --------------------------------------------------------------------------


def test_deadline_shorter_than_retries_ends_the_stage_on_time(
    black_hole_port: int, closed_port: int, http_port: int, postgres_server: PostgresServer
) -> None:
    slow = {"timeout_s": 2.0, "attempts": 5, "backoff_base_s": 1.0, "backoff_max_s": 5.0, "jitter": False}
    targets = [
        ProbeTarget(name="hole-http", kind="http", address=f"http://{LOOPBACK}:{black_hole_port}/", **slow),
        ProbeTarget(
            name="hole-pg",
            kind="postgres",
            address=f"postgresql://cfgate:x-pw-x@{LOOPBACK}:{black_hole_port}/postgres",
            **slow,
        ),
        ProbeTarget(name="closed", kind="tcp", address=f"{LOOPBACK}:{closed_port}", **{**slow, "warmup_s": 30}),
        ProbeTarget(name="fine", kind="http", address=f"http://{LOOPBACK}:{http_port}/health", **slow),
        ProbeTarget(name="db", kind="postgres", address=postgres_server.url(), **slow),
    ]
    deadline = 1.5
    events: list[ProbeEvent] = []
    started = time.monotonic()
    outcomes = run_probes(targets, deadline_s=deadline, on_event=events.append)
    elapsed = time.monotonic() - started
    assert elapsed <= deadline + 1.0
    by_name = {o.target: o for o in outcomes}
    assert [o.target for o in outcomes] == [t.name for t in targets]
    for name in ("hole-http", "hole-pg", "closed"):
        outcome = by_name[name]
        assert not outcome.ok and outcome.deadline_reached
        assert outcome.error and outcome.error.startswith(f"deadline reached after {len(outcome.attempts)} attempt")
    assert by_name["hole-http"].attempts[0].error == "timed out after 1.5 s"
    assert by_name["fine"].ok and by_name["db"].ok
    assert events[0].type == "stage_start" and events[-1].type == "stage_end"
    assert events[-1].failed == 3
    assert sum(e.type == "target_done" for e in events) == len(targets)


def test_events_describe_progress(closed_port: int, http_port: int) -> None:
    events: list[ProbeEvent] = []
    targets = [
        ProbeTarget(name="up", kind="http", address=f"http://{LOOPBACK}:{http_port}/health", **FAST),
        ProbeTarget(name="down", kind="tcp", address=f"{LOOPBACK}:{closed_port}", **{**FAST, "attempts": 2}),
    ]
    run_probes(targets, deadline_s=10, on_event=events.append)
    types = [e.type for e in events if e.target == "down"]
    assert types == ["attempt_start", "attempt_end", "retry_wait", "attempt_start", "attempt_end", "target_done"]
    lines = [line for e in events if (line := format_event(e))]
    assert lines[0].endswith("probing 2 target(s), deadline 10 s")
    assert any("down: attempt 1/2 failed: connection refused" in line for line in lines)
    assert any("ok   up [http]" in line for line in lines)
    assert lines[-1].endswith("done: 2 target(s), 1 failed")


# --- optional drivers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "module", "address"),
    [
        ("postgres", "psycopg", "postgresql://app:pw@127.0.0.1:1/app"),
        ("redis", "redis", "redis://127.0.0.1:1/0"),
    ],
)
def test_missing_driver_names_the_extra(kind: str, module: str, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    outcome = probe_one(kind, address, attempts=3)
    assert not outcome.ok
    assert outcome.error == f"{module} is not installed; {INSTALL_HINT}"
    assert len(outcome.attempts) == 1
