"""CIDR built-ins: ``cidrhost``, ``cidrnetmask``, ``cidrsubnet``, ``cidrsubnets`` (IPv4 and IPv6)."""

from __future__ import annotations

import ipaddress
from typing import Any

from .fnutil import FunctionError, int_arg
from .tfnumber import TFNumber
from .tftypes import STRING, TFList


def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError as exc:
        raise FunctionError(f"invalid CIDR expression: {exc}") from None


def cidrhost(prefix: str, hostnum: TFNumber) -> str:
    net = _network(prefix)
    num = int_arg(hostnum, "hostnum")
    size = net.num_addresses
    if num < 0:
        num += size
    if not 0 <= num < size:
        raise FunctionError(f"prefix of {net.prefixlen} does not accommodate a host numbered {hostnum.to_text()}")
    return str(net.network_address + num)


def cidrnetmask(prefix: str) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise FunctionError("only IPv4 networks are supported")
    return str(net.netmask)


def _subnet(net: Any, newbits: int, netnum: int) -> Any:
    new_prefix = net.prefixlen + newbits
    if newbits < 0 or new_prefix > net.max_prefixlen:
        raise FunctionError(f"insufficient address space to extend prefix of {net.prefixlen} by {newbits}")
    if not 0 <= netnum < 2**newbits:
        raise FunctionError(f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_prefix))
    return ipaddress.ip_network((base, new_prefix))


def cidrsubnet(prefix: str, newbits: TFNumber, netnum: TFNumber) -> str:
    return str(_subnet(_network(prefix), int_arg(newbits), int_arg(netnum)))


def cidrsubnets(prefix: str, *newbits: TFNumber) -> TFList:
    net = _network(prefix)
    results: list[str] = []
    current = int(net.network_address)
    for bits_value in newbits:
        bits = int_arg(bits_value)
        new_prefix = net.prefixlen + bits
        if bits < 1 or new_prefix > net.max_prefixlen:
            raise FunctionError(f"would extend prefix to {new_prefix} bits, which is too long for this address")
        step = 1 << (net.max_prefixlen - new_prefix)
        current = (current + step - 1) // step * step
        subnet = ipaddress.ip_network((current, new_prefix))
        if not subnet.subnet_of(net):  # type: ignore[arg-type]
            raise FunctionError(f"not enough remaining address space for a subnet with a prefix of {new_prefix} bits")
        results.append(str(subnet))
        current += step
    return TFList(results, STRING)
