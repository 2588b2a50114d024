"""Policies as the API answers them, and the list's query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import LINES, POLICY_STATES, TRANSACTION_KINDS
from ..services.states import POLICY

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
    changes = fields.Dict(allow_none=True)


class InsurancePolicyDetailOut(InsurancePolicyOut):
    transactions = fields.List(fields.Nested(InsuranceTransactionOut))
    allowed_actions = fields.List(fields.String())


class InsuranceQuoteArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(("draft", "quoted", "bound")))
    customer_id = fields.Integer(validate=_ID)
    agent_id = fields.Integer(validate=_ID)
    product_id = fields.Integer(validate=_ID)


class InsurancePersonRefOut(Schema):
    id = fields.Integer(attribute="person.id")
    name = fields.String(attribute="person.name")
    birth_date = fields.Date(attribute="person.birth_date", allow_none=True)
    national_id_tail = fields.String(attribute="person.national_id_tail", allow_none=True)


class InsuranceInsuredOut(InsurancePersonRefOut):
    relation = fields.String()


class InsuranceBeneficiaryOut(InsurancePersonRefOut):
    rank = fields.Integer()
    share = fields.Decimal(as_string=True)


class InsuranceObjectOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    description = fields.String()
    plate = fields.String(allow_none=True)
    vin = fields.String(allow_none=True)
    vehicle_class = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    value = fields.Decimal(as_string=True, allow_none=True)


class InsuranceCoverageOut(Schema):
    id = fields.Integer()
    cover_code = fields.String()
    insured_id = fields.Integer(allow_none=True)
    object_id = fields.Integer(allow_none=True)
    sum_insured = fields.Decimal(as_string=True)
    deductible = fields.Decimal(as_string=True)
    annual_premium = fields.Decimal(as_string=True)


class InsuranceQuoteOut(InsurancePolicyOut):
    """A term with what a quote shows besides the list's columns."""

    quote_valid_until = fields.Date(allow_none=True)
    quoted_at = fields.DateTime(allow_none=True)
    bound_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    cooling_off_ends_on = fields.Date(allow_none=True)
    callback_due_on = fields.Date(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    insured = fields.List(fields.Nested(InsuranceInsuredOut))
    beneficiaries = fields.List(fields.Nested(InsuranceBeneficiaryOut))
    objects = fields.List(fields.Nested(InsuranceObjectOut))
    coverages = fields.List(fields.Nested(InsuranceCoverageOut))


class InsurancePolicyFullOut(InsuranceQuoteOut):
    transactions = fields.List(fields.Nested(InsuranceTransactionOut))
    allowed_actions = fields.List(fields.String())


class InsurancePolicyMoveOut(Schema):
    action = fields.String()
    label = fields.String()
    to_status = fields.String()


class InsurancePolicyMovesOut(Schema):
    status = fields.String(metadata={"enum": list(POLICY_STATES)})
    version = fields.Integer()
    moves = fields.List(fields.Nested(InsurancePolicyMoveOut))


class InsurancePolicyTransitionBody(Schema):
    """A move: its ``action``, the ``version`` read (409 when stale) and
    what the action reads — endorse: ``effective_on``, ``coverages``,
    ``sum_insured``, ``objects``, ``frequency``, ``reason``; cancel:
    ``effective_on``, ``refund``, ``reason``; reinstate: ``amount``,
    ``health_declaration``."""

    action = fields.String(required=True, metadata={"enum": list(POLICY.transitions)})
    version = fields.Integer(required=True, validate=_ID)
    effective_on = fields.Date(allow_none=True)
    coverages = fields.List(fields.Dict())
    sum_insured = fields.String(allow_none=True)
    objects = fields.List(fields.Dict())
    frequency = fields.String()
    reason = fields.String(allow_none=True)
    refund = fields.String(allow_none=True)
    amount = fields.String()
    health_declaration = fields.Boolean()
