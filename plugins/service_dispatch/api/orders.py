"""``/api/v1/service``: work orders, their transitions and the
suggested engineers (engineers themselves: ``api.engineers``).

Access goes through :mod:`services.access`: an engineer sees the orders assigned to
them, a dispatcher or manager those of their role's scope; any other order
is a 404. An action the order's state does not allow is a 409 whose body
lists what is allowed.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import (
    CSV_RESPONSE,
    ValidationError,
    csv_export,
    expected_version,
    export_args,
    json_body,
    ordered,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import WorkOrder
from ..schemas.orders import (
    SuggestionOut,
    TransitionInput,
    TransitionsOut,
    WorkOrderArgs,
    WorkOrderDetail,
    WorkOrderOut,
)
from ..services import dispatch, lifecycle, orders
from ..services.access import search_orders, visible_order
from .blueprint import bp

_, _l = translator("service_dispatch")
SORTABLE = {
    "created_at": WorkOrder.created_at,
    "updated_at": WorkOrder.updated_at,
    "appointment_at": WorkOrder.appointment_at,
    "number": WorkOrder.number,
    "priority": orders.URGENCY,  # urgent first
    "status": WorkOrder.status,
}


@bp.route("/work-orders", methods=["GET"])
@bp.arguments(sorted_by(WorkOrderArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(WorkOrderOut, "WorkOrderPage"))
def list_work_orders(args):
    """The work orders the caller may see (an engineer: those assigned to them)."""
    require("service.order.read")
    query = search_orders(current_user, args).options(joinedload(WorkOrder.customer))
    return paginate(query, args, SORTABLE, "-created_at")


@bp.route("/work-orders/export", methods=["GET"])
@bp.arguments(export_args(WorkOrderArgs, SORTABLE), location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_work_orders(args):
    """Every work order the list would show (same filters and ``sort``;
    newest first by default), as CSV or XLSX (``format``); needs ``service.order.export``."""
    require("service.order.export")
    query = search_orders(current_user, args).options(joinedload(WorkOrder.customer))
    return csv_export(
        ordered(query, args.get("sort"), SORTABLE, "-created_at"), WorkOrderOut(), "work-orders.csv"
    )


@bp.route("/work-orders", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": orders.WorkOrderInput}}})
@bp.response(201, WorkOrderDetail)
def create_work_order():
    require("service.order.write")
    return orders.create_work_order(json_body(), current_user)


@bp.route("/work-orders/<int:order_id>", methods=["GET"])
@bp.response(200, WorkOrderDetail)
def get_work_order(order_id: int):
    """The order with its history, oldest first, and what the caller may do next."""
    require("service.order.read")
    return visible_order(order_id, current_user)


@bp.route("/work-orders/<int:order_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": orders.WorkOrderChange}}},
    responses={"409": {"description": "stale version, or the order is closed or cancelled"}},
)
@bp.response(200, WorkOrderDetail)
def update_work_order(order_id: int):
    """Change what the body names; send the ``version`` you read (409 when
    stale). A new priority, category, product or serial number re-decides
    the contract, coverage and SLA deadlines."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return orders.update_work_order(order, payload, current_user, version)


@bp.route("/work-orders/<int:order_id>/transitions", methods=["GET"])
@bp.response(200, TransitionsOut)
def list_transitions(order_id: int):
    """The actions the caller may take on the order in its current state."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    return {
        "status": order.status,
        "version": order.version,
        "actions": [
            {
                "action": a,
                "to_status": lifecycle.TRANSITIONS[a][1],
                "label": str(lifecycle.ACTION_LABELS[a]),
            }
            for a in lifecycle.actions_for(current_user, order)
        ],
    }


@bp.route("/work-orders/<int:order_id>/transitions", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": TransitionInput}}},
    responses={
        "409": {
            "description": "stale version, or the action is not possible in "
            "the order's state (the body lists the allowed ones)"
        }
    },
)
@bp.response(200, WorkOrderDetail)
def post_transition(order_id: int):
    """Take an action: ``{"action", "version", ...}`` (409 when stale or not allowed)."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    payload = dict(json_body())
    action, version = payload.pop("action", None), payload.pop("version", None)
    errors = {}
    if not isinstance(action, str) or action not in lifecycle.ACTIONS:
        errors["action"] = [
            _("unknown action; use one of: %(actions)s", actions=", ".join(lifecycle.ACTIONS))
        ]
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
