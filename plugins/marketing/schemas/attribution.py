"""Campaign-attributed revenue: the plugin's setting for it and how a
campaign's results show it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import plugin_settings

#: days after a click (or, without one, an open) in which money counts for a campaign
ATTRIBUTION_DAYS = 30


def attribution_days() -> int:
    return int(plugin_settings("marketing").get("attribution_days", ATTRIBUTION_DAYS))


class AttributionSettings(Schema):
    """``[plugins_settings.marketing]`` key of campaign attribution."""

    attribution_days = fields.Integer(
        load_default=ATTRIBUTION_DAYS,
        validate=validate.Range(1, 365),
        metadata={"description": "days after a click in which money counts for the campaign"},
    )


class MarketingAttributedKindOut(Schema):
    kind = fields.String(metadata={"description": "the money event's key (sales.won_deal …)"})
    label = fields.String()
    amount = fields.Decimal(as_string=True)
    events = fields.Integer()


class MarketingAttributionOut(Schema):
    """Money that customers brought within ``window_days`` of clicking (or
    opening) the campaign's message, credited to the last campaign each
    engaged with before it; only customers and kinds of money the caller
    may see."""

    window_days = fields.Integer()
    amount = fields.Decimal(as_string=True)
    events = fields.Integer()
    customers = fields.Integer()
    by_kind = fields.List(fields.Nested(MarketingAttributedKindOut))
