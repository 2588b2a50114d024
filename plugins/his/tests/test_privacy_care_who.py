"""Who the hospital plugin puts patients in care for: those who take care of
patients (``his.care``: the shipped doctor and nurse roles), and a holder of
``his.break_glass`` for their grants — not everyone who may read patients.
A manager who reads patients keeps the customer queries of their scope alone."""

from __future__ import annotations

from sqlalchemy import select

from core.api import Customer, DataScope, Role, Team, db, scoped
from plugins.his.services.privacy import customers_in_care

from .booking_fixtures import booked, clinic  # noqa: F401
from .test_privacy_care import dermatology_patient, patient_id


def role_with(name: str, *permissions: str) -> str:
    db.session.add(
        Role(name=name, permissions=["customer.read", *permissions], scope=DataScope.team)
    )
    db.session.commit()
    return name


def test_the_clinical_roles_take_care_of_patients_and_the_others_do_not(clinic, make_user):
    cardiology = db.session.get(Team, clinic.cardiology.team_id)
    manager = make_user(role="manager", team=cardiology)
    assert clinic.li.can("his.care") and clinic.nurse.can("his.care")
    assert manager.can("his.patient.read") and not manager.can("his.care")
    assert not clinic.clerk.can("his.care")
    assert customers_in_care(clinic.li) is not None
    assert customers_in_care(clinic.nurse) is not None
    assert customers_in_care(manager) is None


def test_a_manager_of_the_department_sees_no_patient_of_its_care(clinic, make_user, as_user):
    """A booking in cardiology puts a dermatology patient in cardiology's
    care: its doctor and nurse see the patient, a manager in its team does
    not, and his customer query carries no arm of the hospital's."""
    zhao = dermatology_patient(clinic)
    booked(clinic, clinic.session(), zhao)
    cardiology = db.session.get(Team, clinic.cardiology.team_id)
    manager = make_user(role="manager", team=cardiology)
    assert as_user(clinic.nurse).get(f"/api/v1/customers/{zhao.id}").status_code == 200
    assert as_user(manager).get(f"/api/v1/customers/{zhao.id}").status_code == 404
    sql = str(scoped(select(Customer.id), Customer, manager).compile(db.engine))
    assert "his_" not in sql
    assert "his_booking" in str(scoped(select(Customer.id), Customer, clinic.li).compile(db.engine))


def test_reading_patients_without_care_puts_no_one_in_care(clinic, make_user, as_user):
    zhao = dermatology_patient(clinic)
    booked(clinic, clinic.session(), zhao)
    cardiology = db.session.get(Team, clinic.cardiology.team_id)
    reader = make_user(role=role_with("his_reader", "his.patient.read"), team=cardiology)
    carer = make_user(role=role_with("his_carer", "his.patient.read", "his.care"), team=cardiology)
    assert customers_in_care(reader) is None
    assert as_user(reader).get(f"/api/v1/customers/{zhao.id}").status_code == 404
    assert as_user(carer).get(f"/api/v1/customers/{zhao.id}").status_code == 200


def test_care_without_reading_patients_puts_no_one_in_care(clinic, make_user):
    cardiology = db.session.get(Team, clinic.cardiology.team_id)
    user = make_user(role=role_with("his_blind_carer", "his.care"), team=cardiology)
    assert customers_in_care(user) is None


def test_a_glass_grant_opens_the_patient_without_care(clinic, make_user, as_user):
    """Breaking the glass is its own right: a grant opens the patient to its
    holder even if their role does not take care of patients."""
    zhao = dermatology_patient(clinic)
    cardiology = db.session.get(Team, clinic.cardiology.team_id)
    user = make_user(
        role=role_with("his_glass_only", "his.patient.read", "his.break_glass"), team=cardiology
    )
    client = as_user(user)
    assert client.get(f"/api/v1/customers/{zhao.id}").status_code == 404
    reason = "Unconscious in the emergency room, allergies unknown"
    opened = client.post(
        f"/api/v1/his/patients/{patient_id(zhao)}/break-glass", json={"reason": reason}
    )
    assert opened.status_code in (200, 201), opened.get_json()
    assert client.get(f"/api/v1/customers/{zhao.id}").status_code == 200
