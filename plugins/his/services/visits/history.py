"""A patient's history at a glance for the doctor's workbench: allergies,
chronic conditions and the previous visits (with their diagnoses) that the
doctor may see — the same scope as the visits list."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.api import User, db

from ...models import Diagnosis, Patient, Visit
from .access import visible_visits

#: how many previous visits the workbench shows
HISTORY_SIZE = 10


@dataclass
class PastVisit:
    visit: Visit
    diagnoses: list[Diagnosis]


@dataclass
class PatientHistory:
    patient: Patient | None
    allergies: list[str] = field(default_factory=list)
    chronic_conditions: list[str] = field(default_factory=list)
    visits: list[PastVisit] = field(default_factory=list)


def diagnoses_by_visit(visit_ids: list[int]) -> dict[int, list[Diagnosis]]:
    """The diagnoses of several visits in one query, the primary first."""
    found: dict[int, list[Diagnosis]] = {v: [] for v in visit_ids}
    if visit_ids:
        rows = db.session.scalars(
            select(Diagnosis)
            .where(Diagnosis.visit_id.in_(visit_ids))
            .order_by(Diagnosis.is_primary.desc(), Diagnosis.id)
        )
        for row in rows:
            found[row.visit_id].append(row)
    return found


def patient_history(
    customer_id: int, user: User | None, *, exclude_visit_id: int | None = None
) -> PatientHistory:
    """The patient's record and their latest visits ``user`` may see."""
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    query = visible_visits(user).where(Visit.customer_id == customer_id)
    if exclude_visit_id is not None:
        query = query.where(Visit.id != exclude_visit_id)
    visits = list(
        db.session.scalars(
            query.order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(HISTORY_SIZE)
        )
    )
    diagnoses = diagnoses_by_visit([v.id for v in visits])
    return PatientHistory(
        patient=patient,
        allergies=list(patient.allergies or []) if patient else [],
        chronic_conditions=list(patient.chronic_conditions or []) if patient else [],
        visits=[PastVisit(v, diagnoses[v.id]) for v in visits],
    )
