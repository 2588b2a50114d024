"""Surveys and complaints as the API answers them, and their lists' query
arguments. The inputs (``services.feedback.inputs``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models.feedback import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_STATES

_ID = validate.Range(1, 2**31 - 1)


class HisPeriodArgs(Schema):
    """A report's period: first and last day, both included (default: the last 30 days)."""

    date_from = fields.Date(metadata={"description": "first day (included)"})
    date_to = fields.Date(metadata={"description": "last day (included)"})


class HisSurveyArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)
    department_id = fields.Integer(validate=_ID)
    doctor_id = fields.Integer(validate=_ID)
    answered = fields.Boolean(metadata={"description": "only answered (true) or unanswered"})


class HisSurveyOut(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    customer_id = fields.Integer()
    department_id = fields.Integer(allow_none=True)
    doctor_id = fields.Integer(allow_none=True)
    sent_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    csat = fields.Integer(allow_none=True, metadata={"description": "1 (very dissatisfied) to 5"})
    nps = fields.Integer(allow_none=True, metadata={"description": "0 to 10"})
    comment = fields.String(allow_none=True)


class HisSurveyFiguresArgs(HisPeriodArgs):
    department_id = fields.Integer(validate=_ID)


class HisSurveyFiguresOut(Schema):
    sent = fields.Integer()
    responses = fields.Integer()
    csat = fields.Float(allow_none=True, metadata={"description": "average, two places"})
    nps = fields.Float(
        allow_none=True, metadata={"description": "% promoters (9–10) − % detractors (0–6)"}
    )


class HisComplaintArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)
    department_id = fields.Integer(validate=_ID)
    handler_id = fields.Integer(validate=_ID)
    category = fields.String(validate=validate.OneOf(COMPLAINT_CATEGORIES))
    status = fields.String(validate=validate.OneOf(COMPLAINT_STATES))


class HisComplaintOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    category = fields.String(metadata={"enum": list(COMPLAINT_CATEGORIES)})
    channel = fields.String(metadata={"enum": list(COMPLAINT_CHANNELS)})
    description = fields.String()
    status = fields.String(metadata={"enum": list(COMPLAINT_STATES)})
    handler_id = fields.Integer(allow_none=True)
    resolution = fields.String(allow_none=True)
    received_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisComplaintFiguresOut(Schema):
    total = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
