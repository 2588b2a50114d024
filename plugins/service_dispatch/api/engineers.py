"""``/api/v1/service/engineers``: who goes out on jobs, their skills
(order categories) and the regions they cover. Dispatchers read them;
service admins add and change them."""

from __future__ import annotations

from flask_login import current_user

from core.api import NotFoundError, db, expected_version, json_body, require, translator

from ..models import Engineer
from ..schemas.engineers import EngineerOut
from ..services import dispatch
from .blueprint import bp

_, _l = translator("service_dispatch")


def _engineer(engineer_id: int) -> Engineer:
    engineer = db.session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFoundError(_("engineer %(id)s not found", id=engineer_id))
    return engineer


@bp.route("/engineers", methods=["GET"])
@bp.response(200, EngineerOut(many=True))
def list_engineers():
    """Every engineer, active or not, by name, with their open orders."""
    if not current_user.can("service.admin"):
        require("service.dispatch")
    return dispatch.engineers()


@bp.route("/engineers", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": dispatch.EngineerInput}}})
@bp.response(201, EngineerOut)
def create_engineer():
    """Make a user an engineer, with skills and regions."""
    require("service.admin")
    return dispatch.create_engineer(json_body(), current_user)


@bp.route("/engineers/<int:engineer_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": dispatch.EngineerChange}}})
@bp.response(200, EngineerOut)
def update_engineer(engineer_id: int):
    """Change skills, regions or ``active``; send the ``version`` you read (409 when stale)."""
    require("service.admin")
    engineer = _engineer(engineer_id)
    payload = dict(json_body())
    version = expected_version(payload)
    return dispatch.update_engineer(engineer, payload, current_user, version)
