"""``/api/v1/service``: the appointment agreed with the customer and the
engineers' schedule (the pages: ``views.schedule``)."""

from __future__ import annotations

from datetime import UTC

from flask_login import current_user

from core.api import expected_version, json_body, require, translator

from ..schemas.orders import WorkOrderDetail, WorkOrderOut
from ..schemas.schedule import ScheduleArgs
from ..services import schedule
from ..services.access import visible_order
from .blueprint import bp

_, _l = translator("service_dispatch")


@bp.route("/work-orders/<int:order_id>/appointment", methods=["PUT"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": schedule.AppointmentInput}}},
    responses={"409": {"description": "stale version, or no engineer has the job now"}},
)
@bp.response(200, WorkOrderDetail)
def put_appointment(order_id: int):
    """Record the time agreed with the customer (the order's engineer or a
    dispatcher); ``version`` in the body or ``If-Match``."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return schedule.set_appointment(order, payload, current_user, version)


@bp.route("/schedule", methods=["GET"])
@bp.arguments(ScheduleArgs, location="query", as_kwargs=False)
@bp.response(200, WorkOrderOut(many=True))
def get_schedule(args):
    """Open jobs with an appointment from ``start`` for ``days`` days, by
    engineer then time (an engineer: their own)."""
    if not current_user.can("service.dispatch"):
        require("service.engineer")
        args["engineer_id"] = current_user.id
    start = args["start"].astimezone(UTC)
    return schedule.schedule(current_user, start, args["days"], args.get("engineer_id"))
