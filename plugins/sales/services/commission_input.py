"""What a commission rule (提成规则) reads: its fields and tiers, each rule
a JSON Schema can say said by the field (the OpenAPI document carries it).
:mod:`plugins.sales.services.commission` validates and saves them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import translator

from ..models import COMMISSION_BASES
from .validation import Currency, DefaultCurrency, Id, Money, Percent

_, _l = translator("sales")
MAX_TIERS = 20


class TierInput(Schema):
    from_amount = Money(
        required=True, metadata={"description": "the tier applies above this amount"}
    )
    rate_percent = Percent(
        required=True, metadata={"description": "0 to 100, two decimals at most"}
    )


#: JSON Schema: the first tier starts at 0 (that each starts above the one
#: before cannot be said; ``_load_tiers`` checks it)
FIRST_TIER_FROM_0 = {
    "allOf": [{"prefixItems": [{"properties": {"from_amount": {"pattern": r"^0(\.0{1,2})?$"}}}]}]
}


BASIS = {
    "description": "what the tiers are over: won (the month's won deals, the default) or "
    "collected (the month's collected money less reversals; every pipeline and product)"
}


class RuleInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    basis = fields.String(
        load_default="won", validate=validate.OneOf(COMMISSION_BASES), metadata=BASIS
    )
    pipeline_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "only this pipeline's deals; empty: every pipeline"},
    )
    product_id = Id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "only the deal lines of this product (they then count for no "
            "pipeline-wide rule); empty: whole deals"
        },
    )
    currency = DefaultCurrency()
    team_id = Id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "only the reps of this team and its sub-teams; empty: company-wide "
            "(set only by a user who sees every team)"
        },
    )
    tiers = fields.List(
        fields.Nested(TierInput),
        required=True,
        validate=validate.Length(min=1, max=MAX_TIERS),
        metadata={
            "description": "progressive tiers, the first from 0, from_amount increasing",
            **FIRST_TIER_FROM_0,
        },
    )


class RuleChange(RuleInput):
    """What a PATCH may change: any of the rule's fields, none required."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    basis = fields.String(validate=validate.OneOf(COMMISSION_BASES), metadata=BASIS)
    pipeline_id = Id(allow_none=True, metadata=RuleInput._declared_fields["pipeline_id"].metadata)
    product_id = Id(allow_none=True, metadata=RuleInput._declared_fields["product_id"].metadata)
    currency = Currency()
    team_id = Id(allow_none=True, metadata=RuleInput._declared_fields["team_id"].metadata)
    tiers = fields.List(
        fields.Nested(TierInput),
        validate=validate.Length(min=1, max=MAX_TIERS),
        metadata=RuleInput._declared_fields["tiers"].metadata,
    )
