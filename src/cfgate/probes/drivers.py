"""Checks through optional drivers: ``postgres`` (psycopg 3, ``SELECT 1``) and ``redis`` (``PING``).

Both drivers are imported inside the checks, so ``import cfgate.probes`` stays cheap and works
without them; when one is missing the attempt fails (without retries) with the install hint.
Driver messages are returned as they are: the runner scrubs the target's secrets from them.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from .common import Observation, ProbeError, missing_driver
from .models import ProbeTarget
from .redact import one_line
from .resolve import format_host_port, resolve

_PG_AUTH_MARKERS = (
    "password authentication failed",
    "authentication failed",
    "no password supplied",
    "no pg_hba.conf entry",
    'role "',
)


async def _resolve_all(hosts: list[tuple[str, int | None]], seen: Observation) -> None:
    """Resolve every TCP host of a (possibly multi-host) address; fail only if none resolves."""
    errors: list[ProbeError] = []
    for host, port in hosts:
        try:
            for ip in await resolve(host, port):
                if ip not in seen.resolved:
                    seen.resolved.append(ip)
        except ProbeError as exc:
            errors.append(exc)
    if errors and not seen.resolved:
        raise errors[0]


def _pg_hosts(params: dict[str, str]) -> list[tuple[str, int | None]]:
    hosts = [h.strip() for h in params.get("host", "").split(",")]
    ports = [p.strip() for p in params.get("port", "").split(",")]
    found: list[tuple[str, int | None]] = []
    for index, host in enumerate(hosts):
        if not host or host.startswith("/") or host.startswith("@"):
            continue  # a Unix socket directory (or the libpq default): nothing to resolve
        port_text = ports[index] if index < len(ports) else (ports[0] if len(ports) == 1 else "")
        found.append((host, int(port_text) if port_text.isdigit() else None))
    return found


async def check_postgres(target: ProbeTarget, timeout_s: float, seen: Observation) -> None:
    """Connect with psycopg 3 (async) and run ``SELECT 1``."""
    try:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo
    except ImportError:
        raise missing_driver("psycopg") from None
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(target.address).items()}
    except psycopg.Error as exc:
        raise ProbeError(f"invalid postgres address: {one_line(str(exc))}", retryable=False) from None
    if params.get("hostaddr"):
        seen.resolved = [a.strip() for a in params["hostaddr"].split(",") if a.strip()]
    else:
        await _resolve_all(_pg_hosts(params), seen)
    extra: dict[str, str | int] = {"connect_timeout": max(2, math.ceil(timeout_s))}  # libpq floor: 2 s
    if "application_name" not in params:
        extra["application_name"] = "cfgate-probe"
    try:
        conninfo = make_conninfo(target.address, **extra)
        conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    except psycopg.OperationalError as exc:
        message = one_line(str(exc))
        if any(marker in message for marker in _PG_AUTH_MARKERS):
            raise ProbeError(f"authentication failed: {message}", retryable=False) from None
        raise ProbeError(message) from None
    except psycopg.Error as exc:
        raise ProbeError(f"{type(exc).__name__}: {one_line(str(exc))}", retryable=False) from None
    try:
        cursor = await conn.execute("SELECT 1")
        row = await cursor.fetchone()
        if row is None or row[0] != 1:
            raise ProbeError(f"SELECT 1 returned {row!r}")
        version = conn.info.server_version
        seen.detail = f"SELECT 1 ok (server {version // 10000}.{version % 10000})"
    except psycopg.Error as exc:
        raise ProbeError(f"SELECT 1 failed: {one_line(str(exc))}") from None
    finally:
        await conn.close()


async def check_redis(target: ProbeTarget, timeout_s: float, seen: Observation) -> None:
    """``PING`` through redis-py's asyncio client, with redis-py's own retries switched off."""
    try:
        from redis import exceptions as rexc
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError:
        raise missing_driver("redis") from None
    try:
        parts = urlsplit(target.address)
        port = parts.port
    except ValueError as exc:
        raise ProbeError(f"invalid redis URL: {exc}", retryable=False) from None
    if parts.scheme in ("redis", "rediss"):
        await _resolve_all([(parts.hostname or "localhost", port or 6379)], seen)
    try:
        client = Redis.from_url(
            target.address,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),  # the runner owns retries; redis-py would add its own
        )
    except (ValueError, TypeError) as exc:
        raise ProbeError(f"invalid redis URL: {one_line(str(exc))}", retryable=False) from None
    try:
        reply = await client.ping()
    except rexc.AuthenticationError as exc:
        raise ProbeError(f"authentication failed: {one_line(str(exc))}", retryable=False) from None
    except rexc.ConnectionError as exc:  # includes BusyLoadingError: retry, it may warm up
        if isinstance(exc.__cause__ or exc.__context__, ConnectionRefusedError) and parts.scheme in ("redis", "rediss"):
            where = format_host_port(parts.hostname or "localhost", port or 6379)
            raise ProbeError(f"connection refused by {where}") from None
        raise ProbeError(one_line(str(exc)) or type(exc).__name__) from None
    except rexc.TimeoutError as exc:
        raise ProbeError(f"timed out: {one_line(str(exc))}") from None
    except rexc.ResponseError as exc:  # NOPERM, AUTH without requirepass, ...
        raise ProbeError(f"redis refused PING: {one_line(str(exc))}", retryable=False) from None
    except rexc.RedisError as exc:
        raise ProbeError(f"{type(exc).__name__}: {one_line(str(exc))}") from None
    finally:
        await client.aclose()
    if reply is not True:
        raise ProbeError(f"unexpected PING reply {reply!r}")
    seen.detail = "PONG"
