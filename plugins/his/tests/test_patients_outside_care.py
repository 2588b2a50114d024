"""The patients a doctor may not see that a number names exactly
(``outside_care``: the patients page offers to break the glass for them),
checked one patient at a time — and a look-up of one patient (checked by
itself) agrees with the list of every patient (checked against the list of
visible customers)."""

from __future__ import annotations

import pytest

from core.api import Customer, NotFoundError, db, utcnow
from plugins.his.models import Patient, Visit
from plugins.his.services.patients import find_patients, visible_patient
from plugins.his.services.patients.find import outside_care

from .patient_fixtures import MAN_ID, WOMAN_ID, hospital, man, register  # noqa: F401


@pytest.fixture
def ward(as_user, hospital):
    """Dr Li's cardiology patient, and four of Dr Zhou's in dermatology: one
    Dr Li saw, one he broke the glass for, one in the recycle bin, one
    outside his care (with an ID card number); by name, their records."""
    clerk = as_user(hospital.clerk)
    theirs = {"owner_id": hospital.zhou.id, "team_id": hospital.dermatology.id}
    rows = {"own": register(clerk, **man(hospital)).json}
    for name in ("seen", "glass", "binned"):
        rows[name] = register(
            clerk, name=f"Patient {name}", sex="F", birth_date="1990-01-01", **theirs
        ).json
    rows["outside"] = register(
        clerk, name="Patient outside", national_id=WOMAN_ID, phone="139 0000 1111", **theirs
    ).json
    patients = {name: db.session.get(Patient, row["id"]) for name, row in rows.items()}
    db.session.add(
        Visit(customer_id=patients["seen"].customer_id, department="Cardiology",
              doctor_id=hospital.li.id, visited_at=utcnow(), status="closed")
    )  # fmt: skip
    db.session.get(Customer, patients["binned"].customer_id).deleted_at = utcnow()
    db.session.commit()
    granted = as_user(hospital.li).post(
        f"/api/v1/his/patients/{patients['glass'].id}/break-glass",
        json={"reason": "Brought in unconscious, allergies unknown"},
    )
    assert granted.status_code == 201, granted.json
    return patients


def outside(q: str, user) -> list[str]:
    return [db.session.get(Customer, p.customer_id).name for p in outside_care(q, user)]


def test_outside_care_names_exactly_the_patients_the_doctor_may_not_see(hospital, ward):
    li = hospital.li
    assert outside(ward["outside"].mrn, li) == ["Patient outside"]
    assert outside(ward["outside"].mrn.lower(), li) == ["Patient outside"]
    assert outside(WOMAN_ID, li) == ["Patient outside"]  # by the ID card number
    for name in ("own", "seen", "glass"):  # in his scope, his care, his grant
        assert outside(ward[name].mrn, li) == [], name
    assert outside(MAN_ID, li) == []
    assert outside(ward["binned"].mrn, li) == []  # in the recycle bin: nobody's to open
    assert outside("Patient outside", li) == []  # a name names no one exactly
    # Dr Zhou's department owns them: only Dr Li's patient is outside his care
    assert outside(ward["own"].mrn, hospital.zhou) == ["Wang Jun"]
    assert outside(ward["outside"].mrn, hospital.zhou) == []


def test_a_look_up_sees_the_patients_the_list_shows(hospital, ward):
    """``per_row`` (a look-up) and the list are two shapes of one rule."""
    for doctor in (hospital.li, hospital.zhou):
        listed = set(db.session.scalars(find_patients(doctor).with_only_columns(Patient.id)))
        looked_up = set()
        for patient in ward.values():
            found = db.session.scalars(find_patients(doctor, patient.mrn)).all()
            looked_up |= {p.id for p in found}
            try:
                looked_up.add(visible_patient(patient.id, doctor).id)
            except NotFoundError:
                pass
        assert listed == looked_up
    assert {ward[n].id for n in ("own", "seen", "glass")} == set(
        db.session.scalars(find_patients(hospital.li).with_only_columns(Patient.id))
    )
