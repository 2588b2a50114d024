"""What a patient answers on the survey page, and what staff send to
record and handle a complaint: one definition for the pages and the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import translator

from ...models.feedback import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS

_, _l = translator("his")
_ID = validate.Range(1, 2**31 - 1)


class SurveyAnswerInput(Schema):
    """CSAT: how satisfied, 1 (very dissatisfied) to 5 (very satisfied);
    NPS: how likely to recommend, 0 to 10."""

    csat = fields.Integer(required=True, validate=validate.Range(1, 5))
    nps = fields.Integer(required=True, validate=validate.Range(0, 10))
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ComplaintInput(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=_ID)
    visit_id = fields.Integer(allow_none=True, strict=True, validate=_ID)
    department_id = fields.Integer(allow_none=True, strict=True, validate=_ID)
    category = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CATEGORIES))
    channel = fields.String(load_default="desk", validate=validate.OneOf(COMPLAINT_CHANNELS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    received_at = fields.AwareDateTime(allow_none=True)
    handler_id = fields.Integer(allow_none=True, strict=True, validate=_ID)


class ComplaintMoveInput(Schema):
    """A step of a complaint: ``start`` (optionally naming the
    ``handler_id``), ``resolve`` and ``close`` (both need a ``resolution``,
    given now or before), ``reopen``."""

    action = fields.String(required=True, validate=validate.Length(min=1, max=20))
    resolution = fields.String(allow_none=True, validate=validate.Length(max=5000))
    handler_id = fields.Integer(allow_none=True, strict=True, validate=_ID)
    version = fields.Integer(allow_none=True)
