"""Which probe targets resolved configuration yields, and with which timeouts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cfgate.probes import DEFAULT_WARMUP_S, ProbeTarget, parse_duration, targets_from_env

STAGING = {
    "DATABASE_URL": "postgresql+psycopg://app:s3cret@db.staging.internal:5432/app",
    "DATABASE_TIMEOUT": "30",
    "REDIS_URL": "redis://:r3dis@cache.staging.internal:6379/0",
    "REDIS_TIMEOUT": "500ms",
    "CLICKHOUSE_URL": "http://default:ch@ch.staging.internal:8123",
    "API_URL": "https://api.staging.internal/healthz",
    "CALLBACK_URL": "ftp://files.staging.internal/in",
    "DB_HOST": "10.0.0.5",
    "DB_PORT": "5432",
    "SMTP_HOST": "mail.staging.internal",
    "LOG_LEVEL": "info",
}
SOURCES = {"DATABASE_URL": ".env.staging:3", "DB_HOST": ".env.staging:9"}


def by_name(**kwargs: object) -> dict[str, ProbeTarget]:
    return {t.name: t for t in targets_from_env(STAGING, SOURCES, **kwargs)}


def test_kinds_and_addresses() -> None:
    targets = by_name()
    kinds = {name: t.kind for name, t in targets.items()}
    assert kinds == {
        "dns:db.staging.internal": "dns",
        "dns:cache.staging.internal": "dns",
        "dns:ch.staging.internal": "dns",
        "dns:api.staging.internal": "dns",
        "dns:files.staging.internal": "dns",
        "dns:mail.staging.internal": "dns",
        "DATABASE_URL": "postgres",
        "REDIS_URL": "redis",
        "CLICKHOUSE_URL": "http",
        "API_URL": "http",
        "DB_HOST/DB_PORT": "tcp",
    }
    assert targets["DATABASE_URL"].address == "postgresql://app:s3cret@db.staging.internal:5432/app"
    assert targets["CLICKHOUSE_URL"].address == "http://default:ch@ch.staging.internal:8123/ping"
    assert targets["DB_HOST/DB_PORT"].address == "10.0.0.5:5432"
    assert list(targets)[:6] == [n for n in targets if n.startswith("dns:")], "dns targets come first"


def test_sources_follow_their_keys() -> None:
    targets = by_name()
    assert targets["DATABASE_URL"].source == ".env.staging:3"
    assert targets["dns:db.staging.internal"].source == ".env.staging:3"
    assert targets["DB_HOST/DB_PORT"].source == ".env.staging:9"
    assert targets["REDIS_URL"].source is None


def test_timeouts_come_from_env_keys_and_are_capped() -> None:
    targets = by_name(max_timeout_s=10, default_timeout_s=4)
    assert targets["DATABASE_URL"].timeout_s == 10  # DATABASE_TIMEOUT=30, capped by policy
    assert targets["REDIS_URL"].timeout_s == 0.5  # REDIS_TIMEOUT=500ms
    assert targets["API_URL"].timeout_s == 4  # default
    assert targets["DB_HOST/DB_PORT"].timeout_s == 4


def test_own_setting_wins_over_env_key() -> None:
    env = {
        "DATABASE_URL": "postgresql://app:pw@db/app?connect_timeout=7",
        "DATABASE_TIMEOUT": "30",
        "REDIS_URL": "redis://cache:6379/0?socket_connect_timeout=2.5",
        "REDIS_TIMEOUT": "9",
        "CACHE_HOST": "cache",
        "CACHE_PORT": "6379",
        "CACHE_CONNECT_TIMEOUT": "3s",
    }
    targets = {t.name: t for t in targets_from_env(env, max_timeout_s=60)}
    assert targets["DATABASE_URL"].timeout_s == 7
    assert targets["REDIS_URL"].timeout_s == 2.5
    assert targets["CACHE_HOST/CACHE_PORT"].timeout_s == 3


def test_seed_defaults() -> None:
    targets = by_name()
    assert all(t.attempts == 3 for t in targets.values())
    assert targets["DATABASE_URL"].warmup_s == 45
    assert targets["REDIS_URL"].warmup_s == 60 and targets["dns:mail.staging.internal"].warmup_s == 60
    assert DEFAULT_WARMUP_S["postgres"] == 45


def test_policy_overrides() -> None:
    targets = by_name(attempts=5, warmup_s={"postgres": 10}, jitter=False, backoff_base_s=1, backoff_max_s=4)
    assert targets["DATABASE_URL"].warmup_s == 10 and targets["REDIS_URL"].warmup_s == 60
    assert all(t.attempts == 5 and not t.jitter and t.backoff_max_s == 4 for t in targets.values())
    flat = by_name(warmup_s=0)
    assert all(t.warmup_s == 0 for t in flat.values())


def test_dns_can_be_left_out() -> None:
    assert not any(t.kind == "dns" for t in targets_from_env(STAGING, dns=False))


def test_ip_literals_unresolved_values_and_bad_ports_are_skipped() -> None:
    env = {
        "A_URL": "http://127.0.0.1:8080/health",
        "B_URL": "http://${API_HOST}/health",
        "C_HOST": "c.internal",
        "C_PORT": "99999",
        "D_HOST": "[::1]",
        "D_PORT": "6379",
    }
    targets = {t.name: t for t in targets_from_env(env)}
    assert set(targets) == {"dns:c.internal", "A_URL", "D_HOST/D_PORT"}
    assert targets["D_HOST/D_PORT"].address == "[::1]:6379"


def test_database_url_fallbacks() -> None:
    env = {"DATABASE_URL": "mysql://app:pw@mysql.internal:3306/app", "CLICKHOUSE_URL": "clickhouse://ch:9000"}
    targets = {t.name: t for t in targets_from_env(env, dns=False)}
    assert targets["DATABASE_URL"].kind == "tcp" and targets["DATABASE_URL"].address == "mysql.internal:3306"
    assert targets["CLICKHOUSE_URL"].kind == "tcp" and targets["CLICKHOUSE_URL"].address == "ch:9000"
    conninfo = {"DATABASE_URL": "host=db.internal dbname=app connect_timeout=4"}
    [dns, pg] = targets_from_env(conninfo)
    assert (dns.address, pg.kind, pg.timeout_s) == ("db.internal", "postgres", 4)


def test_multi_host_postgres_url_gets_a_dns_target_per_host() -> None:
    env = {"DATABASE_URL": "postgresql://app:pw@db1.internal:5432,db2.internal:5433/app"}
    names = [t.name for t in targets_from_env(env)]
    assert names == ["dns:db1.internal", "dns:db2.internal", "DATABASE_URL"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5", 5.0), ("2.5s", 2.5), ("500ms", 0.5), ("1m", 60.0), (" 3 sec ", 3.0), ("soon", None), ("", None)],
)
def test_parse_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_target_model_is_strict() -> None:
    with pytest.raises(ValidationError):
        ProbeTarget(name="x", kind="ftp", address="x", timeout_s=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ProbeTarget(name="x", kind="tcp", address="x:1", timeout_s=1, retries=2)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ProbeTarget(name="x", kind="tcp", address="x:1", timeout_s=0)
    target = ProbeTarget(name="x", kind="tcp", address="x:1", timeout_s=1)
    with pytest.raises(ValidationError):
        target.timeout_s = 2  # type: ignore[misc]
