"""The phone lookup's query and the customers it finds."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, post_dump, validate

from core.api import conceal


class PhoneArgs(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=40))


class CustomerMatch(Schema):
    id = fields.Integer()
    name = fields.String()
    city = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phones = fields.List(fields.String())

    @post_dump
    def hide(self, data, **kwargs):
        """What the caller's role hides of a customer stays out of the match too."""
        return conceal("customer", data, current_user)
