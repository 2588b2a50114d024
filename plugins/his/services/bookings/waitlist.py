"""The waitlist of a full session: a patient joins when their channel has
no free slot; when a slot frees (a cancel), the first waiting entry of the
session — in the order they joined — gets it: a booking made for them, the
entry ``booked`` naming it, a timeline entry on the patient and a task for
the desk to tell them. An entry whose patient can no longer take it (died,
booked elsewhere in the department that day) is passed over as ``skipped``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (
    NotFoundError,
    StateError,
    User,
    audit,
    customer_for,
    db,
    load,
    log_activity,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Booking, ClinicSession, WaitlistEntry
from .booking import (
    check_patient,
    check_session,
    conflict_field,
    day_taken_message,
    free_slot,
    has_day_booking,
    make_booking,
    taken,
)
from .inputs import WaitlistInput
from .rules import local_today

_, _l = translator("his")

#: an entry's states: waiting, booked (it got a slot), left (the patient
#: withdrew), skipped (passed over: the patient could no longer take it),
#: ended (its session was stopped; ``end_reason`` says why)
WAITLIST_STATES = ("waiting", "booked", "left", "skipped", "ended")


def join_waitlist(payload: dict, actor: User | None, *, today: date | None = None):
    """Join the waitlist of a session whose channel is full (409 naming
    ``session_id`` while a slot is free; one waiting entry per patient)."""
    data = load(WaitlistInput(), payload)
    today = today or local_today()
    session = db.session.get(ClinicSession, data["session_id"])
    missing = {}
    if session is None:
        missing["session_id"] = [_("no clinic session with this id")]
    if customer_for(data["customer_id"], actor) is None:
        missing["customer_id"] = [_("no customer with this id")]
    refuse(missing=missing)
    assert session is not None
    invalid, state = check_patient(data["customer_id"], data["channel"], today)
    refuse(invalid, state=state | check_session(session, today))
    if has_day_booking(data["customer_id"], session.department_id, session.day):
        refuse(taken={"customer_id": [day_taken_message()]})
    if free_slot(session, data["channel"]) is not None:
        refuse(state={"session_id": [_("this session has a free slot: book it")]})
    try:
        with transaction():
            entry = WaitlistEntry(
                session_id=session.id,
                customer_id=data["customer_id"],
                channel=data["channel"],
                status="waiting",
            )
            db.session.add(entry)
            db.session.flush()
            audit(actor, entry, "create", None, snapshot(entry))
            return entry
    except IntegrityError as exc:
        if conflict_field(exc) == "customer_id":
            refuse(taken={"customer_id": [_("this patient is already on the waitlist")]})
        raise taken(conflict_field(exc)) from None


def leave_waitlist(entry: WaitlistEntry, actor: User | None) -> WaitlistEntry:
    if entry.status != "waiting":
        raise StateError({"status": [_("this entry is no longer waiting")]})
    with transaction():
        before = snapshot(entry)
        entry.status = "left"
        db.session.flush()
        audit(actor, entry, "leave", before, snapshot(entry))
    return entry


def waiting(session_id: int) -> list[WaitlistEntry]:
    """The session's waiting entries, first come first."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
        )
    )


def get_entry(entry_id: int) -> WaitlistEntry:
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFoundError(_("waitlist entry %(id)s not found", id=entry_id))
    return entry


def fill_slot(session: ClinicSession, slot_no: int, actor: User | None) -> Booking | None:
    """Give the freed ``slot_no`` to the first waiting patient who can take
    it (in the caller's transaction); the booking made, or None."""
    if session.status != "open":
        return None
    channel = "desk" if slot_no <= session.desk_quota else "online"
    for entry in waiting(session.id):
        invalid, state = check_patient(entry.customer_id, entry.channel, local_today())
        if (
            invalid
            or state
            or has_day_booking(entry.customer_id, session.department_id, session.day)
        ):
            before = snapshot(entry)
            entry.status = "skipped"
            db.session.flush()
            audit(actor, entry, "skip", before, snapshot(entry))
            continue
        booking = make_booking(session, entry.customer_id, slot_no, channel, actor)
        before = snapshot(entry)
        entry.status, entry.booking_id = "booked", booking.id
        db.session.flush()
        audit(actor, entry, "book", before, snapshot(entry))
        log_activity(
            {
                "kind": "task",
                "subject": _(
                    "Tell the patient: a slot came free, registration %(number)s",
                    number=booking.number,
                )[:200],
                "body": _(
                    "Waitlist: slot %(slot)s of %(day)s was booked for the patient.",
                    slot=slot_no,
                    day=session.day.isoformat(),
                ),
                "owner_id": actor.id if actor else None,
                "due_at": utcnow(),
                "customer_id": entry.customer_id,
                "link_type": "his_booking",
                "link_id": booking.id,
            },
            actor,
        )
        return booking
    return None
