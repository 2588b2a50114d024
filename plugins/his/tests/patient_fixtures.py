"""A small hospital for the patient tests: two departments (core teams),
a doctor in each (scope: their team), a registration clerk (every patient,
may read IDs), and valid resident identity card numbers with what they hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.api import Team, db

#: valid resident identity card numbers, the birth date and sex each holds
MAN_ID, MAN_BORN = "110101199003070038", "1990-03-07"
WOMAN_ID, WOMAN_BORN = "110101198202120048", "1982-02-12"
CHILD_ID, CHILD_BORN = "110105201506150027", "2015-06-15"  # a girl, under 18 until 2033
MASKED_MAN = "110***********0038"


@pytest.fixture
def hospital(make_user):
    cardiology, dermatology = Team(name="Cardiology"), Team(name="Dermatology")
    db.session.add_all([cardiology, dermatology])
    db.session.commit()
    return SimpleNamespace(
        cardiology=cardiology,
        dermatology=dermatology,
        li=make_user(role="his_doctor", team=cardiology, name="Dr Li"),
        zhou=make_user(role="his_doctor", team=dermatology, name="Dr Zhou"),
        clerk=make_user(role="his_registrar", name="Clerk Qian"),
    )


def register(client, **fields):
    """POST a registration through the API; the answer."""
    return client.post("/api/v1/his/patients", json=fields)


def man(hospital, **fields) -> dict:
    """A registration of a man in Dr Li's cardiology department."""
    return {
        "name": "Wang Jun",
        "phone": "138 0013 8000",
        "address": "1 Chang'an Avenue",
        "sex": "M",
        "national_id": MAN_ID,
        "owner_id": hospital.li.id,
        "team_id": hospital.cardiology.id,
        "allergies": ["Penicillin"],
        "chronic_conditions": ["I10"],
        **fields,
    }
