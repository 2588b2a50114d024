"""A small clinic for the clinic tests: two departments (each made by the
service with its own team), a doctor and a nurse in cardiology, a doctor in
dermatology, a planner (manager: plans and stops sessions), an
administrator, a registration clerk and a salesman who may read nothing of
the hospital; and a patient booked into a session with plain rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import create_customer, db
from plugins.his.models import Booking, Patient
from plugins.his.services import clinic
from plugins.his.services.patients import today


@pytest.fixture
def ward(make_user):
    make_user(role="admin")  # the roles exist before the departments' teams are used
    cardiology = clinic.create_department({"code": "card", "name": "Cardiology"}, None)
    dermatology = clinic.create_department({"code": "DERM", "name": "Dermatology"}, None)
    return SimpleNamespace(
        cardiology=cardiology,
        dermatology=dermatology,
        li=make_user(role="his_doctor", team=cardiology.team, name="Dr Li"),
        nurse=make_user(role="his_nurse", team=cardiology.team, name="Nurse Wu"),
        zhou=make_user(role="his_doctor", team=dermatology.team, name="Dr Zhou"),
        planner=make_user(role="manager", name="Planner Sun"),
        admin=make_user(role="admin", name="Admin He"),
        clerk=make_user(role="his_registrar", name="Clerk Qian"),
        sales=make_user(role="sales", name="Sales Ma"),
    )


def day(n: int = 1):
    return today() + timedelta(days=n)


def session_payload(ward, **fields) -> dict:
    return {
        "department_id": ward.cardiology.id,
        "doctor_id": ward.li.id,
        "day": day().isoformat(),
        "period": "morning",
        "registration_type": "expert",
        "fee": "50.00",
        "desk_quota": 2,
        "online_quota": 2,
        **fields,
    }


def patient(name: str = "Wang Jun", team=None):
    fields = {"name": name, "kind": "person", "team_id": team.id if team is not None else None}
    customer = create_customer(fields, None).customer
    db.session.add(Patient(customer_id=customer.id, mrn=f"MR-{customer.id}"))
    db.session.commit()
    return customer


def book(session, customer, slot_no: int, channel: str = "desk", by=None, status="booked"):
    """A booking as plain rows (the booking service is another slice)."""
    row = Booking(
        session_id=session.id,
        customer_id=customer.id,
        department_id=session.department_id,
        day=session.day,
        slot_no=slot_no,
        channel=channel,
        status=status,
        number=f"R{session.id:04d}{slot_no:03d}",
        fee=Decimal("50.00"),
        currency="CNY",
        booked_by_id=by.id if by is not None else None,
    )
    db.session.add(row)
    db.session.commit()
    return row
