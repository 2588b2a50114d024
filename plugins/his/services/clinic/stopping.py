"""Stopping a clinic session (停诊), and where its patients may rebook.

Stopping keeps the session, with the reason, who and when; every live
booking of it (booked, checked in, called) takes the booking state
machine's ``stop`` move (cancelled with the reason "session stopped",
audited as every move is; an unpaid registration fee is void, a paid one
waits for its refund) in the same transaction, and each booked patient gets
a timeline entry and an SMS with a link to book again online, and the
registration desk a task to call them to rebook (for the clerk who booked
it, else the one stopping), naming the department's next open sessions
(:func:`next_open_sessions`). The session's waiting waitlist entries end
(``ended``, with the stop's reason) with a timeline entry on each patient."""

from __future__ import annotations

from sqlalchemy import select

from core.api import (
    StateMachine,
    User,
    audit,
    check_version,
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
from ..billing.registration import release_registration
from ..bookings.states import BOOKING
from ..bookings.waitlist import waiting
from ..patients import today
from .inputs import StopInput
from .sessions import free_counts, sessions_query

_, _l = translator("his")

SESSION = StateMachine(
    _l("clinic session"),
    {"stop": (("open",), "stopped")},
    states={"open": _l("Open"), "stopped": _l("Stopped")},
    actions={"stop": _l("Stop")},
)
#: the bookings a stop cancels
LIVE = ("booked", "checked_in", "called")
#: what a booking cancelled by a stop records as its reason
STOPPED_REASON = "session stopped"
#: how many sessions a patient is offered to rebook into
REBOOK_CHOICES = 3


def period_labels() -> dict[str, str]:
    return {"morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening")}


def next_open_sessions(
    department_id: int, exclude_id: int | None = None, limit: int = REBOOK_CHOICES
) -> list[ClinicSession]:
    """The department's next open sessions from today with a free slot."""
    found: list[ClinicSession] = []
    query = sessions_query(department_id, day_from=today()).where(ClinicSession.status == "open")
    if exclude_id is not None:
        query = query.where(ClinicSession.id != exclude_id)
    candidates = list(db.session.scalars(query.limit(limit * 10)))
    free = free_counts(candidates)
    for session in candidates:
        if free[session.id].desk + free[session.id].online > 0:
            found.append(session)
        if len(found) == limit:
            break
    return found


def rebook_options(booking: Booking) -> list[ClinicSession]:
    """Where a patient whose session was stopped may rebook: the
    department's next open sessions (none for another cancel)."""
    if booking.status != "cancelled" or booking.cancel_reason != STOPPED_REASON:
        return []
    return next_open_sessions(booking.department_id, booking.session_id)


def describe(session: ClinicSession) -> str:
    """ "2026-12-07 Morning · Dr Li" — a session in one line."""
    period = period_labels().get(session.period, session.period)
    return f"{session.day.isoformat()} {period} · {session.doctor.name}"


def stop_session(
    session: ClinicSession, payload: dict, actor: User | None, expected_version: int | None = None
) -> list[Booking]:
    """Stop an open session of today or later; the cancelled bookings."""
    data = load(StopInput(), payload)
    SESSION.move(session.status, "stop")  # 409 illegal-transition when stopped already
    if session.day < today():
        refuse(state={"day": [_("a past session cannot be stopped")]})
    check_version(session, expected_version)
    now = utcnow()
    with transaction():
        before = snapshot(session)
        session.status, session.stop_reason = "stopped", data["reason"]
        session.stopped_at, session.stopped_by_id = now, actor.id if actor else None
        db.session.flush()
        audit(actor, session, "stop", before, snapshot(session))
        cancelled = list(
            db.session.scalars(
                select(Booking)
                .where(Booking.session_id == session.id, Booking.status.in_(LIVE))
                .order_by(Booking.slot_no)
            )
        )
        options = ", ".join(describe(s) for s in next_open_sessions(session.department_id))
        for booking in cancelled:
            _cancel(booking, actor, now)
            _notify(booking, session, data["reason"], options or "—", actor)
        for entry in waiting(session.id):
            _end_waiting(entry, session, data["reason"], actor)
    return cancelled


def _cancel(booking: Booking, actor: User | None, now) -> None:
    """The booking's ``stop`` move, recorded as every move is."""
    before = snapshot(booking)
    booking.status = BOOKING.move(booking.status, "stop")
    booking.cancelled_at, booking.cancel_reason = now, STOPPED_REASON
    db.session.flush()
    audit(actor, booking, "stop", before, snapshot(booking))
    release_registration(booking, actor)  # an unpaid fee is void; a paid one waits for a refund


def _end_waiting(
    entry: WaitlistEntry, session: ClinicSession, reason: str, actor: User | None
) -> None:
    """A waiting entry of a stopped session ends, saying why."""
    before = snapshot(entry)
    entry.status, entry.end_reason = "ended", reason
    db.session.flush()
    audit(actor, entry, "end", before, snapshot(entry))
    log_activity(
        {
            "kind": "note",
            "subject": _(
                "Clinic session stopped: waitlist for %(when)s ended", when=describe(session)
            )[:200],
            "body": _("Reason: %(reason)s", reason=reason),
            "customer_id": entry.customer_id,
        },
        actor,
    )


def _desk_owner(booking: Booking, actor: User | None) -> int | None:
    """The clerk who booked it, while they may book; else the one stopping."""
    clerk = booking.booked_by
    if clerk is not None and clerk.is_active and clerk.can("his.booking.write"):
        return clerk.id
    return actor.id if actor is not None else None


def _notify(
    booking: Booking, session: ClinicSession, reason: str, options: str, actor: User | None
) -> None:
    from ..online import notify_stopped  # the online page imports the clinic's services

    when = describe(session)
    notify_stopped(booking, session, when, reason)
    link = {"customer_id": booking.customer_id, "link_type": "his_booking", "link_id": booking.id}
    log_activity(
        {
            "kind": "note",
            "subject": _(
                "Clinic session stopped: registration %(number)s (%(when)s) cancelled",
                number=booking.number,
                when=when,
            )[:200],
            "body": _("Reason: %(reason)s", reason=reason),
            **link,
        },
        actor,
    )
    log_activity(
        {
            "kind": "task",
            "subject": _("Call to rebook: registration %(number)s", number=booking.number)[:200],
            "body": _(
                "The session %(when)s was stopped (%(reason)s). Open sessions: %(options)s",
                when=when,
                reason=reason,
                options=options,
            )[:20000],
            "owner_id": _desk_owner(booking, actor),
            "due_at": utcnow(),
            **link,
        },
        actor,
    )
