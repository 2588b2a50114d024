"""Public requests waiting for review, as the API shows them, and the
dispatcher's decision on one."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from ..services.validation import Id
from .lookup import CustomerMatch


class ServiceRequestOut(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the work order number it will get"})
    link_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    title = fields.String()
    name = fields.String()
    phone = fields.String(metadata={"description": "as the requester typed it"})
    description = fields.String()
    address = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    files = fields.Function(lambda r: [f["filename"] for f in r.files or []])
    created_at = fields.DateTime()
    customers = fields.Method(
        "_customers",
        metadata={"description": "the customers with this phone that the caller may see"},
    )

    def _customers(self, held):
        from ..services.review import candidates

        return CustomerMatch(many=True).dump(candidates(held, current_user))


class AcceptInput(Schema):
    customer_id = Id(
        required=True,
        allow_none=True,
        metadata={"description": "the customer to open the order for; null: a new one in the pool"},
    )
