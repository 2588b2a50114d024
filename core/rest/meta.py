"""``/api/v1/plugins`` and the caller's own API tokens (``/api/v1/me/tokens``)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from core.extensions import db
from core.models import ApiToken
from core.rest.auth import require_password_session
from core.rest.customers import body
from core.rest.schemas import PluginOut, TokenCreated, TokenOut
from core.schemas import TokenInput
from core.services import tokens as service

bp = Blueprint("api_meta", __name__, description="Plugins and personal API tokens")


@bp.route("/plugins", methods=["GET"])
@bp.response(200, PluginOut(many=True))
def list_plugins():
    """Every plugin found, enabled or not."""
    reg = current_app.extensions["trellis"]
    rows = [(p, True) for p in reg.plugins] + [(p, False) for p in reg.disabled if p.manifest]
    return [
        {
            "name": p.name,
            "version": p.manifest.version,
            "title": p.manifest.title,
            "description": p.manifest.description,
            "requires": list(p.manifest.requires),
            "enabled": enabled,
            "builtin": p.builtin,
        }
        for p, enabled in rows
    ]


@bp.route("/me/tokens", methods=["GET"])
@bp.response(200, TokenOut(many=True))
def my_tokens():
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    ).all()


@bp.route("/me/tokens", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": TokenInput}}})
@bp.response(201, TokenCreated)
def create_my_token():
    """Create a token; its secret is in this answer and never again.

    Only a password sign-in session (the web session cookie) may create
    tokens: a request signed by an API token gets 403. ``expires_in_days``
    defaults to ``TRELLIS_TOKEN_DAYS`` and may not exceed ``TRELLIS_TOKEN_MAX_DAYS``.
    """
    require_password_session()
    data = body()
    token, secret = service.create_token(
        current_user, data.get("name"), current_user, data.get("expires_in_days")
    )
    token.token = secret
    return token


@bp.route("/me/tokens/<int:token_id>", methods=["DELETE"])
@bp.response(204)
def revoke_my_token(token_id: int):
    service.revoke_token(service.get_own_token(current_user, token_id), current_user)
