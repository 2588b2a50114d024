"""What booking, cancelling and joining the waitlist read."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...models import BOOKING_CHANNELS


class BookingInput(Schema):
    """A booking: the session, the patient (their customer), the channel
    and, if chosen, the slot (else the channel's lowest free one)."""

    session_id = fields.Integer(required=True, strict=True)
    customer_id = fields.Integer(required=True, strict=True)
    channel = fields.String(load_default="desk", validate=validate.OneOf(BOOKING_CHANNELS))
    slot_no = fields.Integer(load_default=None, allow_none=True, strict=True)


class CancelInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class WaitlistInput(Schema):
    session_id = fields.Integer(required=True, strict=True)
    customer_id = fields.Integer(required=True, strict=True)
    channel = fields.String(load_default="desk", validate=validate.OneOf(BOOKING_CHANNELS))


class CheckInInput(Schema):
    """A kiosk's or a desk scanner's check-in: the booking's number."""

    number = fields.String(required=True, validate=validate.Length(min=1, max=24))
