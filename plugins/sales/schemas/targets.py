"""What ``/api/v1/sales/targets``, ``/commission-rules`` and
``/reports/commission`` answer and read. Money travels as decimal strings.
A target's and a rule's own input (``services.targets.TargetInput``,
``services.commission.RuleInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..models import COMMISSION_BASES, TARGET_MEASURES
from ..services.validation import Id, Month


def Dec(
    description: str = "decimal, two places",  # noqa: N802  (reads like a field)
    allow_none: bool = False,
) -> fields.Decimal:
    """A decimal sent as a string (documented as one: apispec would say number)."""
    return fields.Decimal(
        as_string=True,
        allow_none=allow_none,
        metadata={
            "type": ["string", "null"] if allow_none else "string",
            "format": "decimal",
            "description": description,
        },
    )


class MonthArgs(Schema):
    month = Month(metadata={"description": "YYYY-MM (UTC); default: this month"})


class StatementArgs(MonthArgs):
    user_id = Id(metadata={"description": "the rep; default: the caller"})


class TargetOut(Schema):
    id = fields.Integer()
    month = fields.String()
    measure = fields.String(
        metadata={"description": "won, contracted or collected", "enum": list(TARGET_MEASURES)}
    )
    user_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": "the rep's or the team's name"})
    amount = Dec()
    currency = fields.String()
    achieved = Dec(
        "by the measure, in the month (UTC) and the target's currency: deals won, contracts "
        "signed, or payments collected less those reversed"
    )
    percent = Dec(
        "achieved / target × 100, two places (half up); null for a zero target", allow_none=True
    )


class TargetList(Schema):
    month = fields.String()
    items = fields.List(fields.Nested(TargetOut))


class TierOut(Schema):
    from_amount = Dec()
    rate_percent = Dec("percent, two places")


BASIS = {
    "description": "won: tiers over the month's won deals; collected: over the month's "
    "collected money less reversals",
    "enum": list(COMMISSION_BASES),
}


class RuleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    basis = fields.String(metadata=BASIS)
    pipeline_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(
        allow_none=True, metadata={"description": "the team's reps only; null: company-wide"}
    )
    currency = fields.String()
    tiers = fields.List(fields.Nested(TierOut))
    version = fields.Integer()


class TierLineOut(TierOut):
    to_amount = Dec("where the next tier starts; null for the last tier", allow_none=True)
    base = Dec("the part of the base in this tier")
    commission = Dec()


class RuleLineOut(Schema):
    rule_id = fields.Integer()
    name = fields.String()
    basis = fields.String(metadata=BASIS)
    pipeline_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    currency = fields.String()
    base = Dec()
    commission = Dec()
    tiers = fields.List(fields.Nested(TierLineOut))


class StatementDealOut(Schema):
    id = fields.Integer()
    title = fields.String()
    customer = fields.String()
    pipeline = fields.String()
    amount = Dec()
    currency = fields.String()
    closed_at = fields.DateTime()
    rule_ids = fields.List(fields.Integer(), metadata={"description": "the rules counting it"})


class StatementPaymentOut(Schema):
    payment_id = fields.Integer()
    contract_id = fields.Integer()
    contract = fields.String(metadata={"description": "the contract's number"})
    customer = fields.String()
    kind = fields.String(
        metadata={
            "description": "collected: paid in the month; reversed: reversed in the month "
            "(a clawback, negative)",
            "enum": ["collected", "reversed"],
        }
    )
    amount = Dec("negative for a reversal")
    currency = fields.String()
    on = fields.Date(metadata={"description": "paid on, or the UTC date of the reversal"})
    paid_on = fields.Date()
    reversed_on = fields.Date(allow_none=True)
    rule_ids = fields.List(fields.Integer(), metadata={"description": "the rules counting it"})


class CollectionTotalOut(Schema):
    currency = fields.String()
    collected = Dec("confirmed payments paid in the month")
    reversed = Dec("payments reversed in the month")
    net = Dec("collected − reversed: the base of the rules on collected money")


class TotalOut(Schema):
    currency = fields.String()
    won_amount = Dec()
    commission = Dec()


class StatementOut(Schema):
    month = fields.String()
    user_id = fields.Integer()
    user_name = fields.String()
    deals = fields.List(fields.Nested(StatementDealOut))
    payments = fields.List(fields.Nested(StatementPaymentOut))
    collections = fields.List(fields.Nested(CollectionTotalOut))
    rules = fields.List(fields.Nested(RuleLineOut))
    totals = fields.List(fields.Nested(TotalOut))
