"""API authentication: ``Authorization: Bearer <token>`` or the web session.

A request signed in by its session cookie must also send the session's
CSRF token in ``X-CSRF-Token`` to change anything; a bearer token needs
none (a browser never adds it on its own).
"""

from __future__ import annotations

import hmac

from flask import Flask, g, request, session
from flask_login import current_user

from core.extensions import login_manager
from core.i18n import _
from core.rest.problems import is_api_request, problem

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@login_manager.request_loader
def user_from_bearer(req):
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    from core.services.tokens import user_for_token

    user = user_for_token(header[7:].strip())
    if user is not None:
        g.trellis_bearer = True
    return user


def register(app: Flask) -> None:
    @app.before_request
    def api_guard():
        if not is_api_request() or request.path.endswith("/openapi.json"):
            return None
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            if not current_user.is_authenticated:
                return problem(
                    401,
                    _("Unauthorized"),
                    _("The token is malformed, unknown or revoked."),
                    kind="bad-token",
                )
            if g.get("trellis_bearer"):
                return None
            # signed in by the session cookie, not the token: the CSRF rule holds
        if not current_user.is_authenticated:
            return problem(401, _("Unauthorized"), _("Sign in or send a bearer token."))
        if request.method not in SAFE_METHODS:
            sent = request.headers.get("X-CSRF-Token", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                return problem(
                    403, _("Forbidden"), _("Missing or wrong X-CSRF-Token header."), kind="csrf"
                )
        return None


def require_password_session() -> None:
    """Abort with 403 unless the request is signed in by a password session
    (the web session cookie): an API token may not act for what only the
    password may do, such as minting tokens."""
    from flask import abort

    if g.get("trellis_bearer"):
        abort(
            403,
            description=_(
                "API tokens can only be created from a password sign-in session, "
                "not with another API token."
            ),
        )


def require(permission: str) -> None:
    """Abort with 403 unless the current user holds ``permission``."""
    from flask import abort

    if not current_user.can(permission):
        abort(403, description=_("You lack the permission %(p)s.", p=permission))
