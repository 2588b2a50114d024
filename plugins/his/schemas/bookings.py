"""Bookings (挂号), the waitlist and the queue board as the API answers
them, and the bookings list's query arguments. The inputs
(``services.bookings.inputs``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import BOOKING_CHANNELS, BOOKING_STATES

_ID = validate.Range(1, 2**31 - 1)


class HisBookingArgs(ListArgs):
    department_id = fields.Integer(validate=_ID)
    session_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    day = fields.Date()
    status = fields.String(validate=validate.OneOf(BOOKING_STATES))


class HisBookingOut(Schema):
    id = fields.Integer()
    number = fields.String()
    session_id = fields.Integer()
    customer_id = fields.Integer()
    department_id = fields.Integer()
    day = fields.Date()
    slot_no = fields.Integer()
    channel = fields.String(metadata={"enum": list(BOOKING_CHANNELS)})
    status = fields.String(metadata={"enum": list(BOOKING_STATES)})
    fee = fields.Decimal(as_string=True)
    currency = fields.String()
    queue_no = fields.Integer(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    called_at = fields.DateTime(allow_none=True)
    seen_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    booked_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisBookingTransitionBody(Schema):
    action = fields.String(
        required=True,
        metadata={"enum": ["check_in", "call", "recall", "seen", "cancel", "no_show"]},
    )
    version = fields.Integer(required=True, metadata={"description": "the version you read"})
    reason = fields.String(metadata={"description": "cancel: why (required)"})


class HisWaitlistOut(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    customer_id = fields.Integer()
    channel = fields.String(metadata={"enum": list(BOOKING_CHANNELS)})
    status = fields.String(metadata={"enum": ["waiting", "booked", "left", "skipped", "ended"]})
    booking_id = fields.Integer(allow_none=True)
    end_reason = fields.String(
        allow_none=True, metadata={"description": "why it ended: its session was stopped"}
    )
    created_at = fields.DateTime()


class HisWaitlistArgs(Schema):
    session_id = fields.Integer(required=True, validate=_ID)


class HisQueueRowOut(Schema):
    queue_no = fields.Integer()
    name = fields.String(metadata={"description": "masked: 王*英, M. H****"})
    doctor = fields.String()
    waited_minutes = fields.Integer(metadata={"description": "since check-in"})


class HisQueueOut(Schema):
    department_id = fields.Integer()
    day = fields.Date()
    serving = fields.List(fields.Nested(HisQueueRowOut), metadata={"description": "called"})
    waiting = fields.List(fields.Nested(HisQueueRowOut), metadata={"description": "checked in"})
