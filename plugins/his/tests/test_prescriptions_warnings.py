"""Prescription warnings: an allergy of the patient naming the drug (by its
name or allergen class), the same drug or generic twice in a prescription,
and a drug of another signed prescription still running. A warning blocks
signing until overridden with a reason; the override is stored and shown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import db, utcnow
from plugins.his.models import Patient, Prescription, RxOverride
from plugins.his.services.orders import allergy_matches

from .booking_fixtures import clinic  # noqa: F401
from .orders_fixtures import formulary, line, prescribe, sign  # noqa: F401
from .visit_fixtures import started


def allergic(visit, *allergies: str) -> None:
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == visit.customer_id))
    patient.allergies = list(allergies)
    db.session.commit()


def test_an_allergy_naming_the_drug_class_warns_and_blocks_signing(clinic, formulary, as_user):
    visit = started(clinic)
    allergic(visit, "Penicillin")
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.amoxicillin), line(formulary.ibuprofen))
    assert draft.status_code == 201, draft.json
    warnings = draft.json["warnings"]
    assert [(w["position"], w["kind"]) for w in warnings] == [(1, "allergy")]
    assert "Penicillin" in warnings[0]["message"]
    refused = sign(li, draft.json)
    assert refused.status_code == 422
    assert "Penicillin" in refused.json["errors"]["overrides"][0]
    stored = db.session.get(Prescription, draft.json["id"])
    db.session.refresh(stored)
    assert stored.status == "draft" and stored.signed_at is None
    assert db.session.scalars(select(RxOverride)).all() == []


def test_an_override_with_a_reason_signs_and_is_recorded(clinic, formulary, as_user):
    visit = started(clinic)
    allergic(visit, "青霉素")
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.amoxicillin)).json
    assert [w["kind"] for w in draft["warnings"]] == ["allergy"]
    signed = sign(li, draft, (1, "allergy", "skin test negative today"))
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "signed" and signed.json["warnings"] == []
    (override,) = signed.json["lines"][0]["overrides"]
    assert override["reason"] == "skin test negative today"
    assert override["kind"] == "allergy" and override["by_id"] == clinic.li.id
    assert "青霉素" in override["warning"]
    page = li.get(f"/his/visits/{visit.id}")
    assert page.status_code == 200
    assert "skin test negative today" in page.get_data(as_text=True)


def test_a_blank_reason_is_no_override(clinic, formulary, as_user):
    visit = started(clinic)
    allergic(visit, "amoxicillin")
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.amoxicillin)).json
    refused = sign(li, draft, (1, "allergy", "   "))
    assert refused.status_code == 422 and "overrides" in refused.json["errors"]
    assert db.session.get(Prescription, draft["id"]).status == "draft"


def test_an_override_of_no_warning_is_refused(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.ibuprofen)).json
    assert draft["warnings"] == []
    refused = sign(li, draft, (1, "allergy", "just in case"))
    assert refused.status_code == 422 and "overrides" in refused.json["errors"]


def test_the_same_generic_twice_in_a_prescription_is_a_duplicate(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    draft = prescribe(li, visit, line(formulary.ibuprofen), line(formulary.syrup)).json
    assert [(w["position"], w["kind"]) for w in draft["warnings"]] == [(2, "duplicate")]
    assert "line 1" in draft["warnings"][0]["message"]
    assert sign(li, draft).status_code == 422
    signed = sign(li, draft, (2, "duplicate", "syrup for the night"))
    assert signed.status_code == 200, signed.json


def test_a_running_prescription_of_the_drug_is_a_duplicate_until_it_ends(
    clinic, formulary, as_user
):
    visit = started(clinic)
    li = as_user(clinic.li)
    first = prescribe(li, visit, line(formulary.ibuprofen, days=5)).json
    assert sign(li, first).status_code == 200
    second = prescribe(li, visit, line(formulary.syrup)).json
    assert [w["kind"] for w in second["warnings"]] == ["duplicate"]
    assert first["number"] in second["warnings"][0]["message"]
    # six days later the first one has run out: no warning any more
    signed = db.session.get(Prescription, first["id"])
    signed.signed_at = utcnow() - timedelta(days=6)
    db.session.commit()
    again = li.get(f"/api/v1/his/prescriptions/{second['id']}").json
    assert again["warnings"] == []


def test_a_cancelled_prescription_does_not_count_as_running(clinic, formulary, as_user):
    visit = started(clinic)
    li = as_user(clinic.li)
    first = sign(li, prescribe(li, visit, line(formulary.ibuprofen)).json).json
    cancelled = li.post(
        f"/api/v1/his/prescriptions/{first['id']}/cancel",
        json={"version": first["version"], "reason": "wrong patient"},
    )
    assert cancelled.status_code == 200, cancelled.json
    second = prescribe(li, visit, line(formulary.ibuprofen)).json
    assert second["warnings"] == []


def test_allergy_matching_reads_names_and_classes(app, formulary):
    amox = formulary.amoxicillin
    assert allergy_matches(["penicillin"], amox) == ["penicillin"]
    assert allergy_matches(["Amoxicillin (rash)"], amox) == ["Amoxicillin (rash)"]
    assert allergy_matches(["阿莫西林"], amox) == ["阿莫西林"]
    assert allergy_matches(["sulfa", "x", ""], amox) == []
    assert allergy_matches(["penicillin"], formulary.ibuprofen) == []
