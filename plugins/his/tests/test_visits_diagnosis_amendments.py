"""A closed visit's diagnoses change only through an amendment with a
reason — add one, remove one (never the last), make another primary — which
keeps the diagnoses before and after; any other write to them is refused
naming the field, and a refused amendment changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import StaleVersionError, db
from plugins.his.models import Diagnosis, VisitAmendment
from plugins.his.services import visits

from .booking_fixtures import clinic  # noqa: F401
from .visit_fixtures import started


def _closed(clinic):
    visit = started(clinic)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    return visit


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _codes(visit) -> list[tuple[str, bool]]:
    return [(d.code, d.is_primary) for d in visits.diagnoses_of(visit)]


def test_amending_a_closed_visits_diagnoses_keeps_before_and_after(clinic, as_user):
    visit = _closed(clinic)
    li = as_user(clinic.li)
    url = f"/api/v1/his/visits/{visit.id}/diagnosis-amendments"
    add = {"action": "add", "code": "e11.9", "reason": "lab came back", "version": visit.version}
    added = li.post(url, json=add)
    assert added.status_code == 201, added.json
    assert added.json["field"] == "diagnoses" and added.json["reason"] == "lab came back"
    assert added.json["old_value"].startswith("I10 ") and "(primary)" in added.json["old_value"]
    assert "E11.9" in added.json["new_value"] and "E11.9" not in added.json["old_value"]
    db.session.expire_all()
    assert _codes(visit) == [("I10", True), ("E11.9", False)]
    diabetes = next(d for d in visits.diagnoses_of(visit) if d.code == "E11.9")
    primary = {"action": "primary", "diagnosis_id": diabetes.id, "reason": "main problem"}
    made = li.post(url, json=primary | {"version": visit.version})
    assert made.status_code == 201, made.json
    db.session.expire_all()
    assert _codes(visit) == [("E11.9", True), ("I10", False)]
    hypertension = next(d for d in visits.diagnoses_of(visit) if d.code == "I10")
    removed = li.post(
        url,
        json={"action": "remove", "diagnosis_id": hypertension.id, "reason": "ruled out"}
        | {"version": visit.version},
    )
    assert removed.status_code == 201, removed.json
    assert removed.json["new_value"].startswith("E11.9") and "I10" not in removed.json["new_value"]
    db.session.expire_all()
    assert _codes(visit) == [("E11.9", True)]
    detail = li.get(f"/api/v1/his/visits/{visit.id}").json
    assert [a["reason"] for a in detail["amendments"]] == [
        "lab came back",
        "main problem",
        "ruled out",
    ]
    assert all(
        a["field"] == "diagnoses" and a["author_id"] == clinic.li.id for a in detail["amendments"]
    )


def test_a_closed_visits_diagnoses_are_refused_otherwise_naming_the_field(clinic, as_user):
    visit = _closed(clinic)
    (only,) = visits.diagnoses_of(visit)
    li = as_user(clinic.li)
    base = f"/api/v1/his/visits/{visit.id}"
    assert li.post(f"{base}/diagnoses", json={"code": "E11.9"}).status_code == 409
    assert li.delete(f"{base}/diagnoses/{only.id}").status_code == 409
    patched = li.patch(f"{base}/diagnoses/{only.id}", json={"local_name": "x"})
    assert patched.status_code == 409 and "visit_id" in patched.json["errors"]
    url = f"{base}/diagnosis-amendments"
    version = visit.version
    cases = [
        ({"action": "add", "code": "XYZ.9", "reason": "r"}, 422, "code"),
        ({"action": "add", "code": "I10", "reason": "r"}, 422, "code"),  # recorded already
        ({"action": "add", "reason": "r"}, 422, "code"),
        ({"action": "add", "code": "E11.9", "reason": "  "}, 422, "reason"),
        ({"action": "add", "code": "E11.9"}, 422, "reason"),
        ({"action": "remove", "reason": "r"}, 422, "diagnosis_id"),
        ({"action": "remove", "diagnosis_id": only.id, "reason": "r"}, 409, "diagnosis_id"),
        ({"action": "remove", "diagnosis_id": 9999, "reason": "r"}, 404, "diagnosis_id"),
        ({"action": "primary", "diagnosis_id": only.id, "reason": "r"}, 422, "diagnosis_id"),
        ({"action": "rename", "reason": "r"}, 422, "action"),
    ]
    for body, status, field in cases:
        answer = li.post(url, json=body | {"version": version})
        assert answer.status_code == status and field in answer.json["errors"], (body, answer.json)
    stale = li.post(url, json={"action": "add", "code": "E11.9", "reason": "r", "version": 1})
    assert stale.status_code == 409
    db.session.expire_all()
    assert _codes(visit) == [("I10", True)] and _count(VisitAmendment) == 0
    assert visit.version == version


def test_an_open_visits_diagnoses_are_edited_not_amended(clinic, as_user):
    visit = started(clinic)
    answer = as_user(clinic.li).post(
        f"/api/v1/his/visits/{visit.id}/diagnosis-amendments",
        json={"action": "add", "code": "I10", "reason": "r", "version": visit.version},
    )
    assert answer.status_code == 409 and "action" in answer.json["errors"]
    assert _count(Diagnosis) == 0 and _count(VisitAmendment) == 0


def test_two_amendments_from_one_read_the_second_is_stale(clinic):
    visit = _closed(clinic)
    read = visit.version
    visits.amend_diagnoses(
        visit, {"action": "add", "code": "E11.9", "reason": "lab"}, clinic.li, read
    )
    assert visit.version == read + 1
    with pytest.raises(StaleVersionError):
        visits.amend_diagnoses(
            visit, {"action": "add", "code": "R05", "reason": "cough"}, clinic.li, read
        )
    db.session.rollback()
    assert [c for c, _ in _codes(visit)] == ["I10", "E11.9"] and _count(VisitAmendment) == 1


def test_the_visit_page_amends_the_diagnoses_with_a_reason(clinic, login_as):
    visit = _closed(clinic)
    (only,) = visits.diagnoses_of(visit)
    web = login_as(clinic.li)
    page = web.get(f"/his/visits/{visit.id}")
    assert page.status_code == 200 and "Amend the diagnoses" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    url = f"/his/visits/{visit.id}/amend-diagnoses"
    form = {"csrf_token": token, "version": visit.version, "action": "add", "code": "E11.9"}
    blank = web.post(url, data=form | {"reason": ""})
    assert blank.status_code == 422 and 'id="e-reason"' in blank.text
    last = web.post(url, data=form | {"action": "remove", "diagnosis_id": only.id, "reason": "x"})
    assert last.status_code == 409 and 'id="e-diagnosis_id"' in last.text
    assert _count(VisitAmendment) == 0
    done = web.post(url, data=form | {"reason": "lab came back"})
    assert done.status_code == 302, done.text
    shown = web.get(f"/his/visits/{visit.id}").text
    assert "lab came back" in shown and "E11.9" in shown
    assert _codes(visit) == [("I10", True), ("E11.9", False)]
