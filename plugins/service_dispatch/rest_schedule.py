"""``/api/v1/service``: the appointment agreed with the customer and the
engineers' schedule (the pages: ``views_schedule``)."""

from __future__ import annotations

from datetime import timezone

from flask_login import current_user
from marshmallow import Schema, fields, validate

from core.api import expected_version, json_body, require, translator

from . import schedule
from .access import visible_order
from .rest import WorkOrderDetail, WorkOrderOut, bp

_, _l = translator("service_dispatch")


class ScheduleArgs(Schema):
    start = fields.AwareDateTime(required=True, validate=schedule.plausible,
                                 metadata={"description": "first instant"})
    days = fields.Integer(load_default=7, validate=validate.Range(1, schedule.MAX_DAYS))
    engineer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


@bp.route("/work-orders/<int:order_id>/appointment", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": schedule.AppointmentInput}}},
        responses={"409": {"description": "stale version, or no engineer has the job now"}})
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
    start = args["start"].astimezone(timezone.utc)
    return schedule.schedule(current_user, start, args["days"], args.get("engineer_id"))


