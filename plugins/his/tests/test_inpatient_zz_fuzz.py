"""schemathesis over the inpatient operations (as ``tests/test_openapi_fuzz.py``
does over every operation): no 5xx, every status and body the document
promises, a rule across fields a 422 naming only its fields — with a
ward, a bed and an admission of id 1, so the fuzzer's ids reach the rules."""

from __future__ import annotations

from core.testing.fuzz import api_contract_failures
from plugins.his.models import Patient
from plugins.his.services import inpatient

from .booking_fixtures import clinic  # noqa: F401

PATHS = r"^/api/v1/his/(wards|beds|admissions)"


def test_the_inpatient_operations_keep_their_openapi_contract(
    live_server, clinic, make_user, make_customer, as_user
):
    from core.api import db

    admin = make_user(role="admin")
    ward = inpatient.create_ward(
        {"code": "W1", "name": "Ward", "department_id": clinic.cardiology.id}, admin
    )
    bed = inpatient.create_bed({"ward_id": ward.id, "code": "01"}, admin)
    inpatient.create_bed({"ward_id": ward.id, "code": "02"}, admin)
    customer = make_customer(kind="person", name="Fuzz patient")
    db.session.add(Patient(customer_id=customer.id, mrn="MRFUZZ1"))
    db.session.commit()
    admission = inpatient.admit(
        {"customer_id": customer.id, "department_id": clinic.cardiology.id, "ward_id": ward.id}
        | {"bed_id": bed.id, "doctor_id": clinic.li.id, "diagnosis_code": "I10"},
        admin,
    )
    assert (ward.id, bed.id, admission.id) == (1, 1, 1)
    headers = {"Authorization": as_user(admin).environ_base["HTTP_AUTHORIZATION"]}
    failures = api_contract_failures(live_server, headers, max_examples=3, path_regex=PATHS)
    assert failures == [], "\n\n".join(
        f.operation + " " + f.check + "\n" + f.text for f in failures
    )
