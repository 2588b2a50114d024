"""The patient pages: the Patients list with its one search box (in the
menu), the Register patient form — a new person, or an existing one from
the customer page's "Register as patient" — the Medical record tab with the
national ID masked unless shown (audited), and the edit and death forms,
each refusal shown by its field."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select, text

from core.api import Customer, db
from plugins.his.models import Patient

from .patient_fixtures import CHILD_ID, MAN_ID, MASKED_MAN, hospital, man, register  # noqa: F401


def _post(web, url: str, data: dict):
    """POST a form as the browser does, with the CSRF token of a page."""
    page = web.get("/his/patients").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    return web.post(url, data=data | {"csrf_token": token.group(1)})


def _disclosures() -> int:
    return db.session.scalar(text("SELECT count(*) FROM audit_entry WHERE action = 'disclose'"))


def test_the_list_finds_in_one_box_within_the_doctors_scope(as_user, login_as, hospital):
    clerk = as_user(hospital.clerk)
    wang = register(clerk, **man(hospital)).json
    register(clerk, name="Zhao Li", sex="F", team_id=hospital.dermatology.id)
    web = login_as(hospital.li)
    assert 'href="/his/patients"' in web.get("/").text  # the menu entry
    page = web.get("/his/patients").text
    assert "Wang Jun" in page and "Zhao Li" not in page and wang["mrn"] in page
    assert MASKED_MAN in page and MAN_ID not in page
    found = web.get("/his/patients", query_string={"q": wang["mrn"]}).text
    assert "Wang Jun" in found
    none = web.get("/his/patients", query_string={"q": "Zhao"}).text
    assert "Zhao Li" not in none and "No patient matches." in none


def test_registering_on_the_form_shows_each_refusal_by_its_field(login_as, hospital):
    web = login_as(hospital.clerk)
    form = web.get("/his/patients/new").text
    assert 'name="team_id"' in form and "Dr Li" in form
    assert f'<option value="{hospital.clerk.id}">' not in form  # a clerk is no clinician
    child = {
        "name": "Wang Xiaomei",
        "national_id": CHILD_ID,
        "sex": "M",
        "allergies": "Penicillin\nLatex",
        "team_id": str(hospital.cardiology.id),
    }
    refused = _post(web, "/his/patients/new", child)
    assert refused.status_code == 422
    assert 'id="e-sex"' in refused.text and 'id="e-guardian_name"' in refused.text
    assert "Penicillin\nLatex" in refused.text  # what was typed comes back
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 0
    child |= {"sex": "F", "guardian_name": "Wang Jun", "guardian_phone": "13800138000"}
    made = _post(web, "/his/patients/new", child)
    assert made.status_code == 302 and "tab=medical-record" in made.location
    patient = db.session.scalar(select(Patient))
    assert patient.allergies == ["Penicillin", "Latex"] and patient.guardian_name == "Wang Jun"
    tab = web.get(made.location).text
    assert 'id="tab-medical-record"' in tab and patient.mrn in tab and "Latex" in tab
    assert patient.customer.team_id == hospital.cardiology.id  # the department chosen
    assert "Wang Xiaomei" in login_as(hospital.li).get("/his/patients").text


def test_an_existing_person_is_registered_from_the_customer_page(login_as, hospital, make_customer):
    person = make_customer(name="Sun Mei", kind="person", owner_id=hospital.li.id)
    company = make_customer(name="Acme Ltd", kind="company", owner_id=hospital.li.id)
    web = login_as(hospital.clerk)
    action = f'href="/his/patients/new?customer_id={person.id}"'
    assert action in web.get(f"/customers/{person.id}").text
    assert "Register as patient" not in web.get(f"/customers/{company.id}").text
    form = web.get(f"/his/patients/new?customer_id={person.id}")
    assert "Sun Mei" in form.text and 'name="name"' not in form.text
    made = _post(web, f"/his/patients/new?customer_id={person.id}", {"sex": "F"})
    assert made.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2
    after = web.get(f"/customers/{person.id}").text
    assert action not in after and 'id="tab-medical-record"' in after
    assert (
        login_as(hospital.zhou).get(f"/his/patients/new?customer_id={person.id}").status_code == 404
    )


def test_the_tab_masks_the_number_and_shows_it_whole_only_audited(as_user, login_as, hospital):
    made = register(as_user(hospital.clerk), **man(hospital)).json
    url = f"/customers/{made['customer_id']}?tab=medical-record"
    doctor = login_as(hospital.li).get(url).text
    assert MASKED_MAN in doctor and MAN_ID not in doctor and "Show in full" not in doctor
    assert "Penicillin" in doctor
    assert (
        login_as(hospital.zhou)
        .get(f"/his/customers/{made['customer_id']}/medical-record")
        .status_code
        == 404
    )
    web = login_as(hospital.clerk)
    masked = web.get(url).text
    assert MASKED_MAN in masked and "Show in full" in masked and _disclosures() == 0
    shown = web.get(url + "&show=national_id").text
    assert MAN_ID in shown and _disclosures() == 1


def test_the_edit_form_keeps_the_number_refuses_by_field_and_stale_versions(
    as_user, login_as, hospital
):
    made = register(as_user(hospital.clerk), **man(hospital)).json
    web = login_as(hospital.li)
    edit = f"/his/patients/{made['id']}/edit"
    form = web.get(edit).text
    assert "Penicillin" in form and MAN_ID not in form
    base = {"sex": "M", "birth_date": "1990-03-07", "version": str(made["version"])}
    wrong = _post(web, edit, base | {"birth_date": "1990-03-08"})
    assert wrong.status_code == 422 and 'id="e-birth_date"' in wrong.text
    saved = _post(web, edit, base | {"allergies": "Aspirin", "national_id": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    patient = db.session.get(Patient, made["id"])
    assert patient.allergies == ["Aspirin"] and patient.national_id == MAN_ID
    stale = _post(web, edit, base | {"allergies": "Latex"})
    assert stale.status_code == 302 and stale.location.endswith(edit)
    db.session.expire_all()
    assert db.session.get(Patient, made["id"]).allergies == ["Aspirin"]


def test_the_death_form(as_user, login_as, hospital):
    made = register(as_user(hospital.clerk), **man(hospital)).json
    web = login_as(hospital.li)
    form_url = f"/his/patients/{made['id']}/deceased"
    assert "Day of death" in web.get(form_url).text
    future = _post(web, form_url, {"deceased_on": "2999-01-01", "version": "1"})
    assert future.status_code == 422 and 'id="e-deceased_on"' in future.text
    done = _post(web, form_url, {"deceased_on": "2026-11-30", "version": str(made["version"])})
    assert done.status_code == 302
    tab = web.get(done.location).text
    assert "Deceased on" in tab and "Record a death" not in tab
    listed = web.get("/his/patients").text
    assert "Deceased" in listed
    assert json.loads(as_user(hospital.li).get(f"/api/v1/his/patients/{made['id']}").data)[
        "deceased"
    ]
