"""Driver-free checks: ``dns`` (resolve), ``tcp`` (connect) and ``http`` (GET, expect a status).

The HTTP check is a tiny asyncio HTTP/1.1 client: it sends one ``GET`` with
``Connection: close``, reads the status line and aborts the connection. Being pure asyncio, it
is cancelled cleanly when an attempt times out (a thread running ``http.client`` could not be).
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from .. import __version__
from .common import Observation, ProbeError
from .models import ProbeTarget
from .resolve import format_host_port, resolve, split_host_port

_STATUS_LINE = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})(?:\s+([^\r\n]*))?")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _connect_error(ip: str, port: int, exc: OSError) -> str:
    where = format_host_port(ip, port)
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with {where} failed: {exc.reason or exc}"
    return f"cannot connect to {where}: {exc.strerror or exc}"


async def open_first(
    ips: Sequence[str],
    port: int,
    *,
    tls: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the first of ``ips`` that accepts, like a client walking a DNS answer."""
    errors: list[str] = []
    for ip in ips:
        try:
            return await asyncio.open_connection(ip, port, ssl=tls, server_hostname=server_hostname if tls else None)
        except OSError as exc:
            errors.append(_connect_error(ip, port, exc))
    raise ProbeError("; ".join(errors) or f"no address to connect to on port {port}")


async def check_dns(target: ProbeTarget, timeout_s: float, seen: Observation) -> None:
    """Resolve the host name; report its addresses."""
    host = target.address.strip()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    if not host:
        raise ProbeError("no host name to resolve", retryable=False)
    seen.resolved = await resolve(host)
    count = len(seen.resolved)
    seen.detail = f"{count} address{'es' if count != 1 else ''}"


async def check_tcp(target: ProbeTarget, timeout_s: float, seen: Observation) -> None:
    """Open a TCP connection to ``host:port`` and close it again."""
    host, port = split_host_port(target.address)
    seen.resolved = await resolve(host, port)
    _reader, writer = await open_first(seen.resolved, port)
    peer = writer.get_extra_info("peername")
    writer.transport.abort()
    seen.detail = f"connected to {format_host_port(str(peer[0]), port)}" if peer else "connected"


def _request(target: ProbeTarget) -> tuple[str, str, int, bytes]:
    """Parse the URL and build the GET request: (scheme, host, port, request bytes)."""
    try:
        parts = urlsplit(target.address)
        port = parts.port
    except ValueError as exc:
        raise ProbeError(f"invalid URL: {exc}", retryable=False) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ProbeError(f"unsupported URL scheme {parts.scheme!r} (http or https)", retryable=False)
    host = parts.hostname
    if not host:
        raise ProbeError("invalid URL: no host", retryable=False)
    port = port or _DEFAULT_PORTS[scheme]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        host_header += f":{parts.port}"
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: cfgate-probe/{__version__}",
        "Accept: */*",
        "Connection: close",
    ]
    if parts.username is not None or parts.password is not None:
        userpass = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        lines.append("Authorization: Basic " + base64.b64encode(userpass.encode()).decode())
    return scheme, host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def check_http(target: ProbeTarget, timeout_s: float, seen: Observation) -> None:
    """``GET`` the URL and require ``target.expect_status``."""
    scheme, host, port, request = _request(target)
    seen.resolved = await resolve(host, port)
    tls = ssl.create_default_context() if scheme == "https" else None
    reader, writer = await open_first(seen.resolved, port, tls=tls, server_hostname=host)
    try:
        writer.write(request)
        await writer.drain()
        try:
            status_line = await reader.readline()
        except (ValueError, asyncio.LimitOverrunError):
            raise ProbeError("malformed HTTP response: status line too long") from None
    except OSError as exc:
        raise ProbeError(f"HTTP exchange failed: {exc.strerror or exc}") from None
    finally:
        writer.transport.abort()
    if not status_line:
        raise ProbeError("connection closed before an HTTP status line")
    match = _STATUS_LINE.match(status_line)
    if not match:
        raise ProbeError(f"not an HTTP response: {status_line[:60]!r}")
    status = int(match.group(1))
    reason = (match.group(2) or b"").decode("latin-1").strip()
    text = f"HTTP {status}" + (f" {reason}" if reason else "")
    if status != target.expect_status:
        raise ProbeError(f"{text} (expected {target.expect_status})")
    seen.detail = text
