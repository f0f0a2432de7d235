"""The client address as the sign-in defences count it.

An IPv6 subscriber usually holds a whole /64 network, so counting single IPv6
addresses would let one attacker appear as billions of strangers: failures are
counted per /64 instead. IPv4 addresses, and IPv4 mapped into IPv6, count singly.
"""

import ipaddress

from django.http import HttpRequest

from gazette.lib.http import client_ip

UNKNOWN = "unknown"


def valid_ip(request: HttpRequest) -> str | None:
    """The client's address when it is a real IP address, else None."""
    try:
        return str(ipaddress.ip_address(client_ip(request).strip()))
    except ValueError:
        return None


def address_bucket(ip: str | None) -> str:
    """What failures are counted by: "203.0.113.9", "2001:db8:1:2::/64"."""
    if not ip:
        return UNKNOWN
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return UNKNOWN
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def request_bucket(request: HttpRequest) -> str:
    return address_bucket(valid_ip(request))
