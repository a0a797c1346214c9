"""Refuse to connect to private, loopback, link-local, multicast or reserved addresses.

A feed or article URL is untrusted input: without this guard a crafted feed could make the crawler
request http://169.254.169.254/ (cloud metadata) or an intranet service (SSRF). The check runs on
the resolved IP addresses, not on the name, and the caller then connects to the checked IP itself
(see client.py), so DNS cannot answer differently between the check and the connection
(DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from vnnews.fetch.errors import BlockedAddress, ConnectFailed

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(ip: IPAddress) -> bool:
    # An IPv4 address mapped into IPv6 (::ffff:10.0.0.1) or NAT64 is judged by the IPv4 inside it.
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def is_allowed(host: str, allow_hosts: frozenset[str]) -> bool:
    """The allow-list matches the host as written in the URL (a name or an IP literal), or an IP
    literal inside a listed network ("127.0.0.0/8"). It never matches what a name resolves to, so
    a hostile DNS name pointing at 127.0.0.1 stays refused even when 127.0.0.1 is allowed."""
    host = host.lower().strip("[]")
    if host in allow_hosts:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in allow_hosts:
        if "/" in entry:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def resolve_checked(
    url: str, host: str, port: int, allow_hosts: frozenset[str], resolver: Resolver
) -> str:
    """Return one IP address of `host` that we may connect to, or raise BlockedAddress.

    Every address the name resolves to must be public: refusing when any is private avoids a
    round-robin answer slipping an internal address in on a later connection."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise ConnectFailed(url, f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise ConnectFailed(url, f"cannot resolve {host}")
    if is_allowed(host, allow_hosts):
        return addresses[0]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not is_public(ip):
            raise BlockedAddress(url, f"{host} resolves to non-public address {address}")
    return addresses[0]
