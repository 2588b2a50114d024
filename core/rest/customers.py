"""``/api/v1/customers``: list, search, create, read, edit, delete, restore."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.access import hidden_filters, redacted_entry, scoped, visible_customer
from core.errors import NotFoundError, ValidationError
from core.extensions import db
from core.i18n import _
from core.models import AuditEntry, Customer, CustomerKind, Grade, Stage, Tag, customer_tag
from core.registry import current_registry
from core.rest.auth import require
from core.rest.exports import CSV_RESPONSE, csv_export, export_args
from core.rest.lists import ListArgs, SortArgs, ordered, page_schema, paginate, sorted_by
from core.rest.schemas import AuditOut, CustomerCreated, CustomerOut, MergeInput
from core.schemas import CustomerInput, Id, is_id
from core.search import search_match
from core.services import customers as service

bp = Blueprint("api_customers", __name__, description="Customers (客户)")
SORTABLE = {
    "name": func.lower(Customer.name),
    "updated_at": Customer.updated_at,
    "created_at": Customer.created_at,
    "grade": Customer.grade,
    "stage": Customer.stage,
    "next_follow_up_at": Customer.next_follow_up_at,
    "last_contacted_at": Customer.last_contacted_at,
}
AUDIT_SORTABLE = {"created_at": AuditEntry.created_at}


class CustomerFilters(Schema):
    owner_id = Id(strict=False)
    team_id = Id(strict=False)
    stage = fields.Enum(Stage)
    grade = fields.Enum(Grade)
    kind = fields.Enum(CustomerKind)
    source = fields.String(validate=validate.Length(max=200))
    tag = fields.String(validate=validate.Length(max=200))
    filter = fields.List(
        fields.String(validate=validate.Length(min=3, max=120)),
        metadata={
            "description": "A plugin's filter, `<key>:<value>` (e.g. `segment:12`), "
            "repeatable: every one must hold. The plugins declare them "
            "(`trellis_customer_filters`); the customers page offers their values."
        },
    )


class CustomerListArgs(ListArgs, CustomerFilters):
    pass


class CustomerExportArgs(SortArgs, CustomerFilters):
    pass


def filtered(args: dict):
    """The customers the caller may see that match the list's filters and
    ``q``. A filter or sort by a field the caller's role hides is refused
    (422 naming it): its answer would tell the hidden value."""
    if named := hidden_filters(current_user, "customer", args):
        raise ValidationError({key: [_("This field is hidden from your role.")] for key in named})
    query = scoped(select(Customer), Customer, current_user)
    for key in ("owner_id", "team_id", "stage", "grade", "kind", "source"):
        if args.get(key) is not None:
            query = query.where(getattr(Customer, key) == args[key])
    if args.get("tag"):
        query = query.where(
            Customer.id.in_(
                select(customer_tag.c.customer_id).join(Tag).where(Tag.name == args["tag"])
            )
        )
    if args.get("q"):
        query = query.where(search_match(Customer, args["q"], current_user))
    for spec in args.get("filter") or ():
        query = query.where(plugin_filter(spec))
    return query


def plugin_filter(spec: str) -> Any:
    """The SQL condition of a plugin's ``<key>:<value>`` filter for the
    caller; a 422 naming ``filter`` for an unknown key or a value the
    plugin refuses (a segment the caller cannot see …)."""
    key, _sep, value = spec.partition(":")
    declared = current_registry().customer_filters.get(key)
    if declared is None or not value:
        raise ValidationError({"filter": [_("Unknown filter: %(spec)s.", spec=spec)]})
    try:
        return declared.condition(value, current_user)
    except ValidationError as exc:  # a 404 or 409 of the plugin's too: here, a bad filter
        raise ValidationError({"filter": [exc.summary]}) from exc
    except NotFoundError as exc:
        raise ValidationError({"filter": [str(exc)]}) from exc


def visible(customer_id: int, *, include_deleted: bool = False) -> Customer:
    """The customer if the current user may see it; 404 otherwise (existence does not leak)."""
    return visible_customer(customer_id, current_user, include_deleted=include_deleted)


MAX_VERSION = 2**31 - 1


def expected_version(payload: dict) -> int | None:
    """The version the client read: ``version`` in the body or ``If-Match``."""
    version = payload.pop("version", None)
    header = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if version is None and header:
        version = header
    if version is None:
        return None
    if isinstance(version, str) and re.fullmatch(r"\s*[0-9]{1,20}\s*", version):
        version = int(version)
    # Only a whole number a version column can hold: not a bool, a fraction,
    # infinity (JSON ``1e309``) or a number past the 32-bit range.
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError({"version": [_("expected the version number you read")]})
    if not 0 <= version <= MAX_VERSION:
        raise ValidationError(
            {"version": [_("the version must be between 0 and %(max)d", max=MAX_VERSION)]}
        )
    return version


def body() -> dict:
    """The request's JSON body as a dict; a ``ValidationError`` (422) if it is
    missing, malformed or not a JSON object."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_body": [_("expected a JSON object")]})
    return payload


@bp.route("", methods=["GET"])
@bp.arguments(sorted_by(CustomerListArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(CustomerOut, "CustomerPage"))
def list_customers(args):
    """Customers the caller may see, filtered, searched (``q``: name) and sorted."""
    require("customer.read")
    return paginate(filtered(args), args, SORTABLE, "-updated_at")


@bp.route("/export", methods=["GET"])
@bp.arguments(export_args(CustomerExportArgs, SORTABLE), location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_customers(args):
    """Every customer the list would show (same filters), as CSV or XLSX
    (``format``); needs ``customer.export``.

    Fields the caller's role hides are left out of the file.
    """
    require("customer.read")
    require("customer.export")
    query = ordered(filtered(args), args.get("sort"), SORTABLE, "-updated_at")
    return csv_export(query, CustomerOut(), "customers.csv")


@bp.route("", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": CustomerInput}}})
@bp.response(201, CustomerCreated)
def create_customer():
    """Create a customer; the answer lists likely duplicates the caller can see."""
    require("customer.write")
    payload = body()
    payload.setdefault("owner_id", current_user.id)
    team_id = payload.get("team_id")
    if payload["owner_id"] != current_user.id or (
        is_id(team_id) and team_id != current_user.team_id
    ):
        require("customer.transfer")  # another owner or team, or the pool (None)
    created = service.create_customer(payload, current_user)
    visible_ids = set(
        db.session.scalars(
            scoped(select(Customer.id), Customer, current_user).where(
                Customer.id.in_([d.id for d in created.duplicates])
            )
        )
    )
    customer = created.customer
    customer.likely_duplicates = [d for d in created.duplicates if d.id in visible_ids]
    return customer


@bp.route("/<int:customer_id>", methods=["GET"])
@bp.response(200, CustomerOut)
def get_customer(customer_id: int):
    require("customer.read")
    return visible(customer_id)


@bp.route("/<int:customer_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": CustomerInput}}})
@bp.response(200, CustomerOut)
def update_customer(customer_id: int):
    """Change some fields. Send the ``version`` you read (or ``If-Match``); a
    stale one is refused with 409."""
    require("customer.write")
    customer = visible(customer_id)
    payload = body()
    version = expected_version(payload)
    # a new owner or team needs customer.transfer: the service checks it
    return service.update_customer(customer, payload, current_user, version)


@bp.route("/<int:customer_id>", methods=["DELETE"])
@bp.response(204)
def delete_customer(customer_id: int):
    """Move the customer to the recycle bin (restorable)."""
    require("customer.delete")
    customer = visible(customer_id)
    service.delete_customer(customer, current_user, expected_version({}))


@bp.route("/<int:customer_id>/restore", methods=["POST"])
@bp.response(200, CustomerOut)
def restore_customer(customer_id: int):
    require("customer.delete")
    return service.restore_customer(visible(customer_id, include_deleted=True), current_user)


@bp.route("/<int:customer_id>/merge", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": MergeInput}}})
@bp.response(200, CustomerOut)
def merge(customer_id: int):
    """合并重复客户: fold ``merge_id`` into this customer, field by field."""
    require("customer.merge")
    survivor = visible(customer_id)
    payload = body()
    merge_id = payload.get("merge_id")
    if not is_id(merge_id):
        raise ValidationError({"merge_id": [_("expected the id of the customer to merge")]})
    choose = payload.get("choose") or {}
    if not isinstance(choose, dict):
        raise ValidationError({"choose": [_("expected an object of field: survivor|merged")]})
    other = visible(merge_id)
    return service.merge_customers(survivor, other, current_user, choose)


@bp.route("/<int:customer_id>/audit", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, AUDIT_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(AuditOut, "AuditPage"))
def customer_audit(args, customer_id: int):
    """操作日志 of one customer: who changed what, when, before and after."""
    require("customer.read")
    customer = visible(customer_id, include_deleted=True)
    query = select(AuditEntry).where(
        AuditEntry.entity == "customer", AuditEntry.entity_id == customer.id
    )
    page = paginate(query, args, AUDIT_SORTABLE, "-created_at")
    return {**page, "items": [redacted_entry(e, current_user) for e in page["items"]]}
