"""Every read of a medical record is audited (who, which record, what; one
entry a minute per reader and thing read) and shown in the admin's audit
log by its label; a patient's data exports as JSON — every row of theirs,
nothing of another patient's — for ``his.admin`` or ``his.patient.pii``,
audited."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from core.api import AuditEntry, db, utcnow
from plugins.his.models import Patient, Visit
from plugins.his.services.privacy import audit_read

from .booking_fixtures import booked, clinic  # noqa: F401
from .test_privacy_care import patient_id


def reads() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)
        )
    )


def test_the_tab_and_the_api_audit_each_read(clinic, as_user, login_as):
    wang = clinic.patient(name="Wang Jun")
    wang.team_id = clinic.cardiology.team_id
    db.session.commit()
    pid = patient_id(wang)
    assert as_user(clinic.li).get(f"/api/v1/his/patients/{pid}").status_code == 200
    assert login_as(clinic.nurse).get(f"/his/customers/{wang.id}/medical-record").status_code == 200
    first, second = reads()
    assert (first.user_id, first.entity, first.entity_id) == (clinic.li.id, "his_patient", pid)
    assert first.after == {"what": "api_patient"}
    assert (second.user_id, second.after) == (clinic.nurse.id, {"what": "medical_record"})
    # a list reads no record
    as_user(clinic.li).get("/api/v1/his/patients")
    assert len(reads()) == 2


def test_a_read_within_a_minute_is_written_once(clinic):
    wang = clinic.patient(name="Wang Jun")
    assert audit_read(wang.id, clinic.li, "visit 1") is True
    assert audit_read(wang.id, clinic.li, "visit 1") is False
    assert audit_read(wang.id, clinic.li, "visit 2") is True  # another thing read
    assert audit_read(wang.id, clinic.zhou, "visit 1") is True  # another reader
    assert audit_read(wang.id, None, "visit 1") is False  # the system reads nothing
    earlier = reads()[0]
    earlier.created_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert audit_read(wang.id, clinic.li, "visit 1") is True
    assert len(reads()) == 4


def test_a_customer_without_a_medical_record_is_audited_as_the_customer(clinic, make_customer):
    person = make_customer(kind="person", name="Walk-in")
    assert audit_read(person.id, clinic.li, "visit 7") is True
    (entry,) = reads()
    assert (entry.entity, entry.entity_id) == ("customer", person.id)


def test_the_admin_reads_them_in_the_audit_log_by_label(clinic, login_as, make_user):
    wang = clinic.patient(name="Wang Jun")
    audit_read(wang.id, clinic.li, "medical_record")
    page = login_as(make_user(role="admin")).get("/admin/audit?action=read")
    assert page.status_code == 200
    assert "Patient" in page.text and "medical_record" in page.text and "Dr Li" in page.text


def test_the_export_holds_every_row_of_the_patient_and_none_of_another(clinic, as_user, make_user):
    wang, zhao = clinic.patient(name="Wang Jun"), clinic.patient(name="Zhao Min")
    session = clinic.session()
    mine, theirs = booked(clinic, session, wang), booked(clinic, session, zhao)
    db.session.add_all(
        [
            Visit(customer_id=wang.id, department="Cardiology", visited_at=utcnow(), summary="W"),
            Visit(customer_id=zhao.id, department="Cardiology", visited_at=utcnow(), summary="Z"),
        ]
    )
    db.session.commit()
    admin = make_user(role="admin")
    answer = as_user(admin).get(f"/api/v1/his/patients/{patient_id(wang)}/export")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["customer"]["id"] == wang.id
    tables = document["tables"]
    assert [p["customer_id"] for p in tables["his_patient"]] == [wang.id]
    assert [b["id"] for b in tables["his_booking"]] == [mine.id]
    assert [v["summary"] for v in tables["his_visit"]] == ["W"]
    text = json.dumps(document, ensure_ascii=False)
    assert "Zhao Min" not in text and theirs.number not in text
    assert "his_department" not in tables  # shared tables point at no patient
    (exported,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (exported.user_id, exported.entity_id) == (admin.id, wang.id)
    assert exported.after["tables"]["his_booking"] == 1


def test_the_export_needs_the_admin_or_the_id_permission(clinic, as_user, login_as):
    wang = clinic.patient(name="Wang Jun")
    wang.team_id = clinic.cardiology.team_id
    db.session.commit()
    pid = patient_id(wang)
    assert as_user(clinic.li).get(f"/api/v1/his/patients/{pid}/export").status_code == 403
    assert login_as(clinic.li).get(f"/his/patients/{pid}/export").status_code == 403
    page = login_as(clinic.clerk).get(f"/his/patients/{pid}/export")  # holds his.patient.pii
    assert page.status_code == 200 and "attachment" in page.headers["Content-Disposition"]
    mrn = db.session.get(Patient, pid).mrn
    assert json.loads(page.data)["tables"]["his_patient"][0]["mrn"] == mrn
