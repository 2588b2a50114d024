"""Signing a delivery, Stripe's way: ``Trellis-Signature: t=<unix time>,v1=<hex>``
where ``<hex>`` is the HMAC-SHA256, keyed with the subscription's secret, of
``"<t>.<body>"``. The timestamp is signed with the body, so a receiver that
refuses signatures older than a few minutes (:data:`TOLERANCE`) cannot be
fooled by a recorded request played again later.

:func:`verify` is what a receiver runs (``docs/webhooks.md`` shows it on its
own, with no Trellis import); the tests check it against real deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

#: the replay window a receiver should keep: five minutes either way
TOLERANCE = 300
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret (``whsec_`` and 32 random bytes, URL-safe)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed: compact JSON, keys sorted, UTF-8 — the same
    for every attempt of a delivery."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Trellis-Signature`` header for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = TOLERANCE, now: float | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
