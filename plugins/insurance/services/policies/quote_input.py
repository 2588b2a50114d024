"""What a quote is made of and what a draft's edit may change: the inputs
:func:`.quoting.create_quote` (``POST /quotes``) and
:func:`.quoting.update_draft` (``PATCH /policies/{id}``) load — the
product, the start, the frequency, the agent, the household, the insured,
beneficiaries, objects and covers. Ids are positive 32-bit integers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Amount

from ..premiums.schedule import PER_YEAR
from .parties_input import BeneficiaryInput, CoverageInput, InsuredInput, ObjectInput

_ID = validate.Range(1, 2**31 - 1)


class DraftChange(Schema):
    """What a draft's edit may change (each field left out stays)."""

    product_id = fields.Integer(strict=True, validate=_ID)
    start_date = fields.Date()
    frequency = fields.String(validate=validate.OneOf(tuple(PER_YEAR)))
    agent_id = fields.Integer(strict=True, allow_none=True, validate=_ID)
    household_id = fields.Integer(strict=True, allow_none=True, validate=_ID)
    sum_insured = Amount(
        allow_none=True, metadata={"description": "the sum insured of a cover given none"}
    )
    insured = fields.List(fields.Nested(InsuredInput), validate=validate.Length(max=20))
    beneficiaries = fields.List(fields.Nested(BeneficiaryInput), validate=validate.Length(max=20))
    objects = fields.List(fields.Nested(ObjectInput), validate=validate.Length(max=20))
    coverages = fields.List(
        fields.Nested(CoverageInput),
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={
            "description": "the covers taken; left out or null: the product's mandatory ones"
        },
    )


class QuoteInput(DraftChange):
    """A new quote for a customer (投保人)."""

    customer_id = fields.Integer(strict=True, required=True, validate=_ID)
    product_id = fields.Integer(strict=True, required=True, validate=_ID)
    start_date = fields.Date(required=True)
    frequency = fields.String(load_default="annual", validate=validate.OneOf(tuple(PER_YEAR)))
    insured = fields.List(
        fields.Nested(InsuredInput), load_default=list, validate=validate.Length(max=20)
    )
    beneficiaries = fields.List(
        fields.Nested(BeneficiaryInput), load_default=list, validate=validate.Length(max=20)
    )
    objects = fields.List(
        fields.Nested(ObjectInput), load_default=list, validate=validate.Length(max=20)
    )
    coverages = fields.List(
        fields.Nested(CoverageInput),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=50),
    )
    deal_id = fields.Integer(strict=True, allow_none=True, validate=_ID)
