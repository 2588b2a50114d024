"""What ``/api/v1/sales/products`` and a deal's ``/lines`` answer and read.
A product's and a line's own input (``services.products.ProductInput``,
``LineInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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


#: JSON Schema: a line names a product, or else describes itself and gives its price
PRODUCT_OR_PRICE = {
    "anyOf": [
        {"required": ["product_id"], "properties": {"product_id": {"type": "integer"}}},
        {
            "required": ["description", "unit_price"],
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "unit_price": {"type": "string"},
            },
        },
    ]
}


class LinesIn(Schema):
    lines = fields.List(
        fields.Nested(products.LineInput),
        required=True,
        validate=validate.Length(max=products.MAX_LINES),
        metadata={"allOf": [{"items": PRODUCT_OR_PRICE}]},
    )
    version = fields.Integer(
        allow_none=True,
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "the deal's version you read (409 when stale)"},
    )
