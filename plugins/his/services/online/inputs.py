"""What the public booking form reads: the visitor's real name, national
ID (a resident identity card) and mobile phone; then the code sent to it."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from core.api import Phone

from ..patients.inputs import NAME


class VisitorInput(Schema):
    name = fields.String(required=True, validate=NAME)
    national_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    phone = Phone(required=True, validate=validate.Length(max=40))

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        data["name"] = " ".join(data["name"].split())
        return data


class ConfirmInput(VisitorInput):
    code = fields.String(required=True, validate=validate.Length(min=1, max=12))
