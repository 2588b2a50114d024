"""Follow-up (随访) for the follow-up tests: the clinic of
:mod:`.booking_fixtures` (cardiology with Dr Li and Nurse Sun, dermatology
with Dr Zhou), an administrator, templates made through the service, and
closed visits with their diagnoses as plain rows (the visit service is
another slice)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from core.api import Activity, db
from plugins.his.models import Diagnosis, FollowupStep, Visit
from plugins.his.services import followup

from .booking_fixtures import clinic  # noqa: F401

QUESTIONS = [
    {"key": "fever", "text": "Any fever?", "kind": "yes_no", "red_flag": {"equals": "yes"}},
    {"key": "pain", "text": "Pain from 0 to 10?", "kind": "scale", "red_flag": {"at_least": 8}},
    {"key": "note", "text": "Anything else?", "kind": "text"},
]


@pytest.fixture
def care(clinic, make_user):
    clinic.admin = make_user(role="admin", name="Admin He")
    clinic.sales = make_user(role="sales", name="Sales Ma")
    return clinic


def template(care, **fields):
    payload = {
        "name": "After a cardiology visit",
        "department_id": care.cardiology.id,
        "offsets": [1, 7, 30],
        "questions": QUESTIONS,
        **fields,
    }
    return followup.create_template(payload, care.admin)


def closed_visit(care, customer, codes=("I10",), department=None, doctor=None, days_ago=0):
    """A closed visit ``days_ago`` days before today (noon UTC) with ``codes``."""
    department = department or care.cardiology
    at = datetime.combine(care.today - timedelta(days=days_ago), time(12), tzinfo=UTC)
    visit = Visit(
        customer_id=customer.id,
        department=department.name,
        department_id=department.id,
        doctor_id=(doctor or care.li).id,
        team_id=department.team_id,
        visited_at=at,
        status="closed",
        closed_at=at,
    )
    db.session.add(visit)
    db.session.flush()
    for n, code in enumerate(codes):
        db.session.add(Diagnosis(visit_id=visit.id, code=code, description=code, is_primary=n == 0))
    db.session.commit()
    return visit


def task(step: FollowupStep) -> Activity:
    found = db.session.get(Activity, step.task_id)
    assert found is not None
    return found
