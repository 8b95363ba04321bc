"""Who is asking: the client's address, read the one way used by the audit trail, the rate limits
and the log-in lock-out (django-axes).

Behind a reverse proxy REMOTE_ADDR is the proxy. X-Forwarded-For is honoured only when the direct
peer is one of TONGXIN_TRUSTED_PROXIES, and then read from the right: the first address that is
not itself a trusted proxy is the client (a client can prepend anything it likes to the header).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as text, or None when there is no valid one."""
    if request is None:
        return None
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TONGXIN_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            return str(peer)  # a malformed hop: trust nothing beyond the proxy
        if not _trusted(address, networks):
            return str(address)
    return str(peer)
