"""Billing (收费) as the API answers it — price items, charges, payments
with their tenders, refunds, settlements — and the lists' query arguments.
The inputs (``services.billing.inputs``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import CHARGE_STATES, PRICE_CATEGORIES, REFUND_STATES, TENDER_METHODS

_ID = validate.Range(1, 2**31 - 1)


def _money(**kwargs) -> fields.Decimal:
    return fields.Decimal(as_string=True, **kwargs)


class HisPriceItemArgs(ListArgs):
    category = fields.String(validate=validate.OneOf(PRICE_CATEGORIES))
    active = fields.Boolean()


class HisPriceItemOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_zh = fields.String(allow_none=True)
    category = fields.String(metadata={"enum": list(PRICE_CATEGORIES)})
    price = _money()
    currency = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class HisChargeArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    visit_id = fields.Integer(validate=_ID)
    payment_id = fields.Integer(validate=_ID)
    source = fields.String(validate=validate.Length(max=20))
    source_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(CHARGE_STATES))


class HisChargeOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    booking_id = fields.Integer(allow_none=True)
    source = fields.String(metadata={"description": "booking, prescription, order …"})
    source_id = fields.Integer()
    item_code = fields.String()
    name = fields.String()
    category = fields.String(metadata={"enum": list(PRICE_CATEGORIES)})
    quantity = fields.Decimal(as_string=True)
    unit_price = _money()
    amount = _money()
    currency = fields.String()
    status = fields.String(metadata={"enum": list(CHARGE_STATES)})
    payment_id = fields.Integer(allow_none=True)
    refund_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class HisTenderOut(Schema):
    method = fields.String(metadata={"enum": list(TENDER_METHODS)})
    amount = _money(metadata={"description": "what counts towards the total"})
    tendered = _money(allow_none=True, metadata={"description": "cash handed over"})
    payer = fields.String(allow_none=True, metadata={"description": "the insurer"})
    reference = fields.String(allow_none=True)


class HisPaymentArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID)
    cashier_id = fields.Integer(validate=_ID)
    settlement_id = fields.Integer(validate=_ID)


class HisPaymentOut(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the receipt number (no gaps)"})
    customer_id = fields.Integer()
    cashier_id = fields.Integer(allow_none=True)
    paid_at = fields.DateTime()
    currency = fields.String()
    total = _money()
    covered = _money(metadata={"description": "the insurance share"})
    change = _money()
    refunded = _money()
    settlement_id = fields.Integer(allow_none=True)
    tenders = fields.List(fields.Nested(HisTenderOut))
    charges = fields.List(fields.Nested(HisChargeOut))


class HisRefundArgs(ListArgs):
    payment_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(REFUND_STATES))


class HisRefundOut(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    customer_id = fields.Integer()
    amount = _money()
    currency = fields.String()
    reason = fields.String()
    method = fields.String()
    status = fields.String(metadata={"enum": list(REFUND_STATES)})
    requested_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    refunded_at = fields.DateTime(allow_none=True)
    refunded_by_id = fields.Integer(allow_none=True)
    settlement_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class HisSettlementArgs(ListArgs):
    cashier_id = fields.Integer(validate=_ID)
    day = fields.Date()


class HisSettlementOut(Schema):
    id = fields.Integer()
    cashier_id = fields.Integer()
    day = fields.Date()
    currency = fields.String()
    collected = fields.Dict(keys=fields.String(), values=fields.String())
    refunded = fields.Dict(keys=fields.String(), values=fields.String())
    payment_count = fields.Integer()
    refund_count = fields.Integer()
    total_collected = _money()
    total_refunded = _money()
    cash_in_drawer = _money()
    closed_at = fields.DateTime()


class HisSettlementBody(Schema):
    day = fields.Date(load_default=None, metadata={"description": "default: today"})
