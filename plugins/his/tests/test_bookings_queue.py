"""Cancelling up to the cutoff, the waitlist filling a freed slot in order,
check-in on the booking's day with the department's queue numbers (two
desks at once on two connections: both get one, one after the other), the
doctor calling the lowest number, the queue board's masked names and
waits, and the scope: another department's doctor gets 404."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.api import Activity, StateError, ValidationError, db
from plugins.his.models import Booking, WaitlistEntry
from plugins.his.services import bookings
from plugins.his.services.bookings import moves
from plugins.his.services.bookings.rules import zone

from .booking_fixtures import booked, clinic  # noqa: F401


def test_cancel_up_to_two_hours_before_the_period_starts(clinic):
    session = clinic.session(period="afternoon")  # tomorrow 13:30 local
    deadline = datetime.combine(clinic.tomorrow, time(11, 30), tzinfo=zone())
    assert bookings.cancel_deadline(session.day, session.period) == deadline
    early, late = (
        booked(clinic, session, clinic.patient()),
        booked(clinic, session, clinic.patient()),
    )
    with pytest.raises(ValidationError) as no_reason:
        bookings.cancel(early, {}, clinic.clerk, now=deadline - timedelta(minutes=1))
    assert "reason" in no_reason.value.errors
    bookings.cancel(
        early, {"reason": "feels better"}, clinic.clerk, now=deadline - timedelta(minutes=1)
    )
    with pytest.raises(StateError) as too_late:
        bookings.cancel(late, {"reason": "feels better"}, clinic.clerk, now=deadline)
    assert "status" in too_late.value.errors
    db.session.expire_all()
    assert db.session.get(Booking, early.id).status == "cancelled"
    assert db.session.get(Booking, early.id).cancel_reason == "feels better"
    assert db.session.get(Booking, late.id).status == "booked"


def test_a_freed_slot_goes_to_the_first_waiting_patient(clinic):
    session = clinic.session(desk=1, online=1)
    holder, online_holder = clinic.patient("Holder"), clinic.patient("Online")
    first, second, third = (clinic.patient(n) for n in ("First", "Second", "Third"))
    desk = bookings.book({"session_id": session.id, "customer_id": holder.id}, clinic.clerk)
    bookings.book(
        {"session_id": session.id, "customer_id": online_holder.id, "channel": "online"}, None
    )
    with pytest.raises(ValidationError) as full:  # a free slot: book it, no waitlist
        bookings.book({"session_id": session.id, "customer_id": first.id}, clinic.clerk)
    assert full.value.status == 409
    entries = [
        bookings.join_waitlist({"session_id": session.id, "customer_id": p.id}, clinic.clerk)
        for p in (first, second, third)
    ]
    with pytest.raises(ValidationError) as twice:
        bookings.join_waitlist({"session_id": session.id, "customer_id": first.id}, clinic.clerk)
    assert twice.value.status == 409 and "customer_id" in twice.value.errors
    # the first has died meanwhile: passed over; the second gets the slot
    db.session.execute(
        db.metadata.tables["his_patient"]
        .update()
        .where(db.metadata.tables["his_patient"].c.customer_id == first.id)
        .values(deceased=True)
    )
    db.session.commit()
    bookings.cancel(desk, {"reason": "travel"}, clinic.clerk)
    db.session.expire_all()
    states = [db.session.get(WaitlistEntry, e.id).status for e in entries]
    assert states == ["skipped", "booked", "waiting"]
    made = db.session.get(Booking, db.session.get(WaitlistEntry, entries[1].id).booking_id)
    assert (made.customer_id, made.slot_no, made.channel, made.status) == (
        second.id,
        desk.slot_no,
        "desk",
        "booked",
    )
    task = db.session.scalar(
        select(Activity).where(Activity.customer_id == second.id, Activity.kind == "task")
    )
    assert task is not None and made.number in task.subject
    assert [e.customer_id for e in bookings.waiting(session.id)] == [third.id]


def test_check_in_only_on_the_day_and_queue_numbers_per_department(clinic):
    tomorrow = clinic.session()
    morning = clinic.session(day=clinic.today, period="morning")
    evening = clinic.session(day=clinic.today, period="evening", doctor=clinic.nurse)
    other = clinic.session(day=clinic.today, department=clinic.dermatology, doctor=clinic.zhou)
    future = booked(clinic, tomorrow, clinic.patient())
    with pytest.raises(StateError) as wrong_day:
        bookings.check_in(future, clinic.clerk)
    assert "day" in wrong_day.value.errors
    rows = [
        booked(clinic, morning, clinic.patient("A")),
        booked(clinic, evening, clinic.patient("B")),
        booked(clinic, morning, clinic.patient("C")),
        booked(clinic, other, clinic.patient("D")),
    ]
    numbers = [bookings.check_in(b, clinic.clerk).queue_no for b in rows]
    assert numbers == [1, 2, 3, 1]  # one sequence per department and day
    assert db.session.get(Booking, future.id).queue_no is None


def test_two_desks_checking_in_at_once_get_consecutive_numbers(clinic, monkeypatch):
    session = clinic.session(day=clinic.today, period="evening")
    mine, theirs = (
        booked(clinic, session, clinic.patient()),
        booked(clinic, session, clinic.patient()),
    )
    real = moves.next_queue_number
    app = current_app._get_current_object()
    ids, done, errors = (theirs.id, clinic.clerk.id), [], []

    def number_while_the_other_desk_commits(department_id, day):
        number = real(department_id, day)
        if not done:
            done.append(number)

            def other():
                from core.api import User

                with app.app_context():
                    try:
                        bookings.check_in(
                            db.session.get(Booking, ids[0]), db.session.get(User, ids[1])
                        )
                    except BaseException as exc:
                        errors.append(exc)
                    finally:
                        db.session.remove()

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
        return number

    monkeypatch.setattr(moves, "next_queue_number", number_while_the_other_desk_commits)
    got = bookings.check_in(mine, clinic.clerk)
    assert not errors, errors
    assert done == [1]  # both desks saw 1 free; the other committed it first
    db.session.expire_all()
    assert (db.session.get(Booking, theirs.id).queue_no, got.queue_no) == (1, 2)


def test_the_doctor_calls_the_lowest_number_of_their_sessions(clinic):
    mine = clinic.session(day=clinic.today, period="morning")
    colleague = clinic.session(day=clinic.today, period="evening", doctor=clinic.nurse)
    rows = {}
    for name, session in (("A", colleague), ("B", mine), ("C", mine), ("D", mine)):
        rows[name] = bookings.check_in(booked(clinic, session, clinic.patient(name)), clinic.clerk)
    booked(clinic, mine, clinic.patient("not here"))  # booked, not checked in: not called
    assert [b.queue_no for b in rows.values()] == [1, 2, 3, 4]
    first = bookings.call_next(clinic.li)
    assert (first.id, first.status) == (rows["B"].id, "called")
    bookings.recall(first, clinic.li)  # did not answer: back in the queue, keeps 2
    assert bookings.call_next(clinic.li).id == rows["B"].id
    bookings.seen(rows["B"], clinic.li)
    assert bookings.call_next(clinic.li).id == rows["C"].id
    assert bookings.call_next(clinic.li).id == rows["D"].id
    with pytest.raises(StateError):
        bookings.call_next(clinic.li)
    queue = bookings.my_queue(clinic.li)
    assert [b.status for b in queue] == ["called", "called", "booked"]


def test_the_board_shows_numbers_masked_names_and_waits(clinic):
    session = clinic.session(day=clinic.today, period="evening")
    wang = bookings.check_in(booked(clinic, session, clinic.patient("王小英")), clinic.clerk)
    mei = bookings.check_in(booked(clinic, session, clinic.patient("Mei Huang")), clinic.clerk)
    bookings.call(wang, clinic.li)
    now = mei.checked_in_at + timedelta(minutes=17)
    board = bookings.board(clinic.cardiology.id, now=now)
    assert [(r.queue_no, r.name) for r in board.serving] == [(1, "王*英")]
    assert [(r.queue_no, r.name, r.waited_minutes) for r in board.waiting] == [(2, "M. H****", 17)]
    assert bookings.masked_name("王英") == "王*" and bookings.masked_name("欧阳娜娜") == "欧**娜"


def test_another_departments_doctor_gets_404_and_the_api_moves(clinic, as_user):
    session = clinic.session(day=clinic.today, period="evening")
    row = booked(clinic, session, clinic.patient("Wang"))
    zhou, li, nurse = as_user(clinic.zhou), as_user(clinic.li), as_user(clinic.nurse)
    assert zhou.get(f"/api/v1/his/bookings/{row.id}").status_code == 404
    move = {"action": "check_in", "version": row.version}
    assert zhou.post(f"/api/v1/his/bookings/{row.id}/transitions", json=move).status_code == 404
    assert zhou.get(f"/api/v1/his/queue/{clinic.cardiology.id}").status_code == 404
    assert zhou.get("/api/v1/his/bookings").json["total"] == 0
    assert li.get("/api/v1/his/bookings").json["total"] == 1
    checked = nurse.post(f"/api/v1/his/bookings/{row.id}/transitions", json=move)
    assert checked.status_code == 200, checked.json
    assert (checked.json["status"], checked.json["queue_no"]) == ("checked_in", 1)
    stale = nurse.post(f"/api/v1/his/bookings/{row.id}/transitions", json=move)
    assert stale.status_code == 409  # the version read is stale
    again = {"action": "check_in", "version": checked.json["version"]}
    illegal = nurse.post(f"/api/v1/his/bookings/{row.id}/transitions", json=again)
    assert illegal.status_code == 409 and illegal.json["allowed_actions"] == ["call", "stop"]
    called = li.post(
        f"/api/v1/his/bookings/{row.id}/transitions",
        json={"action": "call", "version": checked.json["version"]},
    )
    assert called.status_code == 200 and called.json["status"] == "called"
    board = li.get(f"/api/v1/his/queue/{clinic.cardiology.id}").json
    assert board["serving"][0]["name"] == "W***" and board["waiting"] == []
    assert "Wang" not in str(board)


def test_booking_and_checking_in_through_the_api(clinic, as_user):
    session = clinic.session(day=clinic.today, period="evening", desk=1, online=0)
    wang, li = clinic.patient("Wang"), clinic.patient("Li")
    desk = as_user(clinic.clerk)
    made = desk.post(
        "/api/v1/his/bookings", json={"session_id": session.id, "customer_id": wang.id}
    )
    assert made.status_code == 201, made.json
    full = desk.post("/api/v1/his/bookings", json={"session_id": session.id, "customer_id": li.id})
    assert full.status_code == 409 and "slot_no" in full.json["errors"]
    waits = desk.post("/api/v1/his/waitlist", json={"session_id": session.id, "customer_id": li.id})
    assert waits.status_code == 201 and waits.json["status"] == "waiting"
    listed = desk.get(f"/api/v1/his/waitlist?session_id={session.id}").json
    assert [e["customer_id"] for e in listed] == [li.id]
    checked = desk.post("/api/v1/his/check-ins", json={"number": made.json["number"]})
    assert checked.status_code == 200 and checked.json["queue_no"] == 1
    assert desk.post("/api/v1/his/check-ins", json={"number": "nope"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
