"""The links in a campaign e-mail: unsubscribe, the open pixel, tracked clicks.

Each recipient's e-mail carries one secret token (core.api
``new_tracking_token``: only its sha256 is stored, on the recipient row).
The public pages (``views.public``) find the recipient by it:

- ``/m/u/<token>``: unsubscribe (GET asks, POST does — RFC 8058's one-click
  POST works without the page);
- ``/m/o/<token>.gif``: the open pixel;
- ``/m/c/<token>?u=<address>&s=<signature>``: a click, redirected to the
  address. The signature (an HMAC of token and address with the instance's
  secret) makes the redirect go only where the e-mail pointed — never an
  open redirect for anyone who holds a token.

A worker has no request to ask the site's address: the campaign keeps the
one it was started from (``Campaign.base_url``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import quote

from flask import current_app

_HREF = re.compile(r"""href=(["'])(https?://[^"']+)\1""", re.IGNORECASE)


def unsubscribe_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/m/u/{token}"


def pixel_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/m/o/{token}.gif"


def signature(token: str, address: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{token}|{address}".encode(), hashlib.sha256).hexdigest()[:32]


def signed(token: str, address: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(signature(token, address), given or "")


def click_url(base: str, token: str, address: str) -> str:
    return (
        f"{base.rstrip('/')}/m/c/{token}?u={quote(address, safe='')}&s={signature(token, address)}"
    )


def tracked(body: str, base: str, token: str) -> str:
    """``body`` with each web link going through the click counter (the
    unsubscribe link left as it is) and the open pixel at its end."""
    keep = unsubscribe_url(base, token)

    def through(match: re.Match) -> str:
        address = match.group(2).replace("&amp;", "&")
        if address == keep:
            return match.group(0)
        return f'href="{click_url(base, token, address).replace("&", "&amp;")}"'

    pixel = f'<img src="{pixel_url(base, token)}" width="1" height="1" alt="">'
    return _HREF.sub(through, body) + pixel
