"""The prescriptions API: a draft in an open visit, changed, signed (its
lines charged), cancelled (the charges voided, refused once paid); bad input
named — an unknown or retired drug, a zero quantity, a closed visit, a stale
version — with nothing written; and the scope: a doctor of another
department gets 404, a nurse reads but does not write."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import db
from plugins.his.models import Charge, Prescription, Visit

from .booking_fixtures import clinic  # noqa: F401
from .orders_fixtures import formulary, line, prescribe, sign  # noqa: F401
from .visit_fixtures import started


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_signed_prescription_is_charged_and_cancelling_voids_it(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.amoxicillin, quantity=3), note="after meals")
    assert draft.status_code == 201, draft.json
    body = draft.json
    assert body["status"] == "draft" and body["number"].startswith("RX")
    assert body["customer_id"] == visit.customer_id and body["lines"][0]["unit_price"] == "18.50"
    assert count(Charge) == 0
    signed = sign(li, body)
    assert signed.status_code == 200, signed.json
    assert signed.json["signed_at"] and signed.json["doctor_id"] == clinic.li.id
    charges = db.session.scalars(select(Charge).where(Charge.source == "prescription")).all()
    assert [(c.item_code, c.quantity, str(c.amount), c.status) for c in charges] == [
        ("AMOX500", 3, "55.50", "unpaid")
    ]
    assert charges[0].visit_id == visit.id
    again = sign(li, signed.json)
    assert again.status_code == 409 and "status" in again.json["errors"]
    cancelled = li.post(
        f"/api/v1/his/prescriptions/{body['id']}/cancel",
        json={"version": signed.json["version"], "reason": "patient declined"},
    )
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Charge, charges[0].id).status == "void"


def test_a_paid_prescription_cannot_be_cancelled(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    signed = sign(li, prescribe(li, visit, line(formulary.ibuprofen)).json).json
    charge = db.session.scalar(select(Charge).where(Charge.source_id == signed["id"]))
    charge.status = "paid"
    db.session.commit()
    refused = li.post(
        f"/api/v1/his/prescriptions/{signed['id']}/cancel",
        json={"version": signed["version"], "reason": "too late"},
    )
    assert refused.status_code == 422 and "charges" in refused.json["errors"]
    db.session.expire_all()
    assert db.session.get(Prescription, signed["id"]).status == "signed"


def test_a_draft_is_changed_with_the_version_read(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.ibuprofen)).json
    url = f"/api/v1/his/prescriptions/{draft['id']}"
    changed = li.patch(
        url, json={"version": draft["version"], "lines": [line(formulary.amoxicillin, days=7)]}
    )
    assert changed.status_code == 200, changed.json
    assert [ln["drug_code"] for ln in changed.json["lines"]] == ["AMOX500"]
    assert changed.json["version"] > draft["version"]
    stale = li.patch(url, json={"version": draft["version"], "note": "x"})
    assert stale.status_code == 409
    assert db.session.get(Prescription, draft["id"]).note is None


def test_bad_lines_are_refused_by_field_with_nothing_written(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    zero = prescribe(li, visit, line(formulary.ibuprofen, quantity=0))
    assert zero.status_code == 422 and "quantity" in zero.json["errors"]["lines"][0]
    no_dose = prescribe(li, visit, line(formulary.ibuprofen, dose="0"))
    assert no_dose.status_code == 422 and "dose" in no_dose.json["errors"]["lines"][0]
    unknown = prescribe(li, visit, line(formulary.ibuprofen, drug_id=99999))
    assert unknown.status_code == 404 and "lines" in unknown.json["errors"]
    retired = prescribe(li, visit, line(formulary.retired))
    assert retired.status_code == 409 and "lines" in retired.json["errors"]
    empty = li.post("/api/v1/his/prescriptions", json={"visit_id": visit.id, "lines": []})
    assert empty.status_code == 422 and "lines" in empty.json["errors"]
    assert count(Prescription) == 0


def test_a_closed_visit_takes_no_prescription(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.ibuprofen)).json
    db.session.get(Visit, visit.id).status = "closed"
    db.session.commit()
    refused = prescribe(li, visit, line(formulary.ibuprofen))
    assert refused.status_code == 409 and "visit_id" in refused.json["errors"]
    not_signed = sign(li, draft)
    assert not_signed.status_code == 409 and "visit_id" in not_signed.json["errors"]
    assert count(Prescription) == 1


def test_another_departments_doctor_sees_nothing_and_a_nurse_only_reads(clinic, formulary, as_user):
    visit = started(clinic)
    draft = prescribe(as_user(clinic.li), visit, line(formulary.ibuprofen)).json
    zhou = as_user(clinic.zhou)
    assert zhou.get(f"/api/v1/his/prescriptions/{draft['id']}").status_code == 404
    assert zhou.get("/api/v1/his/prescriptions").json["total"] == 0
    assert prescribe(zhou, visit, line(formulary.ibuprofen)).status_code == 404
    assert sign(zhou, draft).status_code == 404
    nurse = as_user(clinic.nurse)
    listed = nurse.get(f"/api/v1/his/prescriptions?visit_id={visit.id}")
    assert listed.status_code == 200 and listed.json["total"] == 1
    assert prescribe(nurse, visit, line(formulary.ibuprofen)).status_code == 403
    assert count(Prescription) == 1


def test_a_changed_line_needs_all_its_fields(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.ibuprofen)).json
    partial = {"drug_id": formulary.amoxicillin.id, "dose": "1"}
    refused = li.patch(
        f"/api/v1/his/prescriptions/{draft['id']}",
        json={"version": draft["version"], "lines": [partial]},
    )
    assert refused.status_code == 422 and "route" in " ".join(refused.json["errors"]["lines"])
    db.session.expire_all()
    kept = db.session.get(Prescription, draft["id"])
    assert [ln.drug_id for ln in kept.lines] == [formulary.ibuprofen.id]
