"""The nightly no-show job and the suspension of online booking, its
counts checked against figures worked out by hand: 3 no-shows (the
default) with their day in the last 90 days (today included) suspend
online booking for 30 days from today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import ValidationError, db
from plugins.his.models import Booking, Patient
from plugins.his.services import bookings

from .booking_fixtures import booked, clinic  # noqa: F401


def test_no_shows_are_marked_and_three_in_ninety_days_suspend_online_booking(clinic):
    t = clinic.today
    sessions: dict[int, object] = {}

    def on(days_ago: int):
        if days_ago not in sessions:
            sessions[days_ago] = clinic.session(day=t - timedelta(days=days_ago), desk=6)
        return sessions[days_ago]

    p1, p2, p3, p4, p5 = (clinic.patient(f"P{n}") for n in range(1, 6))
    # P1: no-shows 100 (outside), 60 and 30 days ago, booked yesterday → 3 in the window
    for ago in (100, 60, 30):
        booked(clinic, on(ago), p1, "no_show")
    y1 = booked(clinic, on(1), p1)
    # P2: no-shows 90 days ago (just outside: the window starts 89 days ago) and 89
    # days ago (inside), booked yesterday → 2: not suspended
    booked(clinic, on(90), p2, "no_show")
    booked(clinic, on(89), p2, "no_show")
    y2 = booked(clinic, on(1), p2)
    # P3: a no-show 10 days ago, booked 2 days ago and yesterday (a missed night) → 3
    booked(clinic, on(10), p3, "no_show")
    d3 = booked(clinic, on(2), p3)
    y3 = booked(clinic, on(1), p3)
    # P4: booked today — not yet a no-show; P5: came yesterday (seen), cancelled earlier
    today_row = booked(clinic, clinic.session(day=t, period="evening"), p4)
    seen = booked(clinic, on(1), p5, "seen", queue_no=1)
    booked(clinic, on(3), p5, "cancelled")

    run = bookings.mark_no_shows(t)
    assert (run.marked, run.suspended) == (4, 2)  # y1, y2, d3, y3; P1 and P3
    db.session.expire_all()
    statuses = {b.id: b.status for b in db.session.scalars(select(Booking))}
    assert [statuses[b.id] for b in (y1, y2, d3, y3)] == ["no_show"] * 4
    assert (statuses[today_row.id], statuses[seen.id]) == ("booked", "seen")
    until = {
        p.customer_id: p.online_booking_suspended_until for p in db.session.scalars(select(Patient))
    }
    assert until == {
        p1.id: t + timedelta(days=30),
        p2.id: None,
        p3.id: t + timedelta(days=30),
        p4.id: None,
        p5.id: None,
    }
    # a second run finds nothing more to do
    again = bookings.mark_no_shows(t)
    assert (again.marked, again.suspended) == (0, 0)
    # the suspension refuses online booking, not the desk
    tomorrow = clinic.session(period="afternoon")
    with pytest.raises(ValidationError) as refused:
        bookings.book({"session_id": tomorrow.id, "customer_id": p1.id, "channel": "online"}, None)
    assert refused.value.status == 409 and "customer_id" in refused.value.errors
    assert bookings.book({"session_id": tomorrow.id, "customer_id": p1.id}, clinic.clerk).id


def test_the_job_is_registered_daily(clinic):
    from plugins.his import trellis_jobs

    (job,) = [j for j in trellis_jobs() if j.code == "his.no_shows"]
    assert job.every_minutes == 1440
    booked(clinic, clinic.session(day=clinic.today - timedelta(days=1)), clinic.patient())
    assert job.run() == "1 no-shows marked, 0 patients suspended"
