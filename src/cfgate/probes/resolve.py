"""Host names and ports: parsing ``host:port`` and resolving names through asyncio.

Resolution goes through ``loop.getaddrinfo`` (the event loop's default executor; the runner
installs one whose threads are detached, so a stuck resolver can never hold the stage past its
deadline). Names under the special-use ``.invalid`` TLD are refused immediately, as RFC 6761
§6.4 asks of resolver libraries: they never resolve, and asking a DNS server about them only
sends traffic off the machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from .common import ProbeError


def is_ip_literal(host: str) -> bool:
    """True for an IPv4 or IPv6 address literal (brackets and a zone index allowed)."""
    candidate = host.strip("[]").split("%", 1)[0]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def is_never_resolvable(host: str) -> bool:
    """True for names under the ``.invalid`` special-use TLD (RFC 6761 §6.4)."""
    name = host.rstrip(".").lower()
    return name == "invalid" or name.endswith(".invalid")


def split_host_port(address: str, default_port: int | None = None) -> tuple[str, int]:
    """Split ``host:port``, ``[v6]:port`` or a bare host (when ``default_port`` is given)."""
    address = address.strip()
    host, port_text = address, ""
    if address.startswith("["):
        end = address.find("]")
        if end == -1:
            raise ProbeError(f"invalid address {address!r}: unclosed '['", retryable=False)
        host, rest = address[1:end], address[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ProbeError(f"invalid address {address!r}", retryable=False)
            port_text = rest[1:]
    elif address.count(":") == 1:
        host, port_text = address.split(":")
    if not host:
        raise ProbeError(f"invalid address {address!r}: no host", retryable=False)
    if not port_text:
        if default_port is None:
            raise ProbeError(f"invalid address {address!r}: expected host:port", retryable=False)
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ProbeError(f"invalid address {address!r}: bad port {port_text!r}", retryable=False)
    return host, int(port_text)


def format_host_port(host: str, port: int) -> str:
    """``host:port``, with brackets around an IPv6 literal."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def resolve(host: str, port: int | None = None) -> list[str]:
    """Resolve ``host`` to its distinct IP addresses, in the resolver's order.

    Raises :class:`ProbeError` (retryable: DNS may be warming up too) when it does not resolve.
    """
    host = host.strip("[]")
    if is_ip_literal(host):
        return [host]
    if is_never_resolvable(host):
        raise ProbeError(f"cannot resolve {host!r}: names under .invalid never resolve (RFC 6761)", retryable=False)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProbeError(f"cannot resolve {host!r}: {exc.strerror or exc}") from None
    except UnicodeError as exc:
        raise ProbeError(f"cannot resolve {host!r}: {exc}", retryable=False) from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise ProbeError(f"cannot resolve {host!r}: no addresses")
    return addresses
