"""Merging duplicate patients and purging one: the merged customer's
visits, bookings and waitlist places follow the survivor; of two medical
records the survivor keeps its own (with both records' allergies) and the
merged number is written down; a lone record moves; a purge deletes them
all."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core.api import Activity, db, utcnow
from plugins.his.models import Booking, ClinicSession, Department, Patient, Visit, WaitlistEntry

from .patient_fixtures import hospital, man, register  # noqa: F401

DAY = date(2026, 12, 20)


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def session_(hospital):
    """Dr Li's cardiology clinic session on DAY."""
    department = Department(code="CARD", name="Cardiology", team_id=hospital.cardiology.id)
    db.session.add(department)
    db.session.flush()
    clinic = ClinicSession(
        department_id=department.id,
        doctor_id=hospital.li.id,
        day=DAY,
        period="morning",
        fee=Decimal("20.00"),
        currency="CNY",
        desk_quota=10,
        online_quota=10,
    )
    db.session.add(clinic)
    db.session.commit()
    return clinic


def _care(customer_id: int, clinic: ClinicSession, slot: int, tag: str) -> None:
    """A visit, a booking and a waiting place of the customer."""
    db.session.add_all(
        [
            Visit(
                customer_id=customer_id,
                department="Cardiology",
                visited_at=utcnow() - timedelta(days=3),
            ),
            Booking(
                session_id=clinic.id,
                customer_id=customer_id,
                department_id=clinic.department_id,
                day=clinic.day,
                slot_no=slot,
                channel="desk",
                number=f"GH-{tag}",
                fee=clinic.fee,
                currency="CNY",
            ),
            WaitlistEntry(session_id=clinic.id, customer_id=customer_id, channel="online"),
        ]
    )
    db.session.commit()


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query) or 0


def _merge(as_user, admin, survivor_id: int, merged_id: int):
    return as_user(admin).post(
        f"/api/v1/customers/{survivor_id}/merge", json={"merge_id": merged_id}
    )


def test_of_two_records_the_survivor_keeps_its_own(as_user, admin, hospital, session_):
    clerk = as_user(hospital.clerk)
    kept = register(clerk, **man(hospital, allergies=["Penicillin"])).json
    dup = register(clerk, name="Wang Jun", sex="M", allergies=["Latex", "Penicillin"]).json
    _care(dup["customer_id"], session_, 1, "DUP")
    answer = _merge(as_user, admin, kept["customer_id"], dup["customer_id"])
    assert answer.status_code == 200, answer.json
    db.session.expire_all()
    for model in (Visit, Booking, WaitlistEntry):
        assert _count(model, customer_id=dup["customer_id"]) == 0, model.__name__
        assert _count(model, customer_id=kept["customer_id"]) == 1, model.__name__
    assert db.session.get(Patient, dup["id"]) is None
    survivor = db.session.get(Patient, kept["id"])
    assert survivor.mrn == kept["mrn"] and survivor.allergies == ["Penicillin", "Latex"]
    note = db.session.scalar(
        select(Activity.subject).where(
            Activity.customer_id == kept["customer_id"], Activity.subject.contains("merged")
        )
    )
    assert note == f"Medical record {dup['mrn']} merged into {kept['mrn']}"
    logged = db.session.scalar(
        text("SELECT after FROM audit_entry WHERE entity = 'his_patient' AND action = 'merge'")
    )
    assert (logged if isinstance(logged, dict) else json.loads(logged))["merged_mrn"] == dup["mrn"]


def test_a_lone_record_moves_to_the_survivor(as_user, admin, hospital, make_customer):
    survivor = make_customer(name="Wang Jun", kind="person", owner_id=hospital.li.id)
    dup = register(as_user(hospital.clerk), **man(hospital)).json
    assert _merge(as_user, admin, survivor.id, dup["customer_id"]).status_code == 200
    db.session.expire_all()
    moved = db.session.get(Patient, dup["id"])
    assert (moved.customer_id, moved.mrn) == (survivor.id, dup["mrn"])


def test_two_bookings_on_one_day_in_one_department_refuse_the_merge(
    as_user, admin, hospital, session_
):
    clerk = as_user(hospital.clerk)
    kept = register(clerk, **man(hospital)).json
    dup = register(clerk, name="Wang Jun", sex="M").json
    _care(kept["customer_id"], session_, 1, "KEPT")
    _care(dup["customer_id"], session_, 2, "DUP")
    refused = _merge(as_user, admin, kept["customer_id"], dup["customer_id"])
    assert refused.status_code == 409 and "booking" in str(refused.json)
    db.session.expire_all()
    assert _count(Booking, customer_id=dup["customer_id"]) == 1
    assert db.session.get(Patient, dup["id"]) is not None


def test_a_purge_deletes_the_patients_hospital_records(as_user, admin, hospital, session_):
    made = register(as_user(hospital.clerk), **man(hospital)).json
    gone = made["customer_id"]
    _care(gone, session_, 1, "GONE")
    api = as_user(admin)
    assert api.delete(f"/api/v1/customers/{gone}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{gone}").status_code == 204
    db.session.expire_all()
    for model in (Visit, Booking, WaitlistEntry, Patient):
        assert _count(model, customer_id=gone) == 0, model.__name__
