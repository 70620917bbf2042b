"""Find what to probe in resolved configuration (an environment mapping).

Rules, for each key in the order of ``env``:

* a ``*_URL`` with a ``postgres``/``postgresql`` scheme (``+driver`` suffixes such as
  ``postgresql+psycopg`` are dropped) is a ``postgres`` target; ``redis``/``rediss`` is ``redis``;
  ``http``/``https`` is ``http`` (``CLICKHOUSE_URL`` with no path probes ClickHouse's ``/ping``);
* ``DATABASE_URL`` and ``CLICKHOUSE_URL`` with another scheme and a port (``mysql://db:3306``,
  ``clickhouse://ch:9000``) are ``tcp`` targets; ``DATABASE_URL`` as libpq ``key=value`` text is
  ``postgres``;
* a ``*_HOST`` key with a matching ``*_PORT`` key is a ``tcp`` target named ``X_HOST/X_PORT``;
* every host name found (not an IP literal, not a Unix socket) also gets a ``dns`` target named
  ``dns:<host>``, listed first.

Timeouts, first match wins: the target's own setting in its URL (``connect_timeout`` for
postgres, ``socket_connect_timeout`` / ``socket_timeout`` for redis), then ``X_CONNECT_TIMEOUT``
or ``X_TIMEOUT`` from ``env`` (``DATABASE_TIMEOUT`` for ``DATABASE_URL``, ``REDIS_TIMEOUT`` for
``REDIS_URL``, ``DB_TIMEOUT`` for ``DB_HOST``), then ``default_timeout_s``; the result is capped
at ``max_timeout_s`` (the policy maximum). Durations are seconds unless suffixed ``ms``/``s``/``m``.

Values still holding ``${...}`` interpolations are skipped: they are not resolved configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .models import PROBE_KINDS, ProbeKind, ProbeTarget
from .resolve import format_host_port, is_ip_literal

DEFAULT_ATTEMPTS = 3
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_BACKOFF_BASE_S = 2.0
DEFAULT_BACKOFF_MAX_S = 30.0
DEFAULT_WARMUP_S: Mapping[ProbeKind, float] = MappingProxyType(
    {"postgres": 45.0, "dns": 60.0, "tcp": 60.0, "redis": 60.0, "http": 60.0}
)
"""The seed's resilience check: 45 s of warm-up for the database, 60 s for the rest."""

_EMPTY: Mapping[str, str] = MappingProxyType({})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?)?\s*$", re.I)
_UNIT_S = {"ms": 0.001, "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0}
_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})
_REDIS_SCHEMES = frozenset({"redis", "rediss"})
_HTTP_SCHEMES = frozenset({"http", "https"})
_TCP_FALLBACK_KEYS = frozenset({"DATABASE_URL", "CLICKHOUSE_URL"})
_OWN_TIMEOUT_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"postgres": ("connect_timeout",), "redis": ("socket_connect_timeout", "socket_timeout")}
)


def parse_duration(text: str) -> float | None:
    """``"5"``, ``"2.5s"``, ``"500ms"``, ``"1m"`` → seconds; None when it is not a duration."""
    match = _DURATION.match(text)
    if not match:
        return None
    unit = (match.group(2) or "s").lower()
    return float(match.group(1)) * _UNIT_S.get(unit, 1.0)


def _unresolved(value: str) -> bool:
    return "${" in value or "$(" in value


class _Finder:
    """Accumulates targets and host names while walking the environment."""

    def __init__(
        self,
        env: Mapping[str, str],
        sources: Mapping[str, str],
        *,
        max_timeout_s: float | None,
        default_timeout_s: float,
        policy: dict[str, object],
        warmup: Mapping[ProbeKind, float],
    ) -> None:
        self.env, self.sources = env, sources
        self.max_timeout_s, self.default_timeout_s = max_timeout_s, default_timeout_s
        self.policy, self.warmup = policy, warmup
        self.targets: list[ProbeTarget] = []
        self.hosts: dict[str, str] = {}  # lowercased host -> key it was first seen under

    def timeout(self, prefix: str, own: float | None) -> float:
        timeout = own if own is not None and own > 0 else None
        for key in (f"{prefix}_CONNECT_TIMEOUT", f"{prefix}_TIMEOUT"):
            if timeout is None and key in self.env:
                value = parse_duration(self.env[key])
                timeout = value if value is not None and value > 0 else None
        if timeout is None:
            timeout = self.default_timeout_s
        if self.max_timeout_s is not None:
            timeout = min(timeout, self.max_timeout_s)
        return timeout

    def add(self, name: str, kind: ProbeKind, address: str, key: str, timeout_s: float) -> None:
        self.targets.append(
            ProbeTarget(
                name=name,
                kind=kind,
                address=address,
                timeout_s=timeout_s,
                warmup_s=self.warmup[kind],
                source=self.sources.get(key),
                **self.policy,  # type: ignore[arg-type]
            )
        )

    def host(self, host: str | None, key: str) -> None:
        if not host or host.startswith("/") or is_ip_literal(host) or _unresolved(host):
            return
        self.hosts.setdefault(host.lower().rstrip("."), key)

    def url(self, key: str, value: str) -> None:
        prefix = key[: -len("_URL")]
        if "://" not in value:
            if key == "DATABASE_URL" and "=" in value:  # libpq key=value conninfo
                found = re.search(r"\bconnect_timeout\s*=\s*'?(\d+)", value)
                seconds = float(found.group(1)) if found else None
                self.add(key, "postgres", value, key, self.timeout(prefix, seconds))
                for host in re.findall(r"\bhost\s*=\s*'?([^\s',]+)", value):
                    self.host(host, key)
            return
        try:
            parts = urlsplit(value)
        except ValueError:
            return
        scheme = parts.scheme.lower().split("+", 1)[0]
        kind: ProbeKind | None = None
        address = value
        if scheme in _POSTGRES_SCHEMES:
            kind = "postgres"
            if parts.scheme.lower() != scheme:
                address = urlunsplit(parts._replace(scheme="postgresql"))
        elif scheme in _REDIS_SCHEMES:
            kind = "redis"
        elif scheme in _HTTP_SCHEMES:
            kind = "http"
            if key == "CLICKHOUSE_URL" and parts.path in ("", "/"):
                address = urlunsplit(parts._replace(path="/ping"))
        try:
            hostnames = [urlsplit(f"//{h}").hostname for h in parts.netloc.rpartition("@")[2].split(",")]
        except ValueError:
            hostnames = []
        for host in hostnames:
            self.host(host, key)
        if kind is not None:
            params = dict(parse_qsl(parts.query))
            own = next(
                (parse_duration(params[p]) for p in _OWN_TIMEOUT_PARAMS.get(kind, ()) if p in params),
                None,
            )
            self.add(key, kind, address, key, self.timeout(prefix, own))
            return
        if key in _TCP_FALLBACK_KEYS:
            try:
                port = parts.port
            except ValueError:
                port = None
            if parts.hostname and port:
                self.add(key, "tcp", format_host_port(parts.hostname, port), key, self.timeout(prefix, None))

    def host_port(self, key: str, value: str) -> None:
        prefix = key[: -len("_HOST")]
        host = value.strip().strip("[]")
        self.host(host, key)
        port_key = f"{prefix}_PORT"
        port_text = self.env.get(port_key, "").strip()
        if host and port_text.isdigit() and 0 < int(port_text) < 65536 and not _unresolved(host):
            address = format_host_port(host, int(port_text))
            self.add(f"{key}/{port_key}", "tcp", address, key, self.timeout(prefix, None))

    def dns_targets(self) -> list[ProbeTarget]:
        timeout = self.timeout("DNS", None)
        return [
            ProbeTarget(
                name=f"dns:{host}",
                kind="dns",
                address=host,
                timeout_s=timeout,
                warmup_s=self.warmup["dns"],
                source=self.sources.get(key),
                **self.policy,  # type: ignore[arg-type]
            )
            for host, key in self.hosts.items()
        ]


def targets_from_env(
    env: Mapping[str, str],
    sources: Mapping[str, str] = _EMPTY,
    *,
    max_timeout_s: float | None = None,
    default_timeout_s: float = DEFAULT_TIMEOUT_S,
    attempts: int = DEFAULT_ATTEMPTS,
    warmup_s: Mapping[ProbeKind, float] | float | None = None,
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S,
    backoff_max_s: float = DEFAULT_BACKOFF_MAX_S,
    jitter: bool = True,
    dns: bool = True,
) -> list[ProbeTarget]:
    """The probe targets found in ``env`` (see the module docstring for the rules).

    ``sources`` maps an env key to where it was set (``".env.staging:3"``); it becomes the
    target's ``source``. ``warmup_s`` is one number for every kind, or per-kind overrides of
    :data:`DEFAULT_WARMUP_S`. ``dns=False`` leaves out the ``dns:`` targets.
    """
    if isinstance(warmup_s, (int, float)):
        warmup: dict[ProbeKind, float] = {kind: float(warmup_s) for kind in PROBE_KINDS}
    else:
        warmup = {**DEFAULT_WARMUP_S, **(warmup_s or {})}
    finder = _Finder(
        env,
        sources,
        max_timeout_s=max_timeout_s,
        default_timeout_s=default_timeout_s,
        policy={
            "attempts": attempts,
            "backoff_base_s": backoff_base_s,
            "backoff_max_s": backoff_max_s,
            "jitter": jitter,
        },
        warmup=warmup,
    )
    for key, raw in env.items():
        value = (raw or "").strip()
        if not value or _unresolved(value):
            continue
        if key.endswith("_URL"):
            finder.url(key, value)
        elif key.endswith("_HOST"):
            finder.host_port(key, value)
    return (finder.dns_targets() if dns else []) + finder.targets
