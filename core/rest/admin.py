"""The recycle bin (回收站) and the audit log (操作日志) under ``/api/v1``."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from core.access import scoped
from core.models import AuditEntry, Customer
from core.rest.auth import require
from core.rest.customers import SORTABLE, visible
from core.rest.lists import ListArgs, page_schema, paginate
from core.rest.schemas import AuditOut, CustomerOut
from core.schemas import Id
from core.services import customers as service

bp = Blueprint("api_admin", __name__, description="Recycle bin and audit log")


class AuditArgs(ListArgs):
    entity = fields.String()
    entity_id = Id(strict=False)
    user_id = Id(strict=False)
    action = fields.String()


@bp.route("/recycle-bin", methods=["GET"])
@bp.arguments(ListArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(CustomerOut, "RecycleBinPage"))
def recycle_bin(args):
    """Deleted customers the caller may see; restore with ``POST /customers/{id}/restore``."""
    require("customer.delete")
    query = scoped(select(Customer), Customer, current_user, include_deleted=True).where(
        Customer.deleted_at.is_not(None))
    return paginate(query, args, {**SORTABLE, "deleted_at": Customer.deleted_at}, "-deleted_at")


@bp.route("/recycle-bin/<int:customer_id>", methods=["DELETE"])
@bp.response(204)
def purge(customer_id: int):
    """Delete a customer in the recycle bin for good."""
    require("customer.purge")
    service.purge_customer(visible(customer_id, include_deleted=True), current_user)


@bp.route("/audit", methods=["GET"])
@bp.arguments(AuditArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(AuditOut, "AuditLogPage"))
def audit_log(args):
    require("audit.read")
    query = select(AuditEntry)
    for key in ("entity", "entity_id", "user_id", "action"):
        if args.get(key) is not None:
            query = query.where(getattr(AuditEntry, key) == args[key])
    return paginate(query, args, {"created_at": AuditEntry.created_at}, "-created_at")


