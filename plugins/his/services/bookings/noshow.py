"""No-shows: the nightly job marks the still-booked bookings of past days
``no_show``; a patient with ``no_show_limit`` no-shows whose day lies in the
last ``no_show_period_days`` days (today included) has online booking
suspended for ``suspension_days`` days from today
(``his_patient.online_booking_suspended_until``), unless a suspension runs
to that day or later already."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from core.api import audit, db, log_activity, snapshot, transaction, translator

from ...models import Booking, Patient
from .rules import local_today, setting

_, _l = translator("his")


@dataclass
class NoShowRun:
    marked: int
    suspended: int


def no_shows_since(customer_id: int, since: date) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Booking.customer_id == customer_id,
                Booking.status == "no_show",
                Booking.day >= since,
            )
        )
        or 0
    )


def suspend_if_due(customer_id: int, today: date) -> bool:
    """Suspend the patient's online booking when the no-shows reach the limit."""
    since = today - timedelta(days=int(setting("no_show_period_days")) - 1)
    count = no_shows_since(customer_id, since)
    if count < int(setting("no_show_limit")):
        return False
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    until = today + timedelta(days=int(setting("suspension_days")))
    if patient is None or (
        patient.online_booking_suspended_until is not None
        and patient.online_booking_suspended_until >= until
    ):
        return False
    before = snapshot(patient)
    patient.online_booking_suspended_until = until
    db.session.flush()
    audit(None, patient, "suspend_online_booking", before, snapshot(patient))
    log_activity(
        {
            "kind": "note",
            "subject": _(
                "Online booking suspended until %(day)s: %(count)s no-shows",
                day=until.isoformat(),
                count=count,
            )[:200],
            "customer_id": customer_id,
        },
        None,
    )
    return True


def mark_no_shows(today: date | None = None) -> NoShowRun:
    """Mark the past days' still-booked bookings no-shows; suspend who is due."""
    today = today or local_today()
    with transaction():
        stale = list(
            db.session.scalars(
                select(Booking)
                .where(Booking.status == "booked", Booking.day < today)
                .order_by(Booking.id)
            )
        )
        for booking in stale:
            before = snapshot(booking)
            booking.status = "no_show"
            db.session.flush()
            audit(None, booking, "no_show", before, snapshot(booking))
        suspended = sum(
            suspend_if_due(customer_id, today)
            for customer_id in sorted({b.customer_id for b in stale})
        )
    return NoShowRun(len(stale), suspended)


def run_no_show_job() -> str:
    outcome = mark_no_shows()
    return f"{outcome.marked} no-shows marked, {outcome.suspended} patients suspended"
