"""A small outpatient clinic for the booking tests, made of plain rows:
two departments (each a core team) with a doctor each, a nurse of the
first, a registration clerk; clinic sessions today and tomorrow; patients
(a customer of kind person with a ``his_patient`` row)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import Team, db
from plugins.his.models import Booking, ClinicSession, Department, Patient
from plugins.his.services.bookings.rules import local_today

_mrn = itertools.count(1)


@pytest.fixture
def clinic(make_user, make_customer):
    cardiology_team, dermatology_team = Team(name="Cardiology"), Team(name="Dermatology")
    db.session.add_all([cardiology_team, dermatology_team])
    db.session.flush()
    cardiology = Department(code="CARD", name="Cardiology", team_id=cardiology_team.id)
    dermatology = Department(code="DERM", name="Dermatology", team_id=dermatology_team.id)
    db.session.add_all([cardiology, dermatology])
    db.session.commit()
    today = local_today()
    c = SimpleNamespace(
        today=today,
        tomorrow=today + timedelta(days=1),
        cardiology=cardiology,
        dermatology=dermatology,
        li=make_user(role="his_doctor", team=cardiology_team, name="Dr Li"),
        zhou=make_user(role="his_doctor", team=dermatology_team, name="Dr Zhou"),
        nurse=make_user(role="his_nurse", team=cardiology_team, name="Nurse Sun"),
        clerk=make_user(role="his_registrar", name="Clerk Qian"),
    )

    def session(
        department=None, doctor=None, day=None, period="morning", desk=2, online=1, **fields
    ):
        row = ClinicSession(
            department_id=(department or cardiology).id,
            doctor_id=(doctor or c.li).id,
            day=day or c.tomorrow,
            period=period,
            registration_type="general",
            fee=Decimal("12.50"),
            currency="CNY",
            desk_quota=desk,
            online_quota=online,
            **{"status": "open", **fields},
        )
        db.session.add(row)
        db.session.commit()
        return row

    def patient(name="Wang Xiaoying", **fields):
        customer = make_customer(kind="person", name=name)
        db.session.add(Patient(customer_id=customer.id, mrn=f"MRT{next(_mrn):06}", **fields))
        db.session.commit()
        return customer

    c.session, c.patient = session, patient
    return c


def booked(clinic, session, customer, status="booked", slot_no=None, **fields) -> Booking:
    """A booking row in ``status`` (plain, as the services would leave it)."""
    taken = {b.slot_no for b in db.session.query(Booking).filter_by(session_id=session.id)}
    slot = slot_no or next(n for n in itertools.count(1) if n not in taken)
    row = Booking(
        session_id=session.id,
        customer_id=customer.id,
        department_id=session.department_id,
        day=session.day,
        slot_no=slot,
        channel="desk" if slot <= session.desk_quota else "online",
        status=status,
        number=f"T{session.id}-{slot}",
        fee=session.fee,
        currency=session.currency,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
