"""Contracts and warranties, SLA policies and the business calendar as the
API shows them, and their query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import CONTRACT_KINDS


class ContractOut(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda c: c.customer.name, dump_only=True)
    product = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    starts_on = fields.Date()
    ends_on = fields.Date()
    notes = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class ContractArgs(ListArgs):
    customer_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    kind = fields.String(validate=validate.OneOf(CONTRACT_KINDS))
    active_on = fields.Date(metadata={"description": "only contracts running on this date"})
    expiring_within = fields.Integer(
        validate=validate.Range(1, 3660),
        metadata={
            "description": "only contracts running today that end within this many days "
            "(renewals to offer)"
        },
    )


class PolicyOut(Schema):
    id = fields.Integer()
    category = fields.String()
    priority = fields.String()
    response_hours = fields.Integer()
    resolution_hours = fields.Integer()
    version = fields.Integer()


class CalendarOut(Schema):
    timezone = fields.String()
    workdays = fields.List(fields.Integer())
    opens = fields.String()
    closes = fields.String()
    version = fields.Integer(allow_none=True, metadata={"description": "null until first saved"})


class CalendarDayOut(Schema):
    day = fields.Date()
    working = fields.Boolean()
    name = fields.String(allow_none=True)


class DayArgs(Schema):
    year = fields.Integer(validate=validate.Range(1900, 2999))
