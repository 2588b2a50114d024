"""Policies as the API answers them, and the list's query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import LINES, POLICY_STATES, TRANSACTION_KINDS

_ID = validate.Range(1, 2**31 - 1)


class InsurancePolicyArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(POLICY_STATES))
    line = fields.String(validate=validate.OneOf(LINES))
    agent_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)
    carrier_id = fields.Integer(validate=_ID)
    product_id = fields.Integer(validate=_ID)
    ends_within = fields.Integer(
        validate=validate.Range(0, 3650),
        metadata={"description": "in force or in grace, ending within this many days from today"},
    )


class InsurancePolicyOut(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    quote_number = fields.String(allow_none=True)
    term_no = fields.Integer()
    predecessor_id = fields.Integer(allow_none=True)
    inception_on = fields.Date()
    customer_id = fields.Integer()
    product_id = fields.Integer()
    product = fields.Function(lambda p: p.product.name)
    carrier_id = fields.Integer()
    line = fields.String(metadata={"enum": list(LINES)})
    status = fields.String(metadata={"enum": list(POLICY_STATES)})
    frequency = fields.String()
    annual_premium = fields.Decimal(as_string=True)
    term_premium = fields.Decimal(as_string=True)
    currency = fields.String()
    sum_insured = fields.Decimal(as_string=True)
    start_date = fields.Date()
    end_date = fields.Date()
    issued_on = fields.Date(allow_none=True)
    paid_to_date = fields.Date(allow_none=True)
    next_due_on = fields.Date(allow_none=True)
    grace_ends_on = fields.Date(allow_none=True)
    agent_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class InsuranceTransactionOut(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    kind = fields.String(metadata={"enum": list(TRANSACTION_KINDS)})
    number = fields.String(allow_none=True)
    effective_on = fields.Date()
    booked_on = fields.Date()
    premium_delta = fields.Decimal(as_string=True)
    annual_premium_after = fields.Decimal(as_string=True)
    refund = fields.Decimal(as_string=True, allow_none=True)
    reason = fields.String(allow_none=True)


class InsurancePolicyDetailOut(InsurancePolicyOut):
    transactions = fields.List(fields.Nested(InsuranceTransactionOut))
    allowed_actions = fields.List(fields.String())
