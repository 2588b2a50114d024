"""What the journey API reads and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class MarketingJourneyArgs(Schema):
    """The cohort: customers created from ``since`` to ``until`` (days,
    both included; a year to today by default), within segment
    ``segment_id`` if given."""

    since = fields.Date()
    until = fields.Date()
    segment_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))


class MarketingFunnelStepOut(Schema):
    step = fields.String(metadata={"enum": ["known", "contacted", "bought", "bought_again"]})
    label = fields.String()
    count = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "% of the step before"})
    dropped = fields.Integer(allow_none=True, metadata={"description": "stopped before it"})


class MarketingFunnelOut(Schema):
    since = fields.Date()
    until = fields.Date()
    segment_id = fields.Integer(allow_none=True)
    steps = fields.List(fields.Nested(MarketingFunnelStepOut))


class MarketingJourneyStepOut(Schema):
    step = fields.String()
    label = fields.String()
    at = fields.DateTime(allow_none=True)


class MarketingJourneyMonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM, the instance's calendar"})
    kinds = fields.Dict(keys=fields.String(), values=fields.Integer())


class MarketingJourneyOut(Schema):
    customer_id = fields.Integer()
    steps = fields.List(fields.Nested(MarketingJourneyStepOut))
    months = fields.List(fields.Nested(MarketingJourneyMonthOut))


class MarketingKpiArgs(MarketingJourneyArgs):
    """The period, and ``by``: per account manager (``owner``) or ``team``."""

    by = fields.String(load_default="owner", validate=validate.OneOf(("owner", "team")))


class MarketingKpiRowOut(Schema):
    key = fields.Integer(allow_none=True, metadata={"description": "the user's or team's id"})
    name = fields.String(allow_none=True)
    customers = fields.Integer()
    revenue = fields.Float()
    average_value = fields.Float(allow_none=True)
    created = fields.Integer()
    converted = fields.Integer()
    conversion = fields.Float(allow_none=True, metadata={"description": "0–1"})
    valuable = fields.Integer()
    at_risk = fields.Integer()
    at_risk_share = fields.Float(allow_none=True, metadata={"description": "0–1"})
    completeness = fields.Float(metadata={"description": "0–1"})


class MarketingKpiOut(Schema):
    since = fields.Date()
    until = fields.Date()
    by = fields.String()
    rows = fields.List(fields.Nested(MarketingKpiRowOut))
