"""The visits API: start from a called registration (201, again 200),
write, diagnose with ICD-10 (a code that does not exist is a 422 naming
``code``), close, amend; the ICD-10 search; and the scope — a doctor of
another department gets 404 for everything of the visit, a nurse reads but
does not write."""

from __future__ import annotations

from core.api import db
from plugins.his.models import Diagnosis
from plugins.his.services import visits

from .booking_fixtures import clinic  # noqa: F401
from .visit_fixtures import called, started


def test_a_doctor_runs_a_visit_through_the_api(clinic, as_user):
    li = as_user(clinic.li)
    booking = called(clinic)
    made = li.post("/api/v1/his/visits", json={"booking_id": booking.id})
    assert made.status_code == 201, made.json
    visit_id = made.json["id"]
    again = li.post("/api/v1/his/visits", json={"booking_id": booking.id})
    assert (again.status_code, again.json["id"]) == (200, visit_id)
    written = li.patch(
        f"/api/v1/his/visits/{visit_id}", json={"chief_complaint": "Headache", "version": 1}
    )
    assert written.status_code == 200 and written.json["chief_complaint"] == "Headache"
    refused = li.post(f"/api/v1/his/visits/{visit_id}/close", json={"version": 2})
    assert refused.status_code == 409 and "diagnoses" in refused.json["errors"]
    added = li.post(f"/api/v1/his/visits/{visit_id}/diagnoses", json={"code": "i10"})
    assert added.status_code == 201, added.json
    assert (added.json["code"], added.json["is_primary"]) == ("I10", True)
    assert "hypertension" in added.json["description"].lower()
    closed = li.post(f"/api/v1/his/visits/{visit_id}/close", json={"version": 2})
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed" and closed.json["closed_by_id"] == clinic.li.id
    assert li.patch(f"/api/v1/his/visits/{visit_id}", json={"history": "x"}).status_code == 409
    amend = {"field": "chief_complaint", "value": "Migraine", "reason": "wrong word", "version": 3}
    amended = li.post(f"/api/v1/his/visits/{visit_id}/amendments", json=amend)
    assert amended.status_code == 201, amended.json
    detail = li.get(f"/api/v1/his/visits/{visit_id}").json
    assert detail["chief_complaint"] == "Migraine"
    assert [(a["old_value"], a["new_value"]) for a in detail["amendments"]] == [
        ("Headache", "Migraine")
    ]
    assert [d["code"] for d in detail["diagnoses"]] == ["I10"]


def test_a_code_that_does_not_exist_is_refused_naming_code(clinic, as_user):
    li = as_user(clinic.li)
    visit = started(clinic)
    for code in ("XYZ.9", "A00-A09", "I", "J06.99"):
        refused = li.post(f"/api/v1/his/visits/{visit.id}/diagnoses", json={"code": code})
        assert refused.status_code == 422 and "code" in refused.json["errors"], code
    assert db.session.query(Diagnosis).count() == 0


def test_one_primary_diagnosis(clinic):
    visit = started(clinic)
    first = visits.add_diagnosis(visit, {"code": "J06.9"}, clinic.li)
    second = visits.add_diagnosis(visit, {"code": "R50.9", "is_primary": True}, clinic.li)
    third = visits.add_diagnosis(visit, {"code": "R05", "local_name": "咳嗽"}, clinic.li)
    rows = visits.diagnoses_of(visit)
    assert [(d.id, d.is_primary) for d in rows] == [
        (second.id, True),
        (first.id, False),
        (third.id, False),
    ]
    assert third.local_name == "咳嗽"
    visits.remove_diagnosis(visit, second, clinic.li)
    assert [(d.id, d.is_primary) for d in visits.diagnoses_of(visit)] == [
        (first.id, True),
        (third.id, False),
    ]


def test_icd10_search_by_code_and_by_words(clinic, as_user):
    li = as_user(clinic.li)
    by_code = li.get("/api/v1/his/icd10?q=j06.9")
    assert by_code.status_code == 200
    assert by_code.json[0] == {
        "code": "J06.9",
        "description": "Acute upper respiratory infection, unspecified",
    }
    by_words = li.get("/api/v1/his/icd10?q=essential hypertension").json
    assert "I10" in [hit["code"] for hit in by_words]
    assert li.get("/api/v1/his/icd10?q=zzzqqq").json == []
    assert li.get("/api/v1/his/icd10").status_code == 422


def test_another_departments_doctor_gets_404(clinic, as_user):
    visit = started(clinic)
    zhou = as_user(clinic.zhou)
    assert zhou.get(f"/api/v1/his/visits/{visit.id}").status_code == 404
    assert zhou.get("/api/v1/his/visits").json["total"] == 0
    assert zhou.patch(f"/api/v1/his/visits/{visit.id}", json={"history": "x"}).status_code == 404
    diagnose = zhou.post(f"/api/v1/his/visits/{visit.id}/diagnoses", json={"code": "I10"})
    assert diagnose.status_code == 404
    assert zhou.post(f"/api/v1/his/visits/{visit.id}/close", json={"version": 1}).status_code == 404
    assert as_user(clinic.li).get("/api/v1/his/visits").json["total"] == 1


def test_another_departments_doctor_cannot_start_its_visit(clinic, as_user):
    booking = called(clinic)
    refused = as_user(clinic.zhou).post("/api/v1/his/visits", json={"booking_id": booking.id})
    assert refused.status_code == 404 and "booking_id" in refused.json["errors"]


def test_a_nurse_reads_the_departments_visits_but_does_not_write(clinic, as_user):
    visit = started(clinic)
    nurse = as_user(clinic.nurse)
    assert nurse.get(f"/api/v1/his/visits/{visit.id}").status_code == 200
    assert nurse.patch(f"/api/v1/his/visits/{visit.id}", json={"history": "x"}).status_code == 403
