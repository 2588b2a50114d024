"""Sign-in throttling with Flask-Limiter, built so that an attacker can slow
down guessing but cannot lock a user out.

Only failed sign-ins count (the login view answers a wrong password with
401, a success with a 302 redirect), and they are counted twice:

* per account *and* client address: after ``PER_ACCOUNT_AND_ADDRESS``
  failures that address is refused (429) for that account; the same
  account from any other address still signs in, so guessing someone's
  password from one machine never locks the real user out;
* per address: after ``PER_ADDRESS`` failures, whatever the account, that
  address is refused for every account, against one machine trying a
  password on many accounts.

A successful sign-in is never counted and forgets the failures of its
(account, address) pair (see :func:`forget_failures`), so a user who
mistypes a few times is not left near the limit. The limiter only *tests*
the counters before the view and adds a failure after it, so a 429 is
itself not counted either.

Counters live in memory (one process) or, when ``TRELLIS_REDIS_URL`` is
set, in Redis, shared by every worker. The address is the client's as
Werkzeug sees it (the proxy's, unless ``TRELLIS_PROXIES`` says to believe
X-Forwarded-For).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import Flask, current_app, request
from flask.typing import RouteCallable
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from core.jobs import queue_name

PER_ADDRESS = "20 per minute"
PER_ACCOUNT_AND_ADDRESS = "10 per 15 minutes"


def _account_and_address() -> str:
    email = request.form.get("email", "").strip().lower()[:254]
    return f"login:{email}|{get_remote_address()}"


def _failed(response: Response) -> bool:
    """Whether the sign-in failed (a wrong password or an unknown user)."""
    return response.status_code == 401


def forget_failures() -> None:
    """After a successful sign-in: this address's failures for this account
    start from nothing (the per-address count is kept)."""
    limiter: Limiter | None = current_app.extensions.get("trellis_limiter")
    if limiter is None:
        return
    pair = _account_and_address()
    for current in limiter.current_limits:
        if pair in current.request_args:
            limiter.limiter.clear(current.limit, *current.request_args)


_View = TypeVar("_View", bound=Callable[..., object])


def public(limit: str) -> Callable[[_View], _View]:
    """Mark a view as public: no sign-in, no CSRF token (it is meant to be
    posted from another site, such as a company's web form), and rate-limited
    per address to ``limit`` (e.g. ``"10 per minute"``)."""

    def mark(view: _View) -> _View:
        view.trellis_public = limit  # type: ignore[attr-defined]  # a marker on the view
        return view

    return mark


def allow(limit: str, *keys: str) -> bool:
    """Count one use of ``keys`` (e.g. a purpose and a phone number)
    against ``limit`` (``"1 per minute;5 per hour"``): False, and nothing
    counted past it, when the use is over the limit. The counters are the
    sign-in limiter's (in memory, or Redis when ``TRELLIS_REDIS_URL`` is set)."""
    limiter: Limiter | None = current_app.extensions.get("trellis_limiter")
    if limiter is None:
        return True
    items = parse_many(limit)
    if not all(limiter.limiter.test(item, "allow", *keys) for item in items):
        return False
    return all([limiter.limiter.hit(item, "allow", *keys) for item in items])


def is_public(app: Flask, endpoint: str | None) -> bool:
    return bool(getattr(app.view_functions.get(endpoint or ""), "trellis_public", None))


def init_throttle(app: Flask) -> Limiter:
    """One limiter per app, guarding the sign-in form's POST and public views."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["TRELLIS_REDIS_URL"] or "memory://",
        # installations sharing one Redis database count apart, as their queues do
        key_prefix=queue_name(app),
        headers_enabled=False,
        # Redis down: count in this process until it is back, rather than
        # refuse every sign-in (/readyz says Redis is down)
        in_memory_fallback_enabled=True,
    )
    # (the limiter's decorator keeps a view's type; its stub cannot say so for
    # Flask's union of sync and async views, hence the casts)
    view = app.view_functions["auth.login"]
    only_failures = limiter.limit(
        PER_ACCOUNT_AND_ADDRESS,
        key_func=_account_and_address,
        methods=["POST"],
        deduct_when=_failed,
    )
    view = cast(RouteCallable, only_failures(view))
    view = cast(
        RouteCallable, limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=_failed)(view)
    )
    app.view_functions["auth.login"] = view
    for endpoint, view in list(app.view_functions.items()):
        limit = getattr(view, "trellis_public", None)
        if limit:
            app.view_functions[endpoint] = cast(RouteCallable, limiter.limit(limit)(view))
    return limiter
