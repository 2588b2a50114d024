"""Personal API tokens: create (the secret is returned once), revoke, authenticate.

Every token expires (``TRELLIS_TOKEN_DAYS`` by default, at most
``TRELLIS_TOKEN_MAX_DAYS``). A password change or a deactivation revokes all
of the user's tokens: whoever held the old password or the old account must
not keep a way in. Minting a token from the API needs a password sign-in
session (see :func:`core.rest.auth.require_password_session`), so a leaked
token cannot breed tokens that outlive its own revocation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.errors import NotFoundError, ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import ApiToken, User, utcnow
from core.schemas import TokenInput
from core.services.base import audit, load

PREFIX = "trl_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: Any, actor: User | None, expires_in_days: Any = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its secret (never stored).

    ``expires_in_days`` None means the configured default life."""
    data = load(TokenInput(), {"name": name, "expires_in_days": expires_in_days})
    name = data["name"].strip()
    if not name:
        raise ValidationError({"name": [_("a token needs a name of at most 80 characters")]})
    days = data["expires_in_days"] or current_app.config["TRELLIS_TOKEN_DAYS"]
    longest = current_app.config["TRELLIS_TOKEN_MAX_DAYS"]
    if days > longest:
        raise ValidationError(
            {"expires_in_days": [_("a token lives at most %(days)s days", days=longest)]}
        )
    if not user.is_active:
        raise ValidationError({"user": [_("this user is deactivated")]})
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=days)
    with transaction():
        token = ApiToken(
            user_id=user.id,
            name=name,
            digest=_digest(secret),
            prefix=secret[:10],
            expires_at=expires_at,
        )
        db.session.add(token)
        audit(actor, token, "create", None, {"name": name, "user_id": user.id, "days": days})
    return token, secret


def revoke_token(token: ApiToken, actor: User | None) -> None:
    if token.revoked_at is None:
        with transaction():
            token.revoked_at = utcnow()
            audit(actor, token, "revoke", None, None)


def revoke_user_tokens(user: User, actor: User | None, reason: str) -> None:
    """Revoke every live token of ``user`` (in the caller's transaction, if
    any); ``reason`` (``password``, ``deactivated``) goes to the audit log."""
    live = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    with transaction():
        now = utcnow()
        for token in db.session.scalars(live).all():
            token.revoked_at = now
            audit(actor, token, "revoke", None, {"reason": reason})


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None. Records last use."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.digest == _digest(secret))
        .options(joinedload(ApiToken.user).joinedload(User.role))
    )  # one statement, not three
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now  # at most once a minute: a token is not a write per request
        db.session.commit()
    return token.user


def get_own_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(_("token %(id)s not found", id=token_id))
    return token
