"""Personal API tokens: create (the secret is returned once), revoke, authenticate."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.errors import NotFoundError, ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import ApiToken, User, utcnow
from core.services.base import audit

PREFIX = "trl_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its secret (never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": [_("a token needs a name of at most 80 characters")]})
    if not user.is_active:
        raise ValidationError({"user": [_("this user is deactivated")]})
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction():
        token = ApiToken(user_id=user.id, name=name, digest=_digest(secret), prefix=secret[:10])
        db.session.add(token)
        audit(actor, token, "create", None, {"name": name, "user_id": user.id})
    return token, secret


def revoke_token(token: ApiToken, actor: User | None) -> None:
    if token.revoked_at is None:
        with transaction():
            token.revoked_at = utcnow()
            audit(actor, token, "revoke", None, None)


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None. Records last use."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.digest == _digest(secret))
        .options(joinedload(ApiToken.user).joinedload(User.role))
    )  # one statement, not three
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now  # at most once a minute: a token is not a write per request
        db.session.commit()
    return token.user


def get_own_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(_("token %(id)s not found", id=token_id))
    return token
