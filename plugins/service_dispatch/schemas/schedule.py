"""The schedule's query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services import schedule


class ScheduleArgs(Schema):
    start = fields.AwareDateTime(
        required=True,
        validate=schedule.plausible,
        metadata={"description": "first instant", "pattern": schedule.PLAUSIBLE_PATTERN},
    )
    days = fields.Integer(load_default=7, validate=validate.Range(1, schedule.MAX_DAYS))
    engineer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
