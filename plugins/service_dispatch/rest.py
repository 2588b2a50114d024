"""``/api/v1/service``: work orders, their transitions and the
suggested engineers (engineers themselves: ``rest_engineers``).

Access goes through :mod:`.access`: an engineer sees the orders assigned to
them, a dispatcher or manager those of their role's scope; any other order
is a 404. An action the order's state does not allow is a 409 whose body
lists what is allowed.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, missing, validate
from sqlalchemy.orm import joinedload

from core.api import (
    CSV_RESPONSE, ApiBlueprint, ListArgs, ValidationError, csv_export, expected_version,
    json_body, page_schema, paginate, require, translator,
)

from . import dispatch, lifecycle, parts, services, stock
from .access import search_orders, visible_order
from .models import PRIORITIES, STATUSES, WorkOrder

_, _l = translator("service_dispatch")
bp = ApiBlueprint("api_service_dispatch", __name__, url_prefix="/api/v1/service",
                  description="Service dispatch: work orders (工单) and engineers (工程师)")
SORTABLE = {"created_at": WorkOrder.created_at, "updated_at": WorkOrder.updated_at,
            "appointment_at": WorkOrder.appointment_at, "number": WorkOrder.number,
            "priority": WorkOrder.priority, "status": WorkOrder.status}


class WorkOrderOut(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda o: o.customer.name, dump_only=True)
    contact_id = fields.Integer(allow_none=True)
    status = fields.String()
    priority = fields.String()
    category = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    engineer_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    respond_by = fields.DateTime(allow_none=True)
    resolve_by = fields.DateTime(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    coverage = fields.String(metadata={"description": "covered (by contract_id) or chargeable"})
    appointment_at = fields.DateTime(allow_none=True)
    assigned_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    departed_at = fields.DateTime(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    diagnosis = fields.String(allow_none=True)
    work_done = fields.String(allow_none=True)
    labour_minutes = fields.Integer(allow_none=True)
    charges = fields.Decimal(as_string=True, allow_none=True, metadata={
        "type": ["string", "null"], "description": "exact amount, e.g. \"120.50\""})
    confirmed_by = fields.String(allow_none=True)
    override_note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class EventOut(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    note = fields.String(allow_none=True)


def _text(getter):
    return fields.Function(getter, metadata={"type": "string"})


class PartUsedOut(Schema):
    part_id = fields.Integer()
    sku = _text(lambda m: m.part.sku)
    name = _text(lambda m: m.part.name)
    unit = _text(lambda m: m.part.unit)
    quantity = _text(lambda m: str(-m.quantity))
    location_id = fields.Integer()
    location_name = _text(lambda m: m.location.name)
    at = fields.DateTime()


class PartsUsed(fields.List):
    """The parts taken out of stock for the order (:func:`parts.parts_used`)."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return parts.parts_used(obj)


class WorkOrderDetail(WorkOrderOut):
    history = fields.List(fields.Nested(EventOut), attribute="events")
    parts_used = PartsUsed(fields.Nested(PartUsedOut), dump_only=True)
    allowed_actions = fields.Function(lambda o: lifecycle.actions_for(current_user, o),
                                      dump_only=True)


class ActionOut(Schema):
    action = fields.String()
    to_status = fields.String()
    label = fields.String()


class TransitionsOut(Schema):
    status = fields.String()
    version = fields.Integer()
    actions = fields.List(fields.Nested(ActionOut))


class TransitionInput(Schema):
    """``action`` and the ``version`` you read, plus what the action needs:
    ``engineer_id`` (assign; ``override_reason`` outside skills or regions),
    ``reason`` (decline, reopen, cancel), the report (complete)."""

    action = fields.String(required=True, validate=validate.OneOf(lifecycle.ACTIONS))
    version = fields.Integer(required=True)
    note = fields.String()
    reason = fields.String()
    engineer_id = fields.Integer()
    appointment_at = fields.AwareDateTime()
    override_reason = fields.String()
    diagnosis = fields.String()
    work_done = fields.String()
    labour_minutes = fields.Integer()
    charges = fields.Decimal(as_string=True, metadata={"type": "string"})
    confirmed_by = fields.String()
    checked_out_at = fields.AwareDateTime()
    parts = fields.List(fields.Nested(stock.UseLine))


class SuggestionOut(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    skill_match = fields.Boolean()
    region_match = fields.Boolean()
    workload = fields.Integer()
    reasons = fields.List(fields.String())


class WorkOrderArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    engineer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    customer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


@bp.route("/work-orders", methods=["GET"])
@bp.arguments(WorkOrderArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(WorkOrderOut, "WorkOrderPage"))
def list_work_orders(args):
    """The work orders the caller may see (an engineer: those assigned to them)."""
    require("service.order.read")
    query = search_orders(current_user, args).options(joinedload(WorkOrder.customer))
    return paginate(query, args, SORTABLE, "-created_at")


@bp.route("/work-orders/export", methods=["GET"])
@bp.arguments(WorkOrderArgs, location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_work_orders(args):
    """Every work order the list would show (same filters), as CSV, newest
    first; needs ``service.order.export``."""
    require("service.order.export")
    query = search_orders(current_user, args).options(joinedload(WorkOrder.customer))
    return csv_export(query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()),
                      WorkOrderOut(), "work-orders.csv")


@bp.route("/work-orders", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.WorkOrderInput}}})
@bp.response(201, WorkOrderDetail)
def create_work_order():
    require("service.order.write")
    return services.create_work_order(json_body(), current_user)


@bp.route("/work-orders/<int:order_id>", methods=["GET"])
@bp.response(200, WorkOrderDetail)
def get_work_order(order_id: int):
    """The order with its history, oldest first, and what the caller may do next."""
    require("service.order.read")
    return visible_order(order_id, current_user)


@bp.route("/work-orders/<int:order_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": services.WorkOrderChange}}},
        responses={"409": {"description": "stale version, or the order is closed or cancelled"}})
@bp.response(200, WorkOrderDetail)
def update_work_order(order_id: int):
    """Change what the body names; send the ``version`` you read (409 when
    stale). A new priority, category, product or serial number re-decides
    the contract, coverage and SLA deadlines."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return services.update_work_order(order, payload, current_user, version)


@bp.route("/work-orders/<int:order_id>/transitions", methods=["GET"])
@bp.response(200, TransitionsOut)
def list_transitions(order_id: int):
    """The actions the caller may take on the order in its current state."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    return {"status": order.status, "version": order.version, "actions": [
        {"action": a, "to_status": lifecycle.TRANSITIONS[a][1],
         "label": str(lifecycle.ACTION_LABELS[a])}
        for a in lifecycle.actions_for(current_user, order)]}


@bp.route("/work-orders/<int:order_id>/transitions", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": TransitionInput}}},
        responses={"409": {"description": "stale version, or the action is not possible in "
                                          "the order's state (the body lists the allowed ones)"}})
@bp.response(200, WorkOrderDetail)
def post_transition(order_id: int):
    """Take an action: ``{"action", "version", ...}`` (409 when stale or not allowed)."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    payload = dict(json_body())
    action, version = payload.pop("action", None), payload.pop("version", None)
    errors = {}
    if not isinstance(action, str) or action not in lifecycle.ACTIONS:
        errors["action"] = [_("unknown action; use one of: %(actions)s",
                              actions=", ".join(lifecycle.ACTIONS))]
    if not isinstance(version, int) or isinstance(version, bool):
        errors["version"] = [_("send the version you read")]
    if errors:
        raise ValidationError(errors)
    return lifecycle.transition(order, action, current_user, payload, version)


@bp.route("/work-orders/<int:order_id>/suggested-engineers", methods=["GET"])
@bp.response(200, SuggestionOut(many=True))
def suggested_engineers(order_id: int):
    """Active engineers ranked by skill, region, then fewest open orders, with the reasons."""
    require("service.dispatch")
    return dispatch.suggested_engineers(visible_order(order_id, current_user))
