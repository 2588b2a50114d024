"""Spare parts, stock locations, stock and its moves as the API shows them,
and their query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import MOVE_REASONS
from ..services import parts


def _decimal(description: str = 'exact, e.g. "1.50"') -> fields.Decimal:
    return fields.Decimal(as_string=True, metadata={"type": "string", "description": description})


class PartOut(Schema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    price = _decimal()
    active = fields.Boolean()
    version = fields.Integer()


class LocationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    engineer_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class StockOut(Schema):
    id = fields.Integer()
    part_id = fields.Integer()
    sku = fields.Function(lambda s: s.part.sku, metadata={"type": "string"})
    part_name = fields.Function(lambda s: s.part.name, metadata={"type": "string"})
    unit = fields.Function(lambda s: s.part.unit, metadata={"type": "string"})
    location_id = fields.Integer()
    location_name = fields.Function(lambda s: s.location.name, metadata={"type": "string"})
    quantity = _decimal()
    low = fields.Function(lambda s: s.quantity <= parts.LOW_STOCK, metadata={"type": "boolean"})
    version = fields.Integer()


class StockTransferOut(Schema):
    source = fields.Nested(StockOut)
    target = fields.Nested(StockOut)


class MoveOut(Schema):
    id = fields.Integer()
    part_id = fields.Integer()
    location_id = fields.Integer()
    quantity = _decimal("+ in, − out")
    reason = fields.String()
    work_order_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    note = fields.String(allow_none=True)


def _id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, 2**31 - 1), **kwargs)


class PartArgs(ListArgs):
    active = fields.Boolean()


class StockArgs(ListArgs):
    part_id = _id()
    location_id = _id()


class MoveArgs(StockArgs):
    reason = fields.String(validate=validate.OneOf(MOVE_REASONS))
    work_order_id = _id()
