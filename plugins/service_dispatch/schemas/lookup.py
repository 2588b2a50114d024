"""The phone lookup's query and the customers it finds."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class PhoneArgs(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))


class CustomerMatch(Schema):
    id = fields.Integer()
    name = fields.String()
    city = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phones = fields.List(fields.String())
