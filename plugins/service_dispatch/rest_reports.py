"""``/api/v1/service``: an order's revisit (回访) and the SLA report — the
same service and figures as the order page and ``/service/reports``."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from core.api import NotFoundError, expected_version, json_body, require, translator

from . import reports, revisits
from .access import visible_order
from .rest import bp

_, _l = translator("service_dispatch")
RATE = {"description": "share from 0 to 1; null when there is nothing to count"}


class RevisitOut(Schema):
    work_order_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    outcome = fields.String(metadata={"description": "none, reopened or escalated"})
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class RevisitBody(revisits.RevisitInput):
    version = fields.Integer(metadata={"description": "the order's version you read "
                                                      "(optional; 409 when stale)"})


class OrderCountsOut(Schema):
    total = fields.Integer(metadata={"description": "orders opened in the period"})
    open = fields.Integer()
    resolved = fields.Integer(metadata={"description": "now completed or closed"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class ComplianceOut(Schema):
    met = fields.Integer()
    breached = fields.Integer(metadata={
        "description": "done after the deadline, or not done and past it"})
    rate = fields.Float(allow_none=True, metadata=RATE)


class RepeatOut(Schema):
    product = fields.String(allow_none=True)
    orders = fields.Integer()
    repeat_visits = fields.Integer()
    rate = fields.Float(allow_none=True, metadata=RATE)


class UtilisationOut(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    visits = fields.Integer()
    hours_on_site = fields.Float()
    available_hours = fields.Integer(metadata={"description": "8 × Monday–Friday days"})
    utilisation = fields.Float(allow_none=True, metadata=RATE)


class SatisfactionOut(Schema):
    count = fields.Integer()
    average = fields.Float(allow_none=True)
    low_rate = fields.Float(allow_none=True, metadata={"description": "share of scores 1–2"})
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "number of revisits per score, \"1\" to \"5\""})


class WatchOut(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    status = fields.String()
    priority = fields.String()
    customer_name = fields.String()
    engineer_id = fields.Integer(allow_none=True)
    engineer_name = fields.String(allow_none=True)
    deadline = fields.String(metadata={"description": "respond or resolve"})
    due_at = fields.DateTime()


class SlaReportOut(Schema):
    start = fields.Date(data_key="from", attribute="from")
    end = fields.Date(data_key="to", attribute="to")
    orders = fields.Nested(OrderCountsOut)
    response = fields.Nested(ComplianceOut)
    resolution = fields.Nested(ComplianceOut)
    first_time_fix_rate = fields.Float(allow_none=True, metadata=RATE)
    mean_hours_to_respond = fields.Float(allow_none=True)
    mean_hours_to_resolve = fields.Float(allow_none=True)
    repeat_visits = fields.List(fields.Nested(RepeatOut))
    utilisation = fields.List(fields.Nested(UtilisationOut))
    satisfaction = fields.Nested(SatisfactionOut)
    overdue_count = fields.Integer()
    at_risk_count = fields.Integer()
    overdue = fields.List(fields.Nested(WatchOut))
    at_risk = fields.List(fields.Nested(WatchOut))


@bp.route("/work-orders/<int:order_id>/revisit", methods=["GET"])
@bp.response(200, RevisitOut)
def get_revisit(order_id: int):
    """The order's revisit (404 when it has none yet)."""
    require("service.order.read")
    revisit = revisits.revisit_of(visible_order(order_id, current_user))
    if revisit is None:
        raise NotFoundError(_("work order %(id)s has no revisit yet", id=order_id))
    return revisit


@bp.route("/work-orders/<int:order_id>/revisit", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": RevisitBody}}},
        responses={"409": {"description": "the order is not completed or closed, was already "
                                          "revisited, or the version is stale"}})
@bp.response(201, RevisitOut)
def post_revisit(order_id: int):
    """回访: the customer's score (1–5) and comment on a completed or closed order.
    A low score reopens or escalates the order; a good one closes a completed order."""
    require("service.order.write")
    order = visible_order(order_id, current_user)
    body = json_body()
    return revisits.record_revisit(order, body.get("score"), body.get("comment"), current_user,
                                   expected_version(body))


@bp.route("/reports/sla", methods=["GET"])
@bp.arguments(reports.ReportArgs, location="query", as_kwargs=False)
@bp.response(200, SlaReportOut)
def sla_report(args):
    """SLA compliance, first-time fix, mean times, utilisation, repeat visits,
    satisfaction, and the overdue and at-risk orders (see ``reports``)."""
    require("service.report.read")
    return reports.sla_report(current_user, args)
