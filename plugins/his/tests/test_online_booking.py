"""Online registration (网上挂号) by the patient, through the public pages:
real name, national ID and phone proven by a texted code; a new person
becomes a patient, a known one must give the phone the hospital has; the
desk's rules hold for the online channel — one registration per department
and day, the online quota, a stopped session, a suspension after no-shows;
the cancel link works up to the cutoff; a stop texts a rebooking link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import Message, ValidationError, db, utcnow
from plugins.his.models import Booking, Patient
from plugins.his.services import online
from plugins.his.services.bookings import cancel_deadline

from .booking_fixtures import booked, clinic  # noqa: F401
from .patient_fixtures import CHILD_ID, MAN_ID, WOMAN_ID

PHONE = "13800138000"
E164 = "+8613800138000"


def visitor(**fields) -> dict:
    return {"name": "Wang Jun", "national_id": MAN_ID, "phone": PHONE, **fields}


def texted_code(to: str = E164) -> str:
    body = db.session.scalars(
        select(Message.body)
        .where(Message.to == to, Message.purpose == "otp")
        .order_by(Message.id.desc())
        .limit(1)
    ).one()
    return re.search(r"\b(\d{6})\b", body).group(1)


def _bookings() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def _ask(client, session, **fields):
    return client.post(f"/his/book/session/{session.id}", data=visitor(**fields))


def _confirm(client, session, code, **fields):
    return client.post(
        f"/his/book/session/{session.id}/confirm", data=visitor(**fields) | {"code": code}
    )


def test_a_new_person_books_with_the_texted_code_and_becomes_a_patient(client, clinic):
    session = clinic.session(desk=2, online=2)
    assert clinic.cardiology.name in client.get("/his/book").text
    day = client.get(f"/his/book/{clinic.cardiology.id}")
    assert day.status_code == 200 and f"/his/book/session/{session.id}" in day.text
    asked = _ask(client, session)
    assert asked.status_code == 200 and 'name="code"' in asked.text
    assert _bookings() == 0
    done = _confirm(client, session, texted_code())
    assert done.status_code == 303
    slip = client.get(done.headers["Location"])
    booking = db.session.scalars(select(Booking)).one()
    assert slip.status_code == 200 and booking.number in slip.text
    assert (booking.channel, booking.slot_no, booking.status) == ("online", 3, "booked")
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == booking.customer_id))
    assert patient.national_id == MAN_ID and patient.customer.phones == [E164]
    assert patient.customer.name == "Wang Jun" and patient.sex == "M"
    confirmation = db.session.scalars(
        select(Message).where(Message.purpose == "booking", Message.to == E164)
    ).one()
    token = done.headers["Location"].split("/his/book/r/")[1].split("?")[0]
    assert booking.number in confirmation.body and token in confirmation.body


def test_a_wrong_or_reused_code_books_nothing(client, clinic):
    session = clinic.session()
    _ask(client, session)
    code = texted_code()
    wrong = _confirm(client, session, f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.status_code == 422 and 'id="e-code"' in wrong.text and _bookings() == 0
    assert _confirm(client, session, code).status_code == 303
    db.session.scalars(select(Booking)).one().status = "cancelled"  # the slot and day free again
    db.session.commit()
    again = _confirm(client, session, code)
    assert again.status_code == 422 and 'id="e-code"' in again.text and _bookings() == 1


def test_a_known_patient_is_matched_by_id_and_must_give_their_phone(client, clinic):
    known = clinic.patient("Li Na")
    known.phones = ["+8613900139000"]
    db.session.get(Patient, known.id)
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == known.id))
    patient.national_id, patient.national_id_tail = WOMAN_ID, WOMAN_ID[-4:]
    db.session.commit()
    session = clinic.session()
    # the record speaks only once the code is verified
    other = dict(name="Li Na", national_id=WOMAN_ID)
    assert _ask(client, session, **other).status_code == 200
    other_phone = _confirm(client, session, texted_code(), **other)
    assert other_phone.status_code == 422 and 'id="e-phone"' in other_phone.text
    wrong = dict(name="Li Ming", national_id=WOMAN_ID, phone="13900139000")
    assert _ask(client, session, **wrong).status_code == 200
    wrong_name = _confirm(client, session, texted_code("+8613900139000"), **wrong)
    assert wrong_name.status_code == 422 and 'id="e-name"' in wrong_name.text
    assert _bookings() == 0
    client.application.extensions["trellis_limiter"].storage.reset()
    right = dict(name="Li Na", national_id=WOMAN_ID, phone="13900139000")
    assert _ask(client, session, **right).status_code == 200
    done = _confirm(client, session, texted_code("+8613900139000"), **right)
    assert done.status_code == 303
    booking = db.session.scalars(select(Booking)).one()
    assert booking.customer_id == known.id
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 1


def test_one_registration_per_department_and_day(client, clinic):
    first = clinic.session(online=2)
    other_doctor = clinic.session(period="afternoon", online=2)
    _ask(client, first)
    assert _confirm(client, first, texted_code()).status_code == 303
    client.application.extensions["trellis_limiter"].storage.reset()
    assert _ask(client, other_doctor).status_code == 200  # the same answer as for anyone
    twice = _confirm(client, other_doctor, texted_code())
    assert twice.status_code == 409 and "already holds a registration" in twice.text
    assert _bookings() == 1


def test_a_full_online_quota_a_stopped_session_and_a_suspension_are_refused(client, clinic):
    full = clinic.session(online=1)
    booked(clinic, full, clinic.patient("Someone"), slot_no=3)
    refused = _ask(client, full)
    assert refused.status_code == 409 and "No online slot is left" in refused.text
    stopped = clinic.session(period="evening", status="stopped")
    assert _ask(client, stopped).status_code == 409
    suspended = clinic.patient("Zhao Lei", online_booking_suspended_until=clinic.tomorrow)
    suspended.phones = [E164]
    row = db.session.scalar(select(Patient).where(Patient.customer_id == suspended.id))
    row.national_id, row.national_id_tail = MAN_ID, MAN_ID[-4:]
    db.session.commit()
    open_one = clinic.session(department=clinic.dermatology, doctor=clinic.zhou)
    assert _ask(client, open_one, name="Zhao Lei").status_code == 200
    barred = _confirm(client, open_one, texted_code(), name="Zhao Lei")
    assert barred.status_code == 409 and "suspended" in barred.text
    assert _bookings() == 1
    assert db.session.scalars(select(Message.purpose)).all() == ["otp"]  # no booking texted


def test_a_child_is_sent_to_the_desk(client, clinic):
    session = clinic.session()
    assert _ask(client, session, name="Wang Xiao", national_id=CHILD_ID).status_code == 200
    answer = _confirm(client, session, texted_code(), name="Wang Xiao", national_id=CHILD_ID)
    assert answer.status_code == 422 and 'id="e-national_id"' in answer.text
    assert _bookings() == 0


def test_the_link_cancels_up_to_the_cutoff_and_not_after(client, clinic):
    session = clinic.session(day=clinic.today + timedelta(days=2))
    _ask(client, session)
    done = online.book_online(session, visitor(code=texted_code()))
    deadline = cancel_deadline(session.day, session.period)
    with pytest.raises(ValidationError):
        online.cancel_online(done.token, now=deadline + timedelta(seconds=1))
    db.session.rollback()
    assert db.session.get(Booking, done.booking.id).status == "booked"
    assert client.get(f"/his/book/r/{done.token}x").status_code == 404
    page = client.get(f"/his/book/r/{done.token}")
    assert f"/his/book/r/{done.token}/cancel" in page.text
    cancelled = client.post(f"/his/book/r/{done.token}/cancel")
    assert cancelled.status_code == 303
    db.session.expire_all()
    booking = db.session.get(Booking, done.booking.id)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "cancelled online")
    assert f"/his/book/r/{done.token}/cancel" not in client.get(f"/his/book/r/{done.token}").text
    assert utcnow() < deadline


def test_stopping_a_session_texts_its_patients_a_rebooking_link(as_user, clinic, make_user):
    session = clinic.session()
    texted, silent = clinic.patient("Wang Jun"), clinic.patient("No Phone")
    texted.phones = [E164]
    db.session.commit()
    booked(clinic, session, texted)
    booked(clinic, session, silent)
    answer = as_user(make_user(role="manager")).post(
        f"/api/v1/his/sessions/{session.id}/stop", json={"reason": "Dr Li is ill"}
    )
    assert answer.status_code == 200, answer.json
    messages = db.session.scalars(select(Message).where(Message.purpose == "booking")).all()
    assert [m.to for m in messages] == [E164] and messages[0].customer_id == texted.id
    assert "Dr Li is ill" in messages[0].body
    assert f"/his/book/{clinic.cardiology.id}" in messages[0].body
    assert messages[0].status == "sent"
