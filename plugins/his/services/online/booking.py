"""Booking online: ask for a code, book with it, cancel by the link.

:func:`request_code` checks what answers the same for any national ID —
the form (:func:`.visitor.identify`) and the session (open, within the days
online booking opens, a free online slot) — then texts a code to the phone
given (``core.api.issue_code``, throttled per phone and ID), whether or not
the number is a patient's: until the code is verified, a stranger cannot
tell a registered ID from another. :func:`book_online` checks the form and
the session again and, in one transaction, uses up the code, and only then
holds the visitor against the record (a known patient's phone and name, a
new person's age: :func:`.visitor.check_visitor`) and the patient's rules
(a suspension after no-shows, a death, a registration that day in the
department), registers a new person as a patient (the desk's ``register``)
and books the session's lowest free online slot with the desk's ``book``
(channel ``online``: its quota, its rules). A refusal writes nothing and
leaves the code usable. The patient then gets an SMS with the number and
the cancel link: a signed token naming the booking, good up to the cutoff
before the session (the desk's ``cancel``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.api import (
    NotFoundError,
    ValidationError,
    check_code,
    db,
    issue_code,
    refuse,
    send_message,
    transaction,
    translator,
    utcnow,
)

from ...models import Booking, ClinicSession
from ..bookings import book, cancel, cancel_deadline
from ..bookings.booking import check_patient, check_session, day_taken_message, has_day_booking
from ..bookings.rules import local_today
from ..clinic import free_counts, period_labels
from ..patients import register
from .choices import DAYS_AHEAD
from .inputs import ConfirmInput
from .notify import slip_link
from .visitor import Visitor, check_visitor, holds_phone, identify

_, _l = translator("his")

#: the one-time codes' purpose
PURPOSE = "his.online_booking"
#: what a booking cancelled through its link records as its reason
CANCEL_REASON = "cancelled online"
_SALT = "his.online.cancel"


@dataclass(frozen=True)
class Booked:
    booking: Booking
    #: the cancel link's token (given once, in the SMS and on the slip)
    token: str


def _check_session(session: ClinicSession) -> None:
    today = local_today()
    refuse(state=check_session(session, today))
    if session.day >= today + timedelta(days=DAYS_AHEAD):
        refuse(state={"session_id": [_("Online booking for this day has not opened yet.")]})
    if free_counts([session])[session.id].online < 1:
        refuse(state={"session_id": [_("No online slot is left in this session. Choose another.")]})


def _check_patient(visitor: Visitor, session: ClinicSession) -> None:
    if visitor.patient is None:
        return
    customer_id = visitor.patient.customer_id
    invalid, state = check_patient(customer_id, "online", local_today())
    refuse(invalid, state=state)
    if has_day_booking(customer_id, session.department_id, session.day):
        refuse(taken={"customer_id": [day_taken_message()]})


def request_code(session: ClinicSession, payload: dict) -> Visitor:
    """Check the form and the session, and text the phone given a code —
    the same answer for any national ID (the record is held against the
    visitor once the code is verified)."""
    visitor, _data = identify(payload)
    _check_session(session)
    known = visitor.patient if holds_phone(visitor) else None
    issue_code(
        PURPOSE,
        visitor.code_key,
        "sms",
        visitor.phone,
        customer_id=known.customer_id if known is not None else None,
        source="his",
    )
    return visitor


def book_online(session: ClinicSession, payload: dict) -> Booked:
    """Book the session's online slot for the visitor who holds the code."""
    visitor, data = identify(payload, ConfirmInput())
    _check_session(session)
    with transaction():
        check_code(PURPOSE, visitor.code_key, data["code"])
        check_visitor(visitor)  # the code is verified: now the record may speak
        _check_patient(visitor, session)
        if visitor.patient is not None:
            customer_id = visitor.patient.customer_id
        else:
            new = register(
                {
                    "name": visitor.name,
                    "phone": visitor.phone,
                    "national_id": visitor.national_id,
                    "id_type": "cn_ric",
                },
                None,
            )
            customer_id = new.customer_id
        booking = book(
            {"session_id": session.id, "customer_id": customer_id, "channel": "online"}, None
        )
        token = cancel_token(booking)
        _confirm(booking, session, visitor.phone, token)
    return Booked(booking, token)


def _confirm(booking: Booking, session: ClinicSession, phone: str, token: str) -> None:
    period = period_labels().get(session.period, session.period)
    body = _(
        "Registration %(number)s: %(department)s, %(day)s %(period)s, slot %(slot)s. "
        "To see or cancel it: %(link)s",
        number=booking.number,
        department=session.department.name,
        day=session.day.isoformat(),
        period=period,
        slot=booking.slot_no,
        link=slip_link(token),
    )
    send_message(
        "sms", phone, body, purpose="booking", customer_id=booking.customer_id, source="his"
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def cancel_token(booking: Booking) -> str:
    """The token of the booking's own page (signed: unforgeable, nothing stored)."""
    return _serializer().dumps([booking.id, booking.number])


def booking_for_token(token: str | None) -> Booking:
    """The online booking ``token`` names; a forged one is a 404."""
    try:
        booking_id, number = _serializer().loads(token or "")
    except (BadSignature, ValueError, TypeError):
        raise NotFoundError(_("This link is not valid.")) from None
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.number != number or booking.channel != "online":
        raise NotFoundError(_("This link is not valid."))
    return booking


def may_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Whether the link may still cancel it: booked, and before the cutoff."""
    session = booking.session
    deadline = cancel_deadline(session.day, session.period)
    return booking.status == "booked" and (now or utcnow()) < deadline


def cancel_online(token: str | None, now: datetime | None = None) -> Booking:
    """Cancel the booking of the link (the desk's rules: up to the cutoff)."""
    booking = booking_for_token(token)
    if booking.status != "booked":
        raise ValidationError({"status": [_("This registration cannot be cancelled any more.")]})
    return cancel(booking, {"reason": CANCEL_REASON}, None, now=now)
