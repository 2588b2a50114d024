"""The recycle bin (回收站), the audit log (操作日志) and the follow-up plans
(跟进计划) under ``/api/v1``."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from core import followups
from core.access import audit_entries, redacted_entry, scoped
from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import AuditEntry, Customer, FollowUpPlan
from core.rest.auth import require
from core.rest.customers import AUDIT_SORTABLE, SORTABLE, body, visible
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.schemas import AuditOut, CustomerOut
from core.schemas import Flag, FollowUpPlanInput, Id
from core.services import customers as service

bp = Blueprint("api_admin", __name__, description="Recycle bin, audit log and follow-up plans")


class AuditArgs(ListArgs):
    entity = fields.String()
    entity_id = Id(strict=False)
    user_id = Id(strict=False)
    action = fields.String()


BIN_SORTABLE = {**SORTABLE, "deleted_at": Customer.deleted_at}


@bp.route("/recycle-bin", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, BIN_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(CustomerOut, "RecycleBinPage"))
def recycle_bin(args):
    """Deleted customers the caller may see; restore with ``POST /customers/{id}/restore``."""
    require("customer.delete")
    query = scoped(select(Customer), Customer, current_user, include_deleted=True).where(
        Customer.deleted_at.is_not(None)
    )
    return paginate(query, args, BIN_SORTABLE, "-deleted_at")


@bp.route("/recycle-bin/<int:customer_id>", methods=["DELETE"])
@bp.response(204)
def purge(customer_id: int):
    """Delete a customer in the recycle bin for good."""
    require("customer.purge")
    service.purge_customer(visible(customer_id, include_deleted=True), current_user)


@bp.route("/audit", methods=["GET"])
@bp.arguments(sorted_by(AuditArgs, AUDIT_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(AuditOut, "AuditLogPage"))
def audit_log(args):
    require("audit.read")
    query = audit_entries(current_user)
    for key in ("entity", "entity_id", "user_id", "action"):
        if args.get(key) is not None:
            query = query.where(getattr(AuditEntry, key) == args[key])
    page = paginate(query, args, AUDIT_SORTABLE, "-created_at")
    return {**page, "items": [redacted_entry(e, current_user) for e in page["items"]]}


class PlanOut(Schema):
    id = fields.Integer()
    name = fields.String()
    rule = fields.String()
    params = fields.Dict()
    team_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    version = fields.Integer()


class PlanActive(Schema):
    active = Flag(required=True)


@bp.route("/followup-plans", methods=["GET"])
@bp.response(200, PlanOut(many=True))
def list_plans():
    """Follow-up plans: each a use of a rule (core's or a plugin's) with its params."""
    require("admin.settings")
    return followups.plans()


@bp.route("/followup-plans", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": FollowUpPlanInput}}})
@bp.response(201, PlanOut)
def create_plan():
    """A plan: ``rule`` names a rule core or a plugin registers (``customer_interval``,
    ``sales_grade_revisit``, …) and ``params`` are that rule's settings."""
    require("admin.settings")
    return followups.create_plan(body(), current_user)


@bp.route("/followup-plans/<int:plan_id>", methods=["PATCH"])
@bp.arguments(PlanActive, as_kwargs=False)
@bp.response(200, PlanOut)
def pause_or_resume_plan(args, plan_id: int):
    require("admin.settings")
    plan = db.session.get(FollowUpPlan, plan_id)
    if plan is None or plan.deleted_at is not None:
        raise NotFoundError(_("follow-up plan %(id)s not found", id=plan_id))
    return followups.set_active(plan, args["active"], current_user)
