"""Who sees a patient: a doctor their department's patients, and the
patients in their care — a visit or a live booking with them or in their
department — even when another department owns the patient; nobody else
of another department (list, search, detail, API, customer page, its tab)."""

from __future__ import annotations

from datetime import timedelta

from core.api import Team, db, utcnow
from plugins.his.models import Patient, Visit

from .booking_fixtures import booked, clinic  # noqa: F401


def dermatology_patient(clinic, name="Zhao Min"):
    """A patient owned by the dermatology department (Dr Zhou's)."""
    customer = clinic.patient(name=name)
    customer.team_id = clinic.dermatology.team_id
    db.session.commit()
    return customer


def patient_id(customer) -> int:
    return db.session.query(Patient.id).filter_by(customer_id=customer.id).scalar()


def sees(client, customer) -> dict[str, bool]:
    """Whether each way in shows ``customer``'s record to ``client``'s user."""
    pid = patient_id(customer)
    mrn = db.session.get(Patient, pid).mrn
    listed = client.get("/api/v1/his/patients?per_page=200").get_json()["items"]
    found = client.get(f"/api/v1/his/patients?q={mrn}").get_json()["items"]
    return {
        "list": any(p["id"] == pid for p in listed),
        "search": any(p["id"] == pid for p in found),
        "api": client.get(f"/api/v1/his/patients/{pid}").status_code == 200,
        "customer_api": client.get(f"/api/v1/customers/{customer.id}").status_code == 200,
    }


def page_sees(web, customer) -> dict[str, bool]:
    """The same through the pages."""
    tab = web.get(f"/his/customers/{customer.id}/medical-record")
    return {
        "page": web.get(f"/customers/{customer.id}").status_code == 200,
        "tab": tab.status_code == 200,
        "list": customer.name in web.get("/his/patients").text,
    }


def test_a_doctor_does_not_see_another_departments_patient(clinic, as_user):
    zhao = dermatology_patient(clinic)
    assert sees(as_user(clinic.li), zhao) == dict.fromkeys(
        ("list", "search", "api", "customer_api"), False
    )
    assert sees(as_user(clinic.zhou), zhao) == dict.fromkeys(
        ("list", "search", "api", "customer_api"), True
    )


def test_nor_through_the_pages(clinic, login_as):
    zhao = dermatology_patient(clinic)
    assert page_sees(login_as(clinic.li), zhao) == {"page": False, "tab": False, "list": False}


def test_a_visit_with_the_doctor_puts_the_patient_in_their_care(clinic, as_user):
    zhao = dermatology_patient(clinic)
    db.session.add(
        Visit(customer_id=zhao.id, department="Cardiology", doctor_id=clinic.li.id,
              visited_at=utcnow(), status="closed")
    )  # fmt: skip
    db.session.commit()
    assert all(sees(as_user(clinic.li), zhao).values())
    assert not any(sees(as_user(clinic.nurse), zhao).values())  # his care, not the team's


def test_a_visit_in_the_department_puts_the_patient_in_its_staffs_care(clinic, as_user):
    zhao = dermatology_patient(clinic)
    db.session.add(
        Visit(customer_id=zhao.id, department="Cardiology", team_id=clinic.cardiology.team_id,
              department_id=clinic.cardiology.id, visited_at=utcnow())
    )  # fmt: skip
    db.session.commit()
    assert all(sees(as_user(clinic.nurse), zhao).values())  # a nurse of cardiology
    assert all(sees(as_user(clinic.li), zhao).values())


def test_a_deleted_visit_puts_no_one_in_care(clinic, as_user):
    zhao = dermatology_patient(clinic)
    db.session.add(
        Visit(customer_id=zhao.id, department="Cardiology", doctor_id=clinic.li.id,
              visited_at=utcnow(), deleted_at=utcnow())
    )  # fmt: skip
    db.session.commit()
    assert not any(sees(as_user(clinic.li), zhao).values())


def test_a_live_booking_in_the_department_puts_the_patient_in_care(clinic, as_user, login_as):
    zhao = dermatology_patient(clinic)
    booking = booked(clinic, clinic.session(), zhao)  # Dr Li's cardiology session
    assert all(sees(as_user(clinic.li), zhao).values())
    assert all(sees(as_user(clinic.nurse), zhao).values())
    web = login_as(clinic.li)
    assert page_sees(web, zhao) == {"page": True, "tab": True, "list": True}
    booking.status = "cancelled"
    db.session.commit()
    assert not any(sees(as_user(clinic.li), zhao).values())


def test_a_booking_with_the_doctor_in_another_department_puts_them_in_care(clinic, as_user):
    """Dr Li holds a session of dermatology's: its patients are in his care,
    not in his cardiology colleagues'."""
    zhao = dermatology_patient(clinic)
    booked(clinic, clinic.session(department=clinic.dermatology, doctor=clinic.li), zhao)
    assert all(sees(as_user(clinic.li), zhao).values())
    assert not any(sees(as_user(clinic.nurse), zhao).values())


def test_care_widens_only_for_those_who_read_patients(clinic, as_user, make_user):
    """A sales rep of the cardiology team sees no patient the department cares for."""
    zhao = dermatology_patient(clinic)
    booked(clinic, clinic.session(), zhao)
    team = db.session.get(Team, clinic.cardiology.team_id)
    rep = make_user(role="sales", team=team)
    assert as_user(rep).get(f"/api/v1/customers/{zhao.id}").status_code == 404


def test_a_visit_long_ago_still_counts(clinic, as_user):
    zhao = dermatology_patient(clinic)
    db.session.add(
        Visit(customer_id=zhao.id, department="Cardiology", doctor_id=clinic.li.id,
              visited_at=utcnow() - timedelta(days=900), status="closed")
    )  # fmt: skip
    db.session.commit()
    assert sees(as_user(clinic.li), zhao)["api"]
