"""Sign-in throttling with Flask-Limiter: per address and per account, so
neither one machine nor a botnet can guess a password at speed.

Counters live in memory (one process) or, when ``TRELLIS_REDIS_URL`` is
set, in Redis, shared by every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import Flask, request
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

PER_ADDRESS = "20 per minute"
PER_ACCOUNT = "10 per 15 minutes"


def _account() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


_View = TypeVar("_View", bound=Callable[..., object])


def public(limit: str) -> Callable[[_View], _View]:
    """Mark a view as public: no sign-in, no CSRF token (it is meant to be
    posted from another site, such as a company's web form), and rate-limited
    per address to ``limit`` (e.g. ``"10 per minute"``)."""

    def mark(view: _View) -> _View:
        view.trellis_public = limit  # type: ignore[attr-defined]  # a marker on the view
        return view

    return mark


def is_public(app: Flask, endpoint: str | None) -> bool:
    return bool(getattr(app.view_functions.get(endpoint or ""), "trellis_public", None))


def init_throttle(app: Flask) -> Limiter:
    """One limiter per app, guarding the sign-in form's POST and public views."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["TRELLIS_REDIS_URL"] or "memory://",
        key_prefix="trellis",
        headers_enabled=False,
    )
    # (the limiter's decorator keeps a view's type; its stub cannot say so for
    # Flask's union of sync and async views, hence the casts)
    view = app.view_functions["auth.login"]
    view = cast(
        RouteCallable, limiter.limit(PER_ACCOUNT, key_func=_account, methods=["POST"])(view)
    )
    view = cast(RouteCallable, limiter.limit(PER_ADDRESS, methods=["POST"])(view))
    app.view_functions["auth.login"] = view
    for endpoint, view in list(app.view_functions.items()):
        limit = getattr(view, "trellis_public", None)
        if limit:
            app.view_functions[endpoint] = cast(RouteCallable, limiter.limit(limit)(view))
    return limiter
