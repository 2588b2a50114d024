"""What the catalogue's and the agents' endpoints answer, and their lists'
query arguments. The inputs (``services.catalogue.CarrierInput``,
``InsuranceProductInput``, ``RateInput``, ``services.pricing.PriceInput``,
``services.agents.AgentInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import AGENT_RANKS, LINES, PRICINGS
from ..services.rates import RateInput

_ID = validate.Range(1, 2**31 - 1)


class CarrierArgs(ListArgs):
    pass


class CarrierOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()
    statement_columns = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class ProductArgs(ListArgs):
    carrier_id = fields.Integer(validate=_ID)
    line = fields.String(validate=validate.OneOf(LINES))


class CoverOut(Schema):
    code = fields.String()
    name = fields.String()
    mandatory = fields.Boolean()
    min_sum_insured = fields.Decimal(as_string=True)
    max_sum_insured = fields.Decimal(allow_none=True, as_string=True)
    default_deductible = fields.Decimal(as_string=True)


class InsuranceProductOut(Schema):
    id = fields.Integer()
    carrier_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    line = fields.String(metadata={"enum": list(LINES)})
    currency = fields.String()
    pricing = fields.String(metadata={"enum": list(PRICINGS)})
    fixed_premium = fields.Decimal(allow_none=True, as_string=True)
    term_months = fields.Integer()
    frequencies = fields.List(fields.String())
    grace_days = fields.Integer()
    cooling_off_days = fields.Integer()
    cooling_off_fee = fields.Decimal(as_string=True)
    renewal_lead_days = fields.Integer()
    renewal_late_days = fields.Integer()
    reinstatement_days = fields.Integer()
    backdate_days = fields.Integer()
    clawback_months = fields.Integer()
    clawback_percent = fields.Decimal(as_string=True)
    auto_renew = fields.Boolean()
    callback_required = fields.Boolean()
    recorded_sale_required = fields.Boolean()
    claim_documents = fields.List(fields.String())
    norm_sum_insured = fields.Decimal(allow_none=True, as_string=True)
    outpatient_copay_percent = fields.Decimal(
        allow_none=True,
        as_string=True,
        metadata={"description": "the patient's co-payment in percent; null: no outpatient cover"},
    )
    outpatient_deductible = fields.Decimal(as_string=True)
    outpatient_limit = fields.Decimal(allow_none=True, as_string=True)
    outpatient_categories = fields.List(fields.String())
    outpatient_shared = fields.Boolean()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    active = fields.Boolean()
    covers = fields.List(fields.Nested(CoverOut))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class RateOut(Schema):
    cover_code = fields.String(allow_none=True)
    age_from = fields.Integer(allow_none=True)
    age_to = fields.Integer(allow_none=True)
    sum_from = fields.Decimal(allow_none=True, as_string=True)
    sum_to = fields.Decimal(allow_none=True, as_string=True)
    vehicle_class = fields.String(allow_none=True)
    annual_premium = fields.Decimal(allow_none=True, as_string=True)
    rate_per_mille = fields.Decimal(allow_none=True, as_string=True)


class RatesOut(Schema):
    product_id = fields.Integer()
    version = fields.Integer(metadata={"description": "the product's version"})
    rates = fields.List(fields.Nested(RateOut))


#: JSON Schema: a row gives a year's premium or a rate per mille, not both
PREMIUM_OR_RATE = {
    "oneOf": [
        {"required": ["annual_premium"], "properties": {"annual_premium": {"type": "string"}}},
        {"required": ["rate_per_mille"], "properties": {"rate_per_mille": {"type": "string"}}},
    ]
}


class RatesIn(Schema):
    rates = fields.List(
        fields.Nested(RateInput), required=True, metadata={"allOf": [{"items": PREMIUM_OR_RATE}]}
    )
    version = fields.Integer(
        allow_none=True,
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "the product's version you read (409 when stale)"},
    )


class CoverPriceOut(Schema):
    code = fields.String(allow_none=True, metadata={"description": "null: the whole policy"})
    sum_insured = fields.Decimal(allow_none=True, as_string=True)
    annual_premium = fields.Decimal(as_string=True)


class PriceOut(Schema):
    covers = fields.List(fields.Nested(CoverPriceOut))
    annual_premium = fields.Decimal(as_string=True)
    currency = fields.String()
    age = fields.Integer(allow_none=True, metadata={"description": "at the term's start"})


class AgentArgs(ListArgs):
    rank = fields.String(validate=validate.OneOf(AGENT_RANKS))


class AgentOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.Function(lambda a: a.user.name)
    code = fields.String()
    rank = fields.String(metadata={"enum": list(AGENT_RANKS)})
    upline_user_id = fields.Integer(allow_none=True)
    licence_no = fields.String(allow_none=True)
    licence_expires_on = fields.Date(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()
