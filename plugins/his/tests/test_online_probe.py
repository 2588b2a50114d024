"""The public booking page does not tell a stranger who is a patient: until
the code texted to the phone is verified, a national ID that is registered
(with another phone, with this phone, suspended, deceased) is answered the
same as one that is not — the same page, the same code texted, the same
answer to a wrong code."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.api import Message, db
from plugins.his.models import Patient

from .booking_fixtures import clinic  # noqa: F401
from .patient_fixtures import MAN_ID, WOMAN_ID

STRANGER = "13700137000"


def _register(clinic, name: str, national_id: str, phone: str | None, **fields):
    customer = clinic.patient(name, **fields)
    customer.phones = [phone] if phone else []
    row = db.session.scalar(select(Patient).where(Patient.customer_id == customer.id))
    row.national_id, row.national_id_tail = national_id, national_id[-4:]
    db.session.commit()
    return row


def _same(text: str, national_id: str) -> str:
    """The page with what the visitor typed and the per-visit tokens taken out."""
    text = text.replace(national_id, "<ID>")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text)


def _answers(app, session, national_id: str) -> tuple:
    app.extensions["trellis_limiter"].storage.reset()
    client = app.test_client()
    form = {"name": "Wang Jun", "national_id": national_id, "phone": STRANGER}
    asked = client.post(f"/his/book/session/{session.id}", data=form)
    wrong = client.post(f"/his/book/session/{session.id}/confirm", data=form | {"code": "000000"})
    texted = db.session.scalars(
        select(Message.to).where(Message.purpose == "otp").order_by(Message.id.desc()).limit(1)
    ).all()
    return (
        asked.status_code,
        _same(asked.text, national_id),
        wrong.status_code,
        _same(wrong.text, national_id),
        texted,
    )


def test_a_registered_id_is_answered_as_one_that_is_not(app, clinic):
    session = clinic.session(online=2)
    unknown = _answers(app, session, WOMAN_ID)
    assert unknown[0] == 200 and 'name="code"' in unknown[1]
    assert unknown[2] == 422 and unknown[4] == ["+8613700137000"]
    registered = _register(clinic, "Li Na", MAN_ID, "+8613900139000")
    assert _answers(app, session, MAN_ID) == unknown  # another phone, another name
    registered.customer.phones = ["+8613700137000"]
    registered.online_booking_suspended_until = clinic.tomorrow
    db.session.commit()
    assert _answers(app, session, MAN_ID) == unknown  # this phone, suspended
    registered.customer.phones, registered.online_booking_suspended_until = [], None
    registered.deceased = True
    db.session.commit()
    assert _answers(app, session, MAN_ID) == unknown  # no phone, deceased


def test_the_record_speaks_only_to_who_verified_the_code(client, clinic):
    _register(clinic, "Li Na", MAN_ID, "+8613900139000")
    session = clinic.session(online=2)
    form = {"name": "Wang Jun", "national_id": MAN_ID, "phone": STRANGER}
    assert client.post(f"/his/book/session/{session.id}", data=form).status_code == 200
    body = db.session.scalars(select(Message.body).where(Message.purpose == "otp")).one()
    code = re.search(r"\b(\d{6})\b", body)[1]
    told = client.post(f"/his/book/session/{session.id}/confirm", data=form | {"code": code})
    assert told.status_code == 422 and 'id="e-phone"' in told.text  # the phone is proven now
    assert db.session.scalars(select(Message.purpose)).all() == ["otp"]  # nothing booked
