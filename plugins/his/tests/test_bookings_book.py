"""Booking a slot (挂号): the channel's slots, the lowest free or a chosen
one, the session's fee, a number; one booking per patient, department and
day; a stopped, past or full session, a deceased or (online) suspended
patient refused with the field named — and two clerks racing for the last
slot on two connections: one wins, the other gets the 409, nothing of
theirs written."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select, text

from core.api import Activity, ValidationError, db
from plugins.his.models import Booking, Patient
from plugins.his.services import bookings
from plugins.his.services.bookings import booking as booking_module

from .booking_fixtures import booked, clinic  # noqa: F401


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str | None = None) -> int:
    sql = "SELECT count(*) FROM audit_entry WHERE entity = 'his_booking'"
    if action:
        sql += f" AND action = '{action}'"
    return db.session.scalar(text(sql)) or 0


def _refused(call, status: int, field: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.status == status, caught.value.errors
    assert field in caught.value.errors, caught.value.errors
    return caught.value


def test_desk_and_online_take_the_lowest_free_slot_of_their_own_channel(clinic):
    session = clinic.session(desk=2, online=2)
    patients = [clinic.patient(f"Patient {n}") for n in range(5)]
    made = [
        bookings.book({"session_id": session.id, "customer_id": p.id, "channel": ch}, clinic.clerk)
        for p, ch in zip(patients, ["desk", "online", "desk", "online"], strict=False)
    ]
    assert [(b.slot_no, b.channel) for b in made] == [
        (1, "desk"),
        (3, "online"),
        (2, "desk"),
        (4, "online"),
    ]
    first = made[0]
    assert (first.fee, first.currency, first.status) == (Decimal("12.50"), "CNY", "booked")
    assert (first.day, first.department_id) == (session.day, clinic.cardiology.id)
    assert re.fullmatch(r"GH\d{8}-0001", first.number) and made[1].number.endswith("-0002")
    assert first.booked_by_id == clinic.clerk.id
    # both channels full: the fifth is refused, naming the slot, nothing written
    for channel in ("desk", "online"):
        _refused(
            lambda ch=channel: bookings.book(
                {"session_id": session.id, "customer_id": patients[4].id, "channel": ch},
                clinic.clerk,
            ),
            409,
            "slot_no",
        )
    assert _count(Booking) == 4
    assert _audits("create") == 4
    notes = _count(Activity, Activity.customer_id == patients[0].id)
    assert notes == 1


def test_a_chosen_slot_must_be_free_and_of_the_channel(clinic):
    session = clinic.session(desk=2, online=2)
    wang, li = clinic.patient("Wang"), clinic.patient("Li")
    got = bookings.book({"session_id": session.id, "customer_id": wang.id, "slot_no": 2}, None)
    assert got.slot_no == 2
    _refused(
        lambda: bookings.book(
            {"session_id": session.id, "customer_id": li.id, "slot_no": 2}, clinic.clerk
        ),
        409,
        "slot_no",
    )
    _refused(  # slot 3 is online booking's
        lambda: bookings.book(
            {"session_id": session.id, "customer_id": li.id, "slot_no": 3}, clinic.clerk
        ),
        422,
        "slot_no",
    )
    got = bookings.book(
        {"session_id": session.id, "customer_id": li.id, "slot_no": 3, "channel": "online"},
        clinic.clerk,
    )
    assert (got.slot_no, got.channel) == (3, "online")


def test_one_booking_per_patient_department_and_day(clinic):
    morning = clinic.session(period="morning")
    afternoon = clinic.session(period="afternoon", doctor=clinic.nurse)  # another session, same day
    other_department = clinic.session(department=clinic.dermatology, doctor=clinic.zhou)
    next_day = clinic.session(day=clinic.tomorrow + timedelta(days=1))
    wang = clinic.patient("Wang")
    first = bookings.book({"session_id": morning.id, "customer_id": wang.id}, clinic.clerk)
    _refused(
        lambda: bookings.book({"session_id": afternoon.id, "customer_id": wang.id}, clinic.clerk),
        409,
        "customer_id",
    )
    bookings.book({"session_id": other_department.id, "customer_id": wang.id}, clinic.clerk)
    bookings.book({"session_id": next_day.id, "customer_id": wang.id}, clinic.clerk)
    # a cancelled booking frees the day
    bookings.cancel(first, {"reason": "changed plans"}, clinic.clerk)
    again = bookings.book({"session_id": afternoon.id, "customer_id": wang.id}, clinic.clerk)
    assert again.status == "booked"


def test_stopped_past_sessions_deceased_and_suspended_patients_are_refused(clinic):
    stopped = clinic.session(status="stopped", period="evening")
    past = clinic.session(day=clinic.today - timedelta(days=1))
    open_ = clinic.session()
    wang = clinic.patient("Wang")
    dead = clinic.patient("Zhao", deceased=True, deceased_on=clinic.today)
    late = clinic.patient("Qian", online_booking_suspended_until=clinic.today + timedelta(days=3))
    for session in (stopped, past):
        _refused(
            lambda s=session: bookings.book(
                {"session_id": s.id, "customer_id": wang.id}, clinic.clerk
            ),
            409,
            "session_id",
        )
    _refused(
        lambda: bookings.book({"session_id": open_.id, "customer_id": dead.id}, clinic.clerk),
        409,
        "customer_id",
    )
    _refused(
        lambda: bookings.book(
            {"session_id": open_.id, "customer_id": late.id, "channel": "online"}, None
        ),
        409,
        "customer_id",
    )
    # the suspension is online booking's: the desk still books them
    assert bookings.book({"session_id": open_.id, "customer_id": late.id}, clinic.clerk).slot_no
    _refused(
        lambda: bookings.book({"session_id": 999999, "customer_id": wang.id}, clinic.clerk),
        404,
        "session_id",
    )
    not_patient = clinic.patient("Sun")
    db.session.execute(Patient.__table__.delete().where(Patient.customer_id == not_patient.id))
    db.session.commit()
    _refused(
        lambda: bookings.book(
            {"session_id": open_.id, "customer_id": not_patient.id}, clinic.clerk
        ),
        422,
        "customer_id",
    )
    assert _count(Booking) == 1


def _race(monkeypatch, other_clerk):
    """Make the first ``free_slot`` of this thread wait while another
    clerk, on their own connection, books and commits: the interleaving two
    desks give when both saw the same slot free."""
    real = booking_module.free_slot
    app = current_app._get_current_object()
    done = []

    def free_slot_then_lose(session, channel):
        slot = real(session, channel)
        if not done:
            done.append(True)
            errors: list[BaseException] = []

            def other():
                with app.app_context():
                    try:
                        other_clerk()
                    except BaseException as exc:  # reported below
                        errors.append(exc)
                    finally:
                        db.session.remove()

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
            assert not errors, errors
        return slot

    monkeypatch.setattr(booking_module, "free_slot", free_slot_then_lose)


def test_two_clerks_taking_the_last_slot_at_once_one_wins_the_other_409(clinic, monkeypatch):
    session = clinic.session(desk=1, online=0)
    wang, li = clinic.patient("Wang"), clinic.patient("Li")
    session_id, li_id, clerk_id = session.id, li.id, clinic.clerk.id

    def other_clerk():
        from core.api import User

        actor = db.session.get(User, clerk_id)
        bookings.book({"session_id": session_id, "customer_id": li_id}, actor)

    _race(monkeypatch, other_clerk)
    _refused(
        lambda: bookings.book({"session_id": session.id, "customer_id": wang.id}, clinic.clerk),
        409,
        "slot_no",
    )
    rows = list(db.session.scalars(select(Booking)))
    assert [(b.customer_id, b.slot_no) for b in rows] == [(li.id, 1)]
    # nothing of the loser's: no audit entry, no timeline entry
    assert _audits() == 1
    assert _count(Activity, Activity.customer_id == wang.id) == 0


def test_the_same_patient_booked_at_two_desks_at_once_one_wins(clinic, monkeypatch):
    morning = clinic.session(period="morning")
    afternoon = clinic.session(period="afternoon", doctor=clinic.nurse)
    wang = clinic.patient("Wang")
    ids = (afternoon.id, wang.id, clinic.clerk.id)

    def other_desk():
        from core.api import User

        bookings.book({"session_id": ids[0], "customer_id": ids[1]}, db.session.get(User, ids[2]))

    _race(monkeypatch, other_desk)
    _refused(
        lambda: bookings.book({"session_id": morning.id, "customer_id": wang.id}, clinic.clerk),
        409,
        "customer_id",
    )
    rows = list(db.session.scalars(select(Booking)))
    assert [b.session_id for b in rows] == [afternoon.id]


def test_a_booking_is_announced_after_it_is_written(clinic, trellis_register_plugin):
    from core.testing import plugin_module

    heard: list[tuple[str, str]] = []
    trellis_register_plugin(
        plugin_module(
            "probe",
            trellis_his_booking_made=lambda booking: heard.append(
                (booking.number, booking.channel)
            ),
        )
    )
    session = clinic.session(desk=1, online=0)
    made = bookings.book(
        {"session_id": session.id, "customer_id": clinic.patient("Heard").id, "channel": "desk"},
        clinic.clerk,
    )
    assert heard == [(made.number, "desk")]
    _refused(  # a refused booking announces nothing
        lambda: bookings.book(
            {"session_id": session.id, "customer_id": clinic.patient("Late").id, "channel": "desk"},
            clinic.clerk,
        ),
        409,
        "slot_no",
    )
    assert len(heard) == 1
