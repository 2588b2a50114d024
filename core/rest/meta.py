"""``/api/v1/plugins`` and the caller's own API tokens (``/api/v1/me/tokens``)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from core.extensions import db
from core.models import ApiToken
from core.rest.customers import body
from core.rest.schemas import PluginOut, TokenCreated, TokenInput, TokenOut
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
    """Create a token; its secret is in this answer and never again."""
    token, secret = service.create_token(current_user, body().get("name"), current_user)
    token.token = secret
    return token


@bp.route("/me/tokens/<int:token_id>", methods=["DELETE"])
@bp.response(204)
def revoke_my_token(token_id: int):
    service.revoke_token(service.get_own_token(current_user, token_id), current_user)
