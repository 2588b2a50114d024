"""The demo's patients, in both languages: people registered as the clinic
registers them — a medical record number, sex, birth date, an allergy or a
chronic condition each, and one minor with a guardian."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import db
from plugins.his.demo import load_demo
from plugins.his.models import Patient
from plugins.his.services.patients import age_on, today


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_patients_have_medical_records(locale, make_user):
    users = [make_user(role="admin"), make_user(role="his_doctor")]
    load_demo(locale, [], users)
    db.session.commit()
    patients = db.session.scalars(select(Patient).order_by(Patient.id)).all()
    assert len(patients) == 4
    assert len({p.mrn for p in patients}) == 4 and all(p.mrn.startswith("MR") for p in patients)
    assert {p.customer.kind.value for p in patients} == {"person"}
    assert all(p.sex in ("F", "M") and p.birth_date for p in patients)
    assert all(p.allergies or p.chronic_conditions for p in patients)
    minors = [p for p in patients if age_on(p.birth_date, today()) < 18]
    assert len(minors) == 1 and minors[0].guardian_name and minors[0].guardian_phone
    with_ids = [p for p in patients if p.national_id]
    assert len(with_ids) == (3 if locale == "zh_CN" else 0)
