"""Closed visits and plain survey rows for the feedback tests (the clinic
of :mod:`.booking_fixtures`)."""

from __future__ import annotations

import itertools
from datetime import datetime

from core.api import db
from plugins.his.models import Survey, Visit
from plugins.his.services import visits

from .visit_fixtures import started

_token = itertools.count(1)


def closed(clinic, name: str = "Wang Xiaoying", doctor=None, department=None) -> Visit:
    """A visit started, diagnosed and closed through the services (the
    ``his_visit_closed`` event fires)."""
    visit = started(clinic, name, doctor=doctor, department=department)
    visits.add_diagnosis(visit, {"code": "J06.9"}, doctor or clinic.li)
    visits.close_visit(visit, doctor or clinic.li)
    return visit


def survey_row(
    clinic,
    sent_at: datetime,
    department=None,
    answer: tuple[int, int] | None = None,
    answered_at: datetime | None = None,
) -> Survey:
    """A survey row sent at ``sent_at``, answered (csat, nps) at ``answered_at``."""
    department = department or clinic.cardiology
    visit = Visit(
        customer_id=clinic.patient().id,
        department=department.name,
        department_id=department.id,
        team_id=department.team_id,
        visited_at=sent_at,
        status="closed",
    )
    db.session.add(visit)
    db.session.flush()
    row = Survey(
        visit_id=visit.id,
        customer_id=visit.customer_id,
        department_id=department.id,
        team_id=department.team_id,
        token_hash=f"{next(_token):064d}",
        sent_at=sent_at,
        answered_at=answered_at or (sent_at if answer else None),
        csat=answer[0] if answer else None,
        nps=answer[1] if answer else None,
    )
    db.session.add(row)
    db.session.commit()
    return row
