"""Registering a patient (``POST /api/v1/his/patients``): a customer of
kind person and its medical record in one transaction, numbered, the
national ID checked against sex and birth date, one patient per number, a
minor's guardian — each refusal naming its field with nothing written —
and the record edited under its version."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, text

from core.api import Activity, Customer, db
from core.testing import plugin_module
from plugins.his.models import Patient

from .patient_fixtures import (  # noqa: F401
    CHILD_BORN,
    CHILD_ID,
    MAN_BORN,
    MAN_ID,
    MASKED_MAN,
    WOMAN_ID,
    hospital,
    man,
    register,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_registering_makes_a_person_and_a_numbered_medical_record(
    as_user, hospital, register_plugin
):
    heard: list[str] = []
    register_plugin(
        plugin_module(
            "probe", trellis_his_patient_registered=lambda patient: heard.append(patient.mrn)
        )
    )
    answer = register(as_user(hospital.clerk), **man(hospital))
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert re.fullmatch(r"MR\d{4}\d{6}", body["mrn"])
    assert body["birth_date"] == "1990-03-07"  # filled in from the number
    assert (body["sex"], body["national_id"], body["name"]) == ("M", MASKED_MAN, "Wang Jun")
    assert (body["allergies"], body["chronic_conditions"]) == (["Penicillin"], ["I10"])
    customer = db.session.get(Customer, body["customer_id"])
    assert customer.kind.value == "person" and customer.phones == ["+8613800138000"]
    assert (customer.owner_id, customer.team_id) == (hospital.li.id, hospital.cardiology.id)
    patient = db.session.get(Patient, body["id"])
    assert patient.national_id == MAN_ID and patient.national_id_tail == "0038"
    stored = db.session.scalar(text("SELECT national_id FROM his_patient"))
    assert MAN_ID not in stored  # encrypted at rest
    entry = db.session.scalar(select(Activity).where(Activity.customer_id == customer.id))
    assert entry.kind == "patient_record" and body["mrn"] in entry.subject
    assert heard == [body["mrn"]]
    second = register(as_user(hospital.clerk), name="Liu Yang", sex="F", birth_date="1970-01-01")
    assert second.status_code == 201
    assert int(second.json["mrn"][-6:]) == int(body["mrn"][-6:]) + 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"national_id": "110101199003070039"}, "national_id", "check digit"),
        ({"national_id": "12345"}, "national_id", "18 characters"),
        ({"sex": "F"}, "sex", "sex"),
        ({"birth_date": "1990-03-08"}, "birth_date", "birth date"),
        ({"name": None, "national_id": None}, "name", "name"),
        ({"phone": "12"}, "phone", "phone"),
        ({"birth_date": "2999-01-01", "national_id": None}, "birth_date", "future"),
    ],
)
def test_a_bad_registration_names_its_field_and_writes_nothing(
    as_user, hospital, fields, field, words
):
    payload = {k: v for k, v in (man(hospital) | fields).items() if v is not None}
    answer = register(as_user(hospital.clerk), **payload)
    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == [field]
    assert words in answer.json["errors"][field][0]
    assert "110101199003070039" not in answer.text  # the error never repeats the number
    assert (_count(Patient), _count(Customer)) == (0, 0)


def test_a_minor_needs_a_guardian(as_user, hospital):
    clerk = as_user(hospital.clerk)
    child = {"name": "Wang Xiaomei", "national_id": CHILD_ID, "team_id": hospital.cardiology.id}
    refused = register(clerk, **child, guardian_name="Wang Jun")
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["guardian_phone"]
    assert (_count(Patient), _count(Customer)) == (0, 0)
    made = register(clerk, **child, guardian_name="Wang Jun", guardian_phone="13800138001")
    assert made.status_code == 201, made.json
    assert (made.json["sex"], made.json["birth_date"]) == ("F", CHILD_BORN)
    assert made.json["guardian_phone"] == "+8613800138001"
    dropped = as_user(hospital.clerk).patch(
        f"/api/v1/his/patients/{made.json['id']}", json={"guardian_name": None}
    )
    assert dropped.status_code == 422 and list(dropped.json["errors"]) == ["guardian_name"]


def test_one_national_id_one_patient(as_user, hospital):
    clerk = as_user(hospital.clerk)
    assert register(clerk, **man(hospital)).status_code == 201
    again = register(clerk, **man(hospital, name="Wang Jun (again)"))
    assert again.status_code == 409 and list(again.json["errors"]) == ["national_id"]
    assert (_count(Patient), _count(Customer)) == (1, 1)
    other = register(clerk, name="Zhao Li", national_id=WOMAN_ID).json
    url = f"/api/v1/his/patients/{other['id']}"
    body = {"national_id": MAN_ID, "sex": "M", "birth_date": MAN_BORN}
    clash = clerk.patch(url, json=body)
    assert clash.status_code == 409 and list(clash.json["errors"]) == ["national_id"]


def test_an_existing_person_becomes_a_patient_once(as_user, hospital, make_customer):
    clerk = as_user(hospital.clerk)
    person = make_customer(name="Sun Mei", kind="person", owner_id=hospital.li.id)
    company = make_customer(name="Acme Ltd", kind="company")
    made = register(clerk, customer_id=person.id, sex="F")
    assert made.status_code == 201 and made.json["name"] == "Sun Mei"
    assert _count(Customer) == 2  # no new customer
    twice = register(clerk, customer_id=person.id)
    assert twice.status_code == 409 and list(twice.json["errors"]) == ["customer_id"]
    firm = register(clerk, customer_id=company.id)
    assert firm.status_code == 422 and list(firm.json["errors"]) == ["customer_id"]
    unseen = register(as_user(hospital.zhou), customer_id=person.id)  # Li's, not Zhou's
    assert unseen.status_code == 404 and list(unseen.json["errors"]) == ["customer_id"]


def test_a_stale_edit_is_refused_and_writes_nothing(as_user, hospital):
    clerk = as_user(hospital.clerk)
    made = register(clerk, **man(hospital)).json
    url = f"/api/v1/his/patients/{made['id']}"
    changed = clerk.patch(url, json={"allergies": ["Aspirin"], "version": made["version"]})
    assert changed.status_code == 200 and changed.json["allergies"] == ["Aspirin"]
    stale = clerk.patch(url, json={"allergies": ["Latex"], "version": made["version"]})
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Patient, made["id"]).allergies == ["Aspirin"]
    wrong = clerk.patch(url, json={"sex": "F"})  # the number says a man
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["sex"]


def test_the_number_is_masked_unless_the_reader_may_read_it_and_reading_is_audited(
    as_user, hospital
):
    made = register(as_user(hospital.clerk), **man(hospital)).json
    url = f"/api/v1/his/patients/{made['id']}"
    assert as_user(hospital.li).get(url).json["national_id"] == MASKED_MAN  # no pii
    assert _disclosures() == []
    listed = as_user(hospital.clerk).get("/api/v1/his/patients").json["items"]
    assert [p["national_id"] for p in listed] == [MASKED_MAN]  # lists never disclose
    assert _disclosures() == []
    assert as_user(hospital.clerk).get(url).json["national_id"] == MAN_ID
    assert _disclosures() == [(hospital.clerk.id, made["id"], MASKED_MAN)]


def _disclosures() -> list[tuple]:
    """(who, which patient, what the log keeps) of each disclosure."""
    rows = db.session.execute(
        text(
            "SELECT user_id, entity_id, after FROM audit_entry"
            " WHERE entity = 'his_patient' AND action = 'disclose' ORDER BY id"
        )
    ).all()
    return [
        (u, e, (a if isinstance(a, dict) else json.loads(a))["national_id"]) for u, e, a in rows
    ]
