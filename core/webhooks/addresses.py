"""Where a webhook may be sent: the SSRF rule.

A webhook URL is ``http`` or ``https`` and its host must resolve only to
public addresses — not private (10/8, 172.16/12, 192.168/16, fc00::/7),
loopback, link-local (169.254/16, where clouds keep their metadata
service), shared, multicast or reserved ones — unless an admin set the
subscription's ``allow_internal``. The rule is checked when the
subscription is saved and again before every attempt, on the addresses
the attempt then connects to (:func:`resolve`), so a name whose DNS later
points inside (DNS rebinding) is refused at send time too.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from core.i18n import _

SCHEMES = {"http": 80, "https": 443}
#: the longest URL a subscription may keep
MAX_URL = 2000


class RefusedAddress(ValueError):
    """The URL may not be sent to; the message says why, for a person."""


def parse(url: str) -> SplitResult:
    """``url`` split, or :class:`RefusedAddress` when it is no http(s) URL with a host."""
    if len(url) > MAX_URL:
        raise RefusedAddress(_("at most %(n)d characters", n=MAX_URL))
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise RefusedAddress(_("not a valid URL")) from None
    if parts.scheme not in SCHEMES:
        raise RefusedAddress(_("the URL must start with http:// or https://"))
    if not parts.hostname:
        raise RefusedAddress(_("the URL names no host"))
    return parts


def internal(address: str) -> bool:
    """Whether ``address`` (an IP) is anything but a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(url: str, allow_internal: bool) -> tuple[SplitResult, list[str]]:
    """``url``'s parts and the addresses its host resolves to, each allowed;
    :class:`RefusedAddress` when the URL is not http(s), its host does not
    resolve, or an address is internal and ``allow_internal`` is not set."""
    parts = parse(url)
    port = parts.port or SCHEMES[parts.scheme]
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedAddress(_("the host %(host)s does not resolve", host=parts.hostname)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_internal:
        inside = [a for a in addresses if internal(a)]
        if inside:
            raise RefusedAddress(
                _(
                    "%(host)s is a private, loopback or reserved address (%(address)s); "
                    "only an administrator may allow an internal host",
                    host=parts.hostname,
                    address=inside[0],
                )
            )
    return parts, addresses
