"""Two clerks registering the same national ID at once: both pass the
check, the unique index takes the first; the second is a 409 naming
``national_id`` (not a 500), with nothing of it written — through the API
and the page, registering and editing. The other clerk writes on their own
connection between this one's check and insert."""

from __future__ import annotations

import importlib
import re
import threading

from flask import current_app
from sqlalchemy import func, select

from core.api import Activity, Customer, User, db
from plugins.his.models import Patient
from plugins.his.services import patients

from .patient_fixtures import MAN_ID, WOMAN_ID, hospital, man, register  # noqa: F401

#: the module (the package's ``register`` is its function)
register_module = importlib.import_module("plugins.his.services.patients.register")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _race(monkeypatch, other_clerk):
    """The first identity check of this thread passes, then another clerk,
    on their own connection, writes and commits."""
    real = register_module.check_identity
    app = current_app._get_current_object()
    done: list[bool] = []

    def check_then_lose(data, patient):
        found = real(data, patient)
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
        return found

    monkeypatch.setattr(register_module, "check_identity", check_then_lose)


def _other_registers(clerk_id: int, national_id: str):
    def other():
        actor = db.session.get(User, clerk_id)
        patients.register({"name": "Li Other", "national_id": national_id}, actor)

    return other


def test_two_clerks_registering_one_national_id_at_once_one_wins_the_other_409(
    as_user, hospital, monkeypatch
):
    _race(monkeypatch, _other_registers(hospital.clerk.id, MAN_ID))
    customers = _count(Customer)
    answer = register(as_user(hospital.clerk), **man(hospital))
    assert answer.status_code == 409, answer.json
    assert list(answer.json["errors"]) == ["national_id"]
    db.session.expire_all()
    rows = list(db.session.scalars(select(Patient)))
    assert [p.customer.name for p in rows] == ["Li Other"]
    # nothing of the loser's: no second customer, no timeline entry of theirs
    assert _count(Customer) == customers + 1
    assert db.session.scalar(select(Customer.id).where(Customer.name == "Wang Jun")) is None
    assert _count(Activity) == 1


def test_the_registration_page_answers_the_lost_race_on_the_field(login_as, hospital, monkeypatch):
    _race(monkeypatch, _other_registers(hospital.clerk.id, MAN_ID))
    web = login_as(hospital.clerk)
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/his/patients/new").text)
    assert token is not None
    page = web.post(
        "/his/patients/new",
        data={"name": "Wang Jun", "national_id": MAN_ID, "sex": "M", "csrf_token": token[1]},
    )
    assert page.status_code == 409
    assert "another patient holds this national ID" in page.text
    assert _count(Patient) == 1


def test_editing_to_a_number_another_clerk_just_gave_is_a_409(as_user, hospital, monkeypatch):
    mine = register(as_user(hospital.clerk), **man(hospital, national_id=None, sex="M"))
    assert mine.status_code == 201, mine.json
    _race(monkeypatch, _other_registers(hospital.clerk.id, WOMAN_ID))
    answer = as_user(hospital.clerk).patch(
        f"/api/v1/his/patients/{mine.json['id']}", json={"national_id": WOMAN_ID, "sex": "F"}
    )
    assert answer.status_code == 409 and list(answer.json["errors"]) == ["national_id"]
    db.session.expire_all()
    patient = db.session.get(Patient, mine.json["id"])
    assert (patient.national_id, patient.sex) == (None, "M")


def test_the_conflict_names_the_unique_field_the_database_refused(hospital):
    class Raised(Exception):
        def __init__(self, text: str):
            super().__init__(text)
            self.orig = text

    cases = {
        "UNIQUE constraint failed: his_patient.national_id_lookup": "national_id",
        'duplicate key value violates unique constraint "uq_his_patient_mrn"': "mrn",
        'duplicate key value violates unique constraint "uq_his_patient_customer_id"': (
            "customer_id"
        ),
    }
    for text, field in cases.items():
        assert list(register_module.conflict(Raised(text)).errors) == [field]  # type: ignore[arg-type]
