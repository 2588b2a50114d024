"""Inpatient (住院) demo data, in English or Chinese: a cardiology ward with
six beds — one being cleaned, one reserved — and one patient admitted
three days ago with a deposit (预交金)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import db, utcnow

from .models import Department
from .services import clinic, inpatient

WARD = {"en": "Cardiology ward", "zh_CN": "心内科病区"}


def load_inpatient(locale: str, patient, doctor, admin) -> None:
    department = db.session.scalar(select(Department).where(Department.code == "CARD"))
    if department is None:
        return
    doctor = next(iter(clinic.doctors(department)), doctor)  # the cardiologist
    ward = inpatient.create_ward(
        {"code": "CARD-W1", "name": WARD.get(locale, WARD["en"]), "department_id": department.id},
        admin,
    )
    beds = [
        inpatient.create_bed({"ward_id": ward.id, "code": f"{n:02}"}, admin) for n in range(1, 7)
    ]
    inpatient.set_bed_state(beds[4], {"state": "cleaning"}, admin)
    inpatient.set_bed_state(beds[5], {"state": "reserved"}, admin)
    inpatient.admit(
        {
            "customer_id": patient.id,
            "department_id": department.id,
            "ward_id": ward.id,
            "bed_id": beds[1].id,
            "doctor_id": doctor.id,
            "diagnosis_code": "I20.0",
            "admitted_at": (utcnow() - timedelta(days=3)).isoformat(),
            "deposit": "3000.00",
            "deposit_method": "card",
        },
        None,
    )
