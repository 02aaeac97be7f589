"""The address a request came from, as limits on guessing must count it.

Decisions worth knowing:

- `X-Forwarded-For` is read only when the immediate peer (REMOTE_ADDR) is one of the proxies
  named in SELEKSI_TRUSTED_PROXIES (addresses or networks). Anyone else can write that header,
  so otherwise it is ignored.
- The header is read from the right: each trusted proxy appends the address it saw, so the
  right-most address that is not a trusted proxy is the client. Addresses further left were
  written by the client itself and prove nothing.
- A limit counts an IPv6 client by its /64: one subscriber is given a whole /64 and can change
  the rest at will.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def _parse(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51000"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind a trusted proxy, the right-most address
    in X-Forwarded-For that is not itself a trusted proxy."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return ""
    networks = _trusted(tuple(settings.SELEKSI_TRUSTED_PROXIES))
    if not _is_trusted(peer, networks):
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage in the chain: trust nothing left of it
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the immediate peer is one of SELEKSI_TRUSTED_PROXIES: only then may a header
    it sets (X-Forwarded-For, X-Request-ID) be believed."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return False
    return _is_trusted(peer, _trusted(tuple(settings.SELEKSI_TRUSTED_PROXIES)))


def address_in(address: str, networks: tuple[str, ...]) -> bool:
    """Whether `address` lies in one of `networks` (addresses or CIDR networks)."""
    parsed = _parse(address)
    if parsed is None:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return _is_trusted(parsed, _trusted(networks))


def address_group(address: str) -> str:
    """What a per-address limit counts: an IPv4 address, or the /64 of an IPv6 address."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def site_url(request: HttpRequest) -> str:
    """The site's own address as this request reached it, for links in e-mails."""
    return f"{request.scheme}://{request.get_host()}"
