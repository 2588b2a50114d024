"""What the price list, payments, refunds and settlements read."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Amount, Flag

from ...models import PRICE_CATEGORIES, TENDER_METHODS

REFUND_METHODS = tuple(m for m in TENDER_METHODS if m != "insurance")


_CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
_NAME = validate.Length(min=1, max=120)


class HisPriceItemChange(Schema):
    """What a PATCH of a price item may send: any of its fields."""

    code = fields.String(validate=_CODE)
    name = fields.String(validate=_NAME)
    name_zh = fields.String(allow_none=True, validate=validate.Length(max=120))
    category = fields.String(validate=validate.OneOf(PRICE_CATEGORIES))
    price = Amount()
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    active = Flag()


class HisPriceItemInput(HisPriceItemChange):
    """A new price item."""

    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=_NAME)
    name_zh = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    category = fields.String(required=True, validate=validate.OneOf(PRICE_CATEGORIES))
    price = Amount(required=True)
    currency = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$")
    )
    active = Flag(load_default=True)


class HisTenderInput(Schema):
    """One tender: for cash ``amount`` is what was handed over (the change
    is worked out); for insurance, empty ``amount`` takes the whole share."""

    method = fields.String(required=True, validate=validate.OneOf(TENDER_METHODS))
    amount = Amount(positive=True, load_default=None, allow_none=True)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class HisPaymentInput(Schema):
    customer_id = fields.Integer(required=True, strict=True)
    charge_ids = fields.List(
        fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=500)
    )
    tenders = fields.List(
        fields.Nested(HisTenderInput), required=True, validate=validate.Length(min=1, max=10)
    )


class HisRefundInput(Schema):
    """A refund of some charges of a payment, or of an amount of it."""

    payment_id = fields.Integer(required=True, strict=True)
    charge_ids = fields.List(fields.Integer(strict=True), load_default=list)
    amount = Amount(positive=True, load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    method = fields.String(load_default=None, validate=validate.OneOf(REFUND_METHODS))
