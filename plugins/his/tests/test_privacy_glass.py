"""Break-the-glass: a doctor opens a patient outside their care only with a
reason; the access is audited, lasts the set hours, then ends; an admin
reviews the grants, unreviewed first, each once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import AuditEntry, db
from plugins.his.models import Patient

from .booking_fixtures import clinic  # noqa: F401
from .test_privacy_care import dermatology_patient, patient_id


def grants() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "break_glass")))


def glass(client, customer, reason="Unconscious in the emergency room, allergies unknown"):
    return client.post(
        f"/api/v1/his/patients/{patient_id(customer)}/break-glass", json={"reason": reason}
    )


def test_breaking_the_glass_needs_a_reason_and_changes_nothing_without(clinic, as_user):
    zhao = dermatology_patient(clinic)
    li = as_user(clinic.li)
    for reason in ("", "   ", "urgent"):
        refused = glass(li, zhao, reason)
        assert refused.status_code == 422
        assert "reason" in refused.get_json()["errors"]
    missing = li.post(f"/api/v1/his/patients/{patient_id(zhao)}/break-glass", json={})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    assert grants() == []
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 404


def test_a_reason_grants_the_patient_audited_and_only_that_patient(clinic, as_user):
    zhao, qian = dermatology_patient(clinic), dermatology_patient(clinic, name="Qian Yu")
    li = as_user(clinic.li)
    made = glass(li, zhao)
    assert made.status_code == 201
    body = made.get_json()
    assert body["customer_id"] == zhao.id and body["reviewed"] is False
    assert body["reason"].startswith("Unconscious")
    (grant,) = grants()
    assert (grant.user_id, grant.entity, grant.entity_id) == (clinic.li.id, "customer", zhao.id)
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 200
    assert li.get(f"/api/v1/customers/{zhao.id}").status_code == 200
    assert li.get(f"/api/v1/his/patients/{patient_id(qian)}").status_code == 404
    # a patient in care already needs no glass broken
    again = glass(li, zhao)
    assert again.status_code == 409 and "patient_id" in again.get_json()["errors"]


def test_the_grant_expires_after_the_set_hours(clinic, as_user):
    zhao = dermatology_patient(clinic)
    li = as_user(clinic.li)
    assert glass(li, zhao).status_code == 201
    (grant,) = grants()
    grant.created_at = grant.created_at - timedelta(hours=3, minutes=59)
    db.session.commit()
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 200
    grant.created_at = grant.created_at - timedelta(minutes=2)
    db.session.commit()
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 404


def test_the_hours_are_a_setting(clinic, as_user):
    """``break_glass_hours`` of ``[plugins_settings.his]`` (as loaded into the registry)."""
    from flask import current_app

    zhao = dermatology_patient(clinic)
    li = as_user(clinic.li)
    assert glass(li, zhao).status_code == 201
    (grant,) = grants()
    grant.created_at = grant.created_at - timedelta(minutes=90)
    db.session.commit()
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 200
    settings = current_app.extensions["trellis"].plugin_settings
    settings["his"] = {**settings.get("his", {}), "break_glass_hours": 1}
    assert li.get(f"/api/v1/his/patients/{patient_id(zhao)}").status_code == 404


def test_only_holders_of_the_permission_break_the_glass(clinic, as_user):
    zhao = dermatology_patient(clinic)
    assert glass(as_user(clinic.nurse), zhao).status_code == 403
    assert grants() == []


def test_a_patient_that_does_not_exist_is_a_404(clinic, as_user):
    li = as_user(clinic.li)
    missing = li.post("/api/v1/his/patients/999999/break-glass", json={"reason": "x" * 20})
    assert missing.status_code == 404


def test_the_admin_reviews_each_grant_once_unreviewed_first(clinic, as_user, make_user):
    zhao, qian = dermatology_patient(clinic), dermatology_patient(clinic, name="Qian Yu")
    li = as_user(clinic.li)
    first = glass(li, zhao).get_json()["id"]
    second = glass(li, qian).get_json()["id"]
    admin = as_user(make_user(role="admin"))
    assert as_user(clinic.li).get("/api/v1/his/break-glass").status_code == 403
    assert [g["id"] for g in admin.get("/api/v1/his/break-glass").get_json()] == [second, first]
    done = admin.post(f"/api/v1/his/break-glass/{second}/review", json={"note": "checked"})
    assert done.status_code == 200 and done.get_json()["reviewed"] is True
    listed = admin.get("/api/v1/his/break-glass").get_json()
    assert [(g["id"], g["reviewed"]) for g in listed] == [(first, False), (second, True)]
    again = admin.post(f"/api/v1/his/break-glass/{second}/review", json={})
    assert again.status_code == 409 and "grant" in again.get_json()["errors"]
    assert admin.post("/api/v1/his/break-glass/999999/review", json={}).status_code == 404


@pytest.mark.parametrize("locale", ["en"])
def test_the_pages_ask_why_grant_and_highlight(clinic, login_as, make_user, locale):
    zhao = dermatology_patient(clinic)
    mrn = db.session.get(Patient, patient_id(zhao)).mrn
    web = login_as(clinic.li)
    assert "Break the glass" in web.get(f"/his/patients?q={mrn}").text
    opened = web.get(f"/his/patients/{patient_id(zhao)}")
    assert opened.status_code == 302 and opened.location.endswith("/break-glass")
    form = web.get(opened.location)
    assert form.status_code == 200 and 'name="reason"' in form.text
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    short = web.post(opened.location, data={"reason": "now", "csrf_token": token})
    assert short.status_code == 422 and 'id="e-reason"' in short.text
    assert grants() == []
    done = web.post(opened.location, data={"reason": "Emergency, no relative", "csrf_token": token})
    assert done.status_code == 302 and "tab=medical-record" in done.location
    tab = web.get(f"/his/customers/{zhao.id}/medical-record")
    assert 'id="break-glass"' in tab.text and "Emergency, no relative" in tab.text
    # the nurse, without the permission, gets a 404 and no offer
    nurse = login_as(clinic.nurse)
    assert nurse.get(f"/his/patients/{patient_id(zhao)}").status_code == 404
    assert "Break the glass" not in nurse.get(f"/his/patients?q={mrn}").text
    admin = login_as(make_user(role="admin"))
    review = admin.get("/his/privacy/break-glass")
    assert "Emergency, no relative" in review.text and "Not reviewed" in review.text
    grant_id = grants()[0].id
    token = review.text.split('name="csrf_token" value="')[1].split('"')[0]
    marked = admin.post(f"/his/privacy/break-glass/{grant_id}/review", data={"csrf_token": token})
    assert marked.status_code == 302
    assert "Not reviewed" not in admin.get("/his/privacy/break-glass").text
