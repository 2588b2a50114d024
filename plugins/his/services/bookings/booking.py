"""Booking (挂号) a slot of a clinic session, at the desk or online.

The session must be open and not past; the channel's slots are the desk's
1..desk_quota and online booking's desk_quota+1..desk_quota+online_quota;
the lowest free slot of the channel is taken unless one is chosen. Fee and
currency are the session's, the number core's ``next_number``. A patient
holds one live booking per department and day, and a slot one booking: both
are partial unique indexes, so two clerks racing for the last slot meet in
the database — the loser's IntegrityError becomes the same 409 naming the
field as the check before it, with nothing written. A deceased patient is
refused, and online a patient whose online booking is suspended."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    TakenError,
    User,
    audit,
    customer_for,
    db,
    emit,
    load,
    log_activity,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import Booking, ClinicSession, Patient
from ..billing.registration import charge_registration
from .inputs import BookingInput
from .rules import local_today, setting

_, _l = translator("his")

Errors = dict[str, list[str]]
HELD = Booking.status != "cancelled"


def channel_range(session: ClinicSession, channel: str) -> range:
    """The slot numbers of ``channel`` in ``session``."""
    if channel == "desk":
        return range(1, session.desk_quota + 1)
    return range(session.desk_quota + 1, session.desk_quota + session.online_quota + 1)


def held_numbers(session_id: int) -> set[int]:
    return set(
        db.session.scalars(select(Booking.slot_no).where(Booking.session_id == session_id, HELD))
    )


def free_slot(session: ClinicSession, channel: str) -> int | None:
    """The lowest free slot of the channel, None when it is full."""
    held = held_numbers(session.id)
    return next((n for n in channel_range(session, channel) if n not in held), None)


def has_day_booking(customer_id: int, department_id: int, day: date) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(
                Booking.customer_id == customer_id,
                Booking.department_id == department_id,
                Booking.day == day,
                HELD,
            )
        )
    )


def day_taken_message() -> str:
    return _("this patient already holds a registration in this department on this day")


def slot_taken_message() -> str:
    return _("this slot is taken")


def check_patient(customer_id: int, channel: str, today: date) -> tuple[Errors, Errors]:
    """What refuses the patient: (invalid: not a patient, state: a death;
    online, a suspension)."""
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    if patient is None:
        return {"customer_id": [_("this customer is not a registered patient")]}, {}
    if patient.deceased:
        return {}, {"customer_id": [_("this patient is deceased")]}
    until = patient.online_booking_suspended_until
    if channel == "online" and until is not None and until >= today:
        message = _("online booking is suspended until %(day)s", day=until.isoformat())
        return {}, {"customer_id": [message]}
    return {}, {}


def check_session(session: ClinicSession | None, today: date) -> Errors:
    if session is None:
        return {}
    if session.status != "open":
        return {"session_id": [_("this clinic session is stopped")]}
    if session.day < today:
        return {"session_id": [_("this clinic session is past")]}
    return {}


def conflict_field(exc: IntegrityError) -> str:
    """The field a unique index refused, from the database's message."""
    message = str(exc.orig)
    if "uq_his_booking_slot" in message or "his_booking.slot_no" in message:
        return "slot_no"
    if "uq_his_booking_queue" in message or "his_booking.queue_no" in message:
        return "queue_no"
    if "uq_his_waitlist_patient" in message or "his_waitlist_entry.customer_id" in message:
        return "customer_id"
    if "uq_his_booking_patient_day" in message or "his_booking.customer_id" in message:
        return "customer_id"
    return "number"


def taken(field: str) -> TakenError:
    message = {"slot_no": slot_taken_message(), "customer_id": day_taken_message()}.get(
        field, _("taken by another registration at the same moment; try again")
    )
    return TakenError({field: [message]})


def make_booking(
    session: ClinicSession, customer_id: int, slot_no: int, channel: str, actor: User | None
) -> Booking:
    """Write the booking (in the caller's transaction), audited, with a
    timeline entry on the patient and the ``his_booking_made`` event."""
    booking = Booking(
        session_id=session.id,
        customer_id=customer_id,
        department_id=session.department_id,
        day=session.day,
        slot_no=slot_no,
        channel=channel,
        status="booked",
        number=next_number("his.booking", setting("booking_number_pattern")),
        fee=session.fee,
        currency=session.currency,
        booked_by_id=actor.id if actor else None,
    )
    db.session.add(booking)
    db.session.flush()
    audit(actor, booking, "create", None, snapshot(booking))
    charge_registration(booking, session, actor)  # the fee is owed from now (收费)
    log_activity(
        {
            "kind": "note",
            "subject": _(
                "Registration %(number)s: %(day)s, slot %(slot)s",
                number=booking.number,
                day=session.day.isoformat(),
                slot=slot_no,
            )[:200],
            "customer_id": customer_id,
            "link_type": "his_booking",
            "link_id": booking.id,
        },
        actor,
    )
    emit("his_booking_made", booking=booking)  # after the caller's transaction commits
    return booking


def book(payload: dict, actor: User | None, *, today: date | None = None) -> Booking:
    """Book a slot (``his.booking.write`` at the desk; the online channel's
    page calls it with the patient's verified customer and ``actor`` None)."""
    data = load(BookingInput(), payload)
    today = today or local_today()
    channel, chosen = data["channel"], data["slot_no"]
    session = db.session.get(ClinicSession, data["session_id"])
    missing: Errors = {}
    if session is None:
        missing["session_id"] = [_("no clinic session with this id")]
    if customer_for(data["customer_id"], actor) is None:
        missing["customer_id"] = [_("no customer with this id")]
    refuse(missing=missing)
    assert session is not None
    invalid, state = check_patient(data["customer_id"], channel, today)
    state |= check_session(session, today)
    if chosen is not None and chosen not in channel_range(session, channel):
        invalid.setdefault("slot_no", []).append(_("not a slot of this channel"))
    refuse(invalid, state=state)
    if has_day_booking(data["customer_id"], session.department_id, session.day):
        refuse(taken={"customer_id": [day_taken_message()]})
    if chosen is None:
        chosen = free_slot(session, channel)
        if chosen is None:
            refuse(state={"slot_no": [_("no free slot for this channel; join the waitlist")]})
    elif chosen in held_numbers(session.id):
        refuse(taken={"slot_no": [slot_taken_message()]})
    assert chosen is not None
    try:
        with transaction():
            return make_booking(session, data["customer_id"], chosen, channel, actor)
    except IntegrityError as exc:  # another clerk took it meanwhile: nothing of ours stays
        raise taken(conflict_field(exc)) from None
