"""What the journey API reads and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

#: what a step's key is, for the OpenAPI document
STEP_KEY = (
    "known, contacted, bought, bought_again (the steps every industry shares) "
    "or a step a plugin declares, named after it (sales.won, his.visit …)"
)


class MarketingPeriodArgs(Schema):
    """The cohort: customers created from ``since`` to ``until`` (days,
    both included; a year to today by default), within segment
    ``segment_id`` if given."""

    since = fields.Date()
    until = fields.Date()
    segment_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))


class MarketingJourneyArgs(MarketingPeriodArgs):
    """The cohort, and the ``steps`` of the funnel (repeated or comma
    lists; every step the caller may see by default), always in their
    ``order``. A step the caller may not see is unknown: 422 naming
    ``steps``."""

    steps = fields.List(
        fields.String(validate=validate.Length(min=1, max=400)),
        validate=validate.Length(max=50),
        metadata={"description": f"steps of the funnel: {STEP_KEY}; repeated or comma lists"},
    )


class MarketingFunnelStepOut(Schema):
    step = fields.String(metadata={"description": STEP_KEY})
    label = fields.String()
    order = fields.Integer(metadata={"description": "its place among the steps"})
    count = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "% of the step before"})
    dropped = fields.Integer(allow_none=True, metadata={"description": "stopped before it"})


class MarketingFunnelOut(Schema):
    since = fields.Date()
    until = fields.Date()
    segment_id = fields.Integer(allow_none=True)
    steps = fields.List(fields.Nested(MarketingFunnelStepOut))


class MarketingJourneyStepOut(Schema):
    step = fields.String(metadata={"description": STEP_KEY})
    label = fields.String()
    order = fields.Integer(metadata={"description": "its place among the steps"})
    at = fields.DateTime(allow_none=True, metadata={"description": "first reached (none: not yet)"})


class MarketingJourneyMonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM, the instance's calendar"})
    kinds = fields.Dict(keys=fields.String(), values=fields.Integer())


class MarketingJourneyOut(Schema):
    customer_id = fields.Integer()
    steps = fields.List(fields.Nested(MarketingJourneyStepOut))
    months = fields.List(fields.Nested(MarketingJourneyMonthOut))


class MarketingKpiArgs(MarketingPeriodArgs):
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
