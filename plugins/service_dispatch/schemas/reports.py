"""An order's revisit (回访) and the SLA report as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..services import revisits

RATE = {"description": "share from 0 to 1; null when there is nothing to count"}


class RevisitOut(Schema):
    work_order_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    outcome = fields.String(metadata={"description": "none, reopened or escalated"})
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class RevisitBody(revisits.RevisitInput):
    version = fields.Integer(
        metadata={"description": "the order's version you read (optional; 409 when stale)"}
    )


class OrderCountsOut(Schema):
    total = fields.Integer(metadata={"description": "orders opened in the period"})
    open = fields.Integer()
    resolved = fields.Integer(metadata={"description": "now completed or closed"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class ComplianceOut(Schema):
    met = fields.Integer()
    breached = fields.Integer(
        metadata={"description": "done after the deadline, or not done and past it"}
    )
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
    distribution = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": 'number of revisits per score, "1" to "5"'},
    )


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
