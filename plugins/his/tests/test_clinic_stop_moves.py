"""Stopping a clinic session (停诊) moves every live booking through the
booking's state machine — the ``stop`` move, audited as every move is —
ends the session's waiting waitlist entries with the stop's reason, texts
each booked patient a link to book again; a refused stop changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from core.api import Activity, AuditEntry, Message, db
from plugins.his.models import Booking, ClinicSession, WaitlistEntry
from plugins.his.services import clinic

from .clinic_fixtures import book, day, patient, session_payload, ward  # noqa: F401


def _plan(as_user, ward, **fields) -> ClinicSession:
    answer = as_user(ward.planner).post(
        "/api/v1/his/sessions", json=session_payload(ward, **fields)
    )
    assert answer.status_code == 201, answer.json
    return db.session.get(ClinicSession, answer.json["id"])


def _texted(customer, phone: str):
    customer.phones = [phone]
    db.session.commit()
    return customer


def _wait(session, customer) -> WaitlistEntry:
    entry = WaitlistEntry(
        session_id=session.id, customer_id=customer.id, channel="desk", status="waiting"
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _moves(entity: str, row_id: int) -> list[tuple[str, str | None, str | None]]:
    return [
        (a.action, (a.before or {}).get("status"), (a.after or {}).get("status"))
        for a in db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == row_id)
            .order_by(AuditEntry.id)
        )
    ]


def test_a_stop_moves_each_live_booking_and_ends_the_waitlist(as_user, ward):
    session = _plan(as_user, ward)
    other = _plan(as_user, ward, day=day(2).isoformat())
    wang = _texted(patient("Wang Jun"), "+8613800138000")
    chen = _texted(patient("Chen Li"), "+8613900139000")
    booked = book(session, wang, 1, by=ward.clerk)
    called = book(session, chen, 2, status="called")
    seen = book(session, patient("Seen Before"), 3, "online", status="seen")
    waiting, elsewhere = _wait(session, patient("Zhao Wait")), _wait(other, patient("Qian Wait"))
    left = _wait(session, patient("Sun Left"))
    left.status = "left"
    db.session.commit()
    answer = as_user(ward.planner).post(
        f"/api/v1/his/sessions/{session.id}/stop", json={"reason": "Dr Li is ill"}
    )
    assert answer.status_code == 200 and answer.json["cancelled"] == 2, answer.json
    db.session.expire_all()
    for row, was in ((booked, "booked"), (called, "called")):
        assert (row.status, row.cancel_reason) == ("cancelled", clinic.STOPPED_REASON)
        assert _moves("his_booking", row.id) == [("stop", was, "cancelled")]
    assert seen.status == "seen" and _moves("his_booking", seen.id) == []
    assert (waiting.status, waiting.end_reason) == ("ended", "Dr Li is ill")
    assert _moves("his_waitlist_entry", waiting.id) == [("end", "waiting", "ended")]
    assert (elsewhere.status, elsewhere.end_reason) == ("waiting", None)  # another session
    assert (left.status, left.end_reason) == ("left", None)
    notes = db.session.scalars(select(Activity).where(Activity.kind == "note")).all()
    assert sorted(n.customer_id for n in notes) == sorted([wang.id, chen.id, waiting.customer_id])
    texts = db.session.scalars(select(Message).order_by(Message.id)).all()
    assert sorted(m.to for m in texts) == ["+8613800138000", "+8613900139000"]
    assert all(m.purpose == "booking" and "/his/book/" in m.body for m in texts)
    assert {m.customer_id for m in texts} == {wang.id, chen.id}
    assert clinic.rebook_options(booked) == [other]


def test_a_refused_stop_changes_nothing(as_user, ward):
    session = _plan(as_user, ward)
    wang = _texted(patient("Wang Jun"), "+8613800138000")
    booking = book(session, wang, 1)
    entry = _wait(session, patient("Zhao Wait"))
    client = as_user(ward.planner)
    url = f"/api/v1/his/sessions/{session.id}/stop"
    for body, status in (
        ({"reason": ""}, 422),
        ({"reason": "ill", "version": session.version + 1}, 409),
    ):
        answer = client.post(url, json=body)
        assert answer.status_code == status, answer.json
    assert as_user(ward.clerk).post(url, json={"reason": "ill"}).status_code == 403
    db.session.expire_all()
    assert session.status == "open" and booking.status == "booked"
    assert (entry.status, entry.end_reason) == ("waiting", None)
    assert _moves("his_booking", booking.id) == []
    assert db.session.scalars(select(Message)).all() == []
    assert db.session.scalars(select(Activity)).all() == []


def test_a_stopped_session_frees_its_bookings_slots_once(as_user, ward):
    session = _plan(as_user, ward)
    book(session, patient("Wang Jun"), 1)
    client = as_user(ward.planner)
    url = f"/api/v1/his/sessions/{session.id}/stop"
    assert client.post(url, json={"reason": "ill"}).status_code == 200
    assert client.post(url, json={"reason": "ill"}).status_code == 409
    live = select(Booking).where(Booking.session_id == session.id, Booking.status == "booked")
    assert db.session.scalars(live).all() == []
    stops = select(AuditEntry).where(
        AuditEntry.entity == "his_booking", AuditEntry.action == "stop"
    )
    assert len(db.session.scalars(stops).all()) == 1
