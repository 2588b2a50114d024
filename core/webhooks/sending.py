"""One HTTP attempt of a delivery: POST the body, time it, keep the answer.

Sent with urllib3 (already installed with ``requests``; pinned in
``pyproject.toml``) rather than ``requests`` or the standard library, for
one reason: it connects to an address we name while the ``Host`` header,
TLS SNI and certificate check keep the URL's host name. So the address the
SSRF rule approved (:func:`core.webhooks.addresses.resolve`) is the one
connected to — no second DNS look-up that could answer otherwise. No
redirect is followed (a 3xx is a failed attempt), nothing is retried here
(the delivery's schedule does that), and the whole attempt has a deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from flask import current_app

from core.webhooks.addresses import RefusedAddress, resolve

#: seconds an attempt may take, connecting and answering (``WEBHOOK_TIMEOUT`` in app.config)
TIMEOUT = 10.0
#: bytes of the answer kept in the delivery log
EXCERPT = 2048


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: the status (None: no answer), the start of
    the answer's body, the error (a timeout, a refused connection …) and
    how long it took."""

    status_code: int | None
    excerpt: str | None
    error: str | None
    latency_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT", TIMEOUT))


def post(url: str, body: bytes, headers: dict[str, str], *, allow_internal: bool) -> Attempt:
    """POST ``body`` to ``url`` once, to an address the SSRF rule allows."""
    started = time.monotonic()
    try:
        parts, addresses = resolve(url, allow_internal)
    except RefusedAddress as exc:
        return Attempt(None, None, str(exc)[:500], _since(started))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    limit = timeout()
    deadline = urllib3.Timeout(total=limit)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            addresses[0],
            port,
            timeout=deadline,
            retries=False,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
        )
    else:
        pool = urllib3.HTTPConnectionPool(addresses[0], port, timeout=deadline, retries=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        data = response.read(EXCERPT)
        response.release_conn()
    except urllib3.exceptions.NewConnectionError as exc:  # a ConnectTimeoutError by descent
        return Attempt(None, None, f"cannot connect: {exc}"[:500], _since(started))
    except urllib3.exceptions.TimeoutError:
        return Attempt(None, None, f"timeout: no answer within {limit:g} s", _since(started))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Attempt(None, None, f"{type(exc).__name__}: {exc}"[:500], _since(started))
    finally:
        pool.close()
    return Attempt(response.status, data.decode("utf-8", "replace") or None, None, _since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
