"""Moving a booking: check in (on its day only, giving the department's
next queue number for the day — a unique index, so two desks checking in at
once both get a number, one after the other), call, call again later, seen,
cancel (with a reason, up to the cutoff before the period starts; the freed
slot goes to the waitlist's first) and no-show. One dispatcher,
:func:`transition`, serves the API and the pages: an action the state does
not allow is a 409, a stale version a 409 with nothing written."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    ForbiddenError,
    StateError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Booking, ClinicSession
from ..billing.registration import release_registration
from .booking import conflict_field, taken
from .inputs import CancelInput
from .rules import cancel_deadline, local_today
from .states import BOOKING, DOCTOR_ACTIONS, SYSTEM_ACTIONS
from .waitlist import fill_slot

_, _l = translator("his")

#: how often a check-in retries a queue number another desk took meanwhile
QUEUE_TRIES = 5


def may_take(booking: Booking, action: str, user: User | None) -> bool:
    """Whether ``user`` may take ``action``: the doctor's moves need
    ``his.visit.write`` (the session's doctor or a colleague of the
    department), the desk's ``his.booking.write``."""
    if user is None:
        return True
    if action in DOCTOR_ACTIONS:
        return user.can("his.visit.write")
    return user.can("his.booking.write")


def actions_for(booking: Booking, user: User | None) -> list[str]:
    """The moves the booking's state allows that ``user`` may make."""
    return [
        a
        for a in BOOKING.allowed(booking.status)
        if a not in SYSTEM_ACTIONS and a != "no_show" and may_take(booking, a, user)
    ]


def _apply(booking: Booking, action: str, actor: User | None, stamp: dict) -> Booking:
    before = snapshot(booking)
    booking.status = BOOKING.move(booking.status, action)
    for key, value in stamp.items():
        setattr(booking, key, value)
    db.session.flush()
    audit(actor, booking, action, before, snapshot(booking))
    return booking


def next_queue_number(department_id: int, day: date) -> int:
    top = db.session.scalar(
        select(func.max(Booking.queue_no)).where(
            Booking.department_id == department_id, Booking.day == day
        )
    )
    return (top or 0) + 1


def check_in(
    booking: Booking,
    actor: User | None,
    expected_version: int | None = None,
    *,
    today: date | None = None,
) -> Booking:
    """Check the patient in on the booking's day: the next queue number."""
    BOOKING.move(booking.status, "check_in")
    if booking.day != (today or local_today()):
        raise StateError({"day": [_("a registration is checked in on its own day only")]})
    check_version(booking, expected_version)
    booking_id = booking.id
    for attempt in range(QUEUE_TRIES):
        try:
            with transaction():
                number = next_queue_number(booking.department_id, booking.day)
                return _apply(
                    booking, "check_in", actor, {"queue_no": number, "checked_in_at": utcnow()}
                )
        except IntegrityError as exc:  # another desk gave this number meanwhile
            if conflict_field(exc) != "queue_no" or attempt == QUEUE_TRIES - 1:
                raise taken(conflict_field(exc)) from None
            fresh = db.session.get(Booking, booking_id, populate_existing=True)
            assert fresh is not None
            booking = fresh
            BOOKING.move(booking.status, "check_in")
    raise AssertionError("unreachable")


def call(booking: Booking, actor: User | None, expected_version: int | None = None) -> Booking:
    BOOKING.move(booking.status, "call")
    check_version(booking, expected_version)
    with transaction():
        return _apply(booking, "call", actor, {"called_at": utcnow()})


def recall(booking: Booking, actor: User | None, expected_version: int | None = None) -> Booking:
    """The patient did not answer: back among the checked in, keeping the number."""
    BOOKING.move(booking.status, "recall")
    check_version(booking, expected_version)
    with transaction():
        return _apply(booking, "recall", actor, {"called_at": None})


def seen(booking: Booking, actor: User | None, expected_version: int | None = None) -> Booking:
    BOOKING.move(booking.status, "seen")
    check_version(booking, expected_version)
    with transaction():
        return _apply(booking, "seen", actor, {"seen_at": utcnow()})


def no_show(booking: Booking, actor: User | None, expected_version: int | None = None) -> Booking:
    BOOKING.move(booking.status, "no_show")
    check_version(booking, expected_version)
    with transaction():
        return _apply(booking, "no_show", actor, {})


def cancel(
    booking: Booking,
    payload: dict,
    actor: User | None,
    expected_version: int | None = None,
    *,
    now: datetime | None = None,
) -> Booking:
    """Cancel with a reason up to the cutoff; the freed slot goes to the
    first waiting patient of the session (in the same transaction)."""
    data = load(CancelInput(), payload)
    BOOKING.move(booking.status, "cancel")
    session = db.session.get(ClinicSession, booking.session_id)
    assert session is not None
    now = now or utcnow()
    if now >= cancel_deadline(session.day, session.period):
        raise StateError(
            {"status": [_("too late to cancel: the cutoff before the session has passed")]}
        )
    check_version(booking, expected_version)
    with transaction():
        slot = booking.slot_no
        _apply(booking, "cancel", actor, {"cancelled_at": now, "cancel_reason": data["reason"]})
        release_registration(booking, actor)  # an unpaid fee is void; a paid one waits for a refund
        fill_slot(session, slot, actor)
    return booking


def transition(
    booking: Booking, action: str, actor: User | None, payload: dict, expected_version: int | None
) -> Booking:
    """Take ``action`` (the API's and the pages' one door)."""
    BOOKING.check_action(action)
    if action in SYSTEM_ACTIONS:
        raise ValidationError({"action": [_("this move is the system's")]})
    if not may_take(booking, action, actor):
        raise ForbiddenError(_("You may not do this."))
    if action == "check_in":
        return check_in(booking, actor, expected_version)
    if action == "cancel":
        return cancel(booking, payload, actor, expected_version)
    moves = {"call": call, "recall": recall, "seen": seen, "no_show": no_show}
    return moves[action](booking, actor, expected_version)
