"""The queue of a day: the doctor calls the next patient — the lowest queue
number checked in to their session(s) of today — and the waiting room's
board shows who is being seen and who waits, how long, by number and a
masked name only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select

from core.api import Customer, StateError, User, db, translator, utcnow

from ...models import Booking, ClinicSession
from .moves import call
from .rules import local_today, masked_name

_, _l = translator("his")


def my_sessions(doctor: User, day: date) -> Select:
    return select(ClinicSession.id).where(
        ClinicSession.doctor_id == doctor.id,
        ClinicSession.day == day,
        ClinicSession.status == "open",
    )


def my_queue(doctor: User, *, today: date | None = None) -> list[Booking]:
    """Today's live bookings of the doctor's sessions: called first, then
    the checked in by queue number, then the booked."""
    day = today or local_today()
    rows = db.session.scalars(
        select(Booking)
        .where(
            Booking.session_id.in_(my_sessions(doctor, day)),
            Booking.status.in_(("booked", "checked_in", "called")),
        )
        .order_by(Booking.queue_no.is_(None), Booking.queue_no, Booking.slot_no)
    )
    order = {"called": 0, "checked_in": 1, "booked": 2}
    return sorted(rows, key=lambda b: order[b.status])


def call_next(doctor: User, *, today: date | None = None) -> Booking:
    """Call the lowest queue number checked in to the doctor's sessions today."""
    day = today or local_today()
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.session_id.in_(my_sessions(doctor, day)), Booking.status == "checked_in")
        .order_by(Booking.queue_no)
        .limit(1)
    )
    if booking is None:
        raise StateError({"queue": [_("nobody is waiting")]})
    return call(booking, doctor)


@dataclass
class BoardRow:
    queue_no: int
    name: str
    doctor: str
    waited_minutes: int


@dataclass
class Board:
    serving: list[BoardRow]
    waiting: list[BoardRow]


def board(department_id: int, *, today: date | None = None, now: datetime | None = None) -> Board:
    """The department's board for today: the called (now serving, latest
    first) and the checked in waiting (by number), with masked names."""
    day = today or local_today()
    now = now or utcnow()
    rows = db.session.execute(
        select(Booking, Customer.name, ClinicSession.doctor_id)
        .join(Customer, Customer.id == Booking.customer_id)
        .join(ClinicSession, ClinicSession.id == Booking.session_id)
        .where(
            Booking.department_id == department_id,
            Booking.day == day,
            Booking.status.in_(("checked_in", "called")),
        )
        .order_by(Booking.queue_no)
    ).all()
    doctors = {
        u.id: u.name
        for u in db.session.scalars(select(User).where(User.id.in_({r[2] for r in rows})))
    }
    serving, waiting = [], []
    for booking, name, doctor_id in rows:
        since = booking.checked_in_at or now
        row = BoardRow(
            booking.queue_no or 0,
            masked_name(name),
            doctors.get(doctor_id, ""),
            max(0, int((now - since).total_seconds() // 60)),
        )
        (serving if booking.status == "called" else waiting).append(row)
    called_at = {b.queue_no: b.called_at for b, _n, _d in rows if b.status == "called"}
    serving.sort(key=lambda r: called_at.get(r.queue_no) or now, reverse=True)
    return Board(serving, waiting)
