"""The figures a report charts: survey responses with the average CSAT and
the NPS, and complaints by category and state, over a period (first and
last day, both included, in the instance's time zone)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from core.api import User, db

from ...models.feedback import COMPLAINT_CATEGORIES, COMPLAINT_STATES, Complaint, Survey
from .complaints import visible_complaints
from .periods import Period, bounds
from .surveys import visible_surveys

#: NPS: 9–10 promote, 0–6 detract, 7–8 are passive
PROMOTER, DETRACTOR = 9, 6


def survey_figures(
    period: Period, department: int | None = None, user: User | None = None
) -> dict[str, Any]:
    """Surveys sent and answered in ``period`` (of ``department``, an id, if
    given; those ``user`` may see if given): ``sent``, ``responses``,
    ``csat`` (average of 1–5, two places; ``None`` without a response) and
    ``nps`` (% promoters − % detractors, one place; ``None`` likewise)."""
    start, end = bounds(period)
    sent = _scoped(select(func.count(Survey.id)), user).where(
        Survey.sent_at >= start, Survey.sent_at < end
    )
    answered = _scoped(
        select(
            func.count(Survey.id),
            func.sum(Survey.csat),
            func.sum(_when(Survey.nps >= PROMOTER)),
            func.sum(_when(Survey.nps <= DETRACTOR)),
        ),
        user,
    ).where(Survey.answered_at >= start, Survey.answered_at < end)
    if department is not None:
        sent = sent.where(Survey.department_id == department)
        answered = answered.where(Survey.department_id == department)
    responses, csat_sum, promoters, detractors = db.session.execute(answered).one()
    return {
        "sent": db.session.scalar(sent) or 0,
        "responses": responses,
        "csat": round(csat_sum / responses, 2) if responses else None,
        "nps": round(100 * ((promoters or 0) - (detractors or 0)) / responses, 1)
        if responses
        else None,
    }


def complaint_figures(period: Period, user: User | None = None) -> dict[str, Any]:
    """Complaints received in ``period`` (those ``user`` may see if given):
    ``total``, and the counts ``by_category`` and ``by_status`` (every
    category and state listed, 0 included)."""
    start, end = bounds(period)
    query = select(Complaint.category, Complaint.status, func.count(Complaint.id)).where(
        Complaint.received_at >= start, Complaint.received_at < end
    )
    if user is not None:
        query = visible_complaints(user, query)
    rows = db.session.execute(query.group_by(Complaint.category, Complaint.status)).all()
    by_category = dict.fromkeys(COMPLAINT_CATEGORIES, 0)
    by_status = dict.fromkeys(COMPLAINT_STATES, 0)
    for category, status, count in rows:
        by_category[category] = by_category.get(category, 0) + count
        by_status[status] = by_status.get(status, 0) + count
    return {"total": sum(by_category.values()), "by_category": by_category, "by_status": by_status}


def _scoped(query, user: User | None):
    return visible_surveys(user, query) if user is not None else query


def _when(condition):
    return case((condition, 1), else_=0)
