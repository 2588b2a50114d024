"""Sign-in throttling with Flask-Limiter: per address and per account, so
neither one machine nor a botnet can guess a password at speed.

Counters live in memory (one process) or, when ``TRELLIS_REDIS_URL`` is
set, in Redis, shared by every worker.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

PER_ADDRESS = "20 per minute"
PER_ACCOUNT = "10 per 15 minutes"


def _account() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def public(limit: str):
    """Mark a view as public: no sign-in, no CSRF token (it is meant to be
    posted from another site, such as a company's web form), and rate-limited
    per address to ``limit`` (e.g. ``"10 per minute"``)."""
    def mark(view):
        view.trellis_public = limit
        return view
    return mark


def is_public(app: Flask, endpoint: str | None) -> bool:
    return bool(getattr(app.view_functions.get(endpoint or ""), "trellis_public", None))


def init_throttle(app: Flask) -> Limiter:
    """One limiter per app, guarding the sign-in form's POST and public views."""
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri=app.config["TRELLIS_REDIS_URL"] or "memory://",
                      key_prefix="trellis", headers_enabled=False)
    view = app.view_functions["auth.login"]
    view = limiter.limit(PER_ACCOUNT, key_func=_account, methods=["POST"])(view)
    view = limiter.limit(PER_ADDRESS, methods=["POST"])(view)
    app.view_functions["auth.login"] = view
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "trellis_public", None):
            app.view_functions[endpoint] = limiter.limit(view.trellis_public)(view)
    return limiter
