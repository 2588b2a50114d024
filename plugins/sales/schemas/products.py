"""What ``/api/v1/sales/products`` and a deal's ``/lines`` answer and read.
A product's and a line's own input (``services.products.ProductInput``,
``LineInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..services import products


class ProductOut(Schema):
    id = fields.Integer()
    code = fields.String(allow_none=True)
    name = fields.String()
    unit_price = fields.Decimal(as_string=True)
    currency = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class LineOut(Schema):
    product_id = fields.Integer(allow_none=True)
    description = fields.String()
    unit_price = fields.Decimal(as_string=True)
    quantity = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)


class LinesOut(Schema):
    deal_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    version = fields.Integer()
    lines = fields.List(fields.Nested(LineOut))


class LinesIn(Schema):
    lines = fields.List(fields.Nested(products.LineInput), required=True)
    version = fields.Integer(
        metadata={"description": "the deal's version you read (409 when stale)"}
    )
