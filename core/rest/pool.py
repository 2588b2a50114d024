"""The customer pool under ``/api/v1``: list, claim, release, transfer."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from core.access import subtree_ids
from core.errors import MissingReferenceError, NotFoundError, ValidationError
from core.extensions import db
from core.i18n import _
from core.models import Customer, DataScope, PoolRule, User
from core.rest.auth import require
from core.rest.customers import SORTABLE, body, visible
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.schemas import CustomerOut
from core.schemas import Id, is_id
from core.search import search_match
from core.services import pool as service

bp = Blueprint("api_pool", __name__, description="Customer pool (公海)")


class TransferInput(Schema):
    to_user_id = Id(required=True)


class TransferOut(Schema):
    customers = fields.Integer()
    tasks = fields.Integer()
    plugin_records = fields.Integer()


def pool_query():
    """Pool customers the user may claim: their team's (and sub-teams') and
    those of no team; all of them for a role with scope ``all``."""
    query = select(Customer).where(Customer.owner_id.is_(None), Customer.deleted_at.is_(None))
    if current_user.role.scope != DataScope.all:
        teams = subtree_ids(current_user.team_id) if current_user.team_id else []
        query = query.where(Customer.team_id.is_(None) | Customer.team_id.in_(teams))
    return query


@bp.route("/pool", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(CustomerOut, "PoolPage"))
def list_pool(args):
    require("pool.claim")
    query = pool_query()
    if args.get("q"):
        query = query.where(search_match(Customer, args["q"], current_user))
    return paginate(query, args, SORTABLE, "-updated_at")


@bp.route("/pool/<int:customer_id>/claim", methods=["POST"])
@bp.response(200, CustomerOut)
def claim(customer_id: int):
    """领取: take a customer from the pool (limit and cool-off apply)."""
    require("pool.claim")
    customer = db.session.scalar(pool_query().where(Customer.id == customer_id))
    if customer is None:
        raise NotFoundError(_("customer %(id)s not found", id=customer_id))
    return service.claim(customer, current_user)


@bp.route("/customers/<int:customer_id>/release", methods=["POST"])
@bp.response(200, CustomerOut)
def release(customer_id: int):
    """放入公海: give an owned customer back to the pool."""
    customer = visible(customer_id)
    if customer.owner_id != current_user.id:
        require("customer.transfer")
    return service.release(customer, current_user)


@bp.route("/users/<int:user_id>/transfer", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": TransferInput}}})
@bp.response(200, TransferOut)
def transfer(user_id: int):
    """转移: hand every customer, open task and plugin record of a user to a colleague."""
    require("customer.transfer")
    require("admin.users")
    from_user = db.session.get(User, user_id)
    if from_user is None:
        raise NotFoundError(_("user %(id)s not found", id=user_id))
    payload = body()
    to_id = payload.get("to_user_id")
    if not is_id(to_id):
        raise ValidationError({"to_user_id": [_("expected the id of an active user")]})
    to_user = db.session.get(User, to_id)
    if to_user is None:
        raise MissingReferenceError({"to_user_id": [_("no active user with this id")]})
    return service.transfer_all(from_user, to_user, current_user)


class PoolRuleOut(Schema):
    id = fields.Integer(required=True)
    team_id = fields.Integer(allow_none=True)
    claim_limit = fields.Integer()
    cool_off_days = fields.Integer()
    recycle_after_days = fields.Integer(allow_none=True)
    remind_days_before = fields.Integer()
    conditions = fields.Dict()
    active = fields.Boolean()


@bp.route("/pool/rules", methods=["GET"])
@bp.response(200, PoolRuleOut(many=True))
def list_rules():
    """Every team's pool rule (team null: the default for teams without one)."""
    require("admin.settings")
    return db.session.scalars(
        select(PoolRule).order_by(PoolRule.team_id.is_not(None), PoolRule.team_id)
    ).all()


@bp.route("/pool/rules", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": service.PoolRuleInput}}})
@bp.response(200, PoolRuleOut)
def save_rule():
    """Create or replace the pool rule of ``team_id`` (null: the default rule):
    claim limit, cool-off, recycling after N days without contact, reminder,
    and the recycle conditions plugins declare, with their params."""
    require("admin.settings")
    return service.save_rule(body(), current_user)
