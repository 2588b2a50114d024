"""The visits and the patients' voice, per patient.

Only live visits count: a visit in the recycle bin (``deleted_at`` set)
counts nowhere, nor does the survey sent after it.

- journey step ``his.visit`` — when the patient's first visit took place;
- ``his.last_visit_at`` — when the patient's latest visit took place
  (``visited_at``, UTC; open or signed off; none without one);
- ``his.visits_last_year`` — the patient's visits of the last 365 days,
  counted when asked (0 without one);
- ``his.open_complaints`` — the patient's complaints not closed yet: open,
  in progress or resolved but not closed (0 without one); read through the
  index on ``status``, then grouped;
- ``his.satisfaction`` — the CSAT (1–5) of the patient's latest answered
  survey, onto 0–10: ``(csat − 1) × 2.5``, so 1 is 0, 3 is 5 and 5 is 10
  (none before the first answer). The NPS answer (already 0–10) asks how
  likely the patient is to recommend the hospital, not how satisfied they
  were, so it is not used.

The visit facts group on the index on ``customer_id`` and read
``visited_at`` from the rows (no index holds the two together), or take the
last year's visits from the index on ``visited_at`` first.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, select

from core.api import utcnow

from ...models import Complaint, Survey, Visit
from ...models.feedback import COMPLAINT_STATES

#: a complaint still to be dealt with: any state but closed
OPEN_COMPLAINT = tuple(s for s in COMPLAINT_STATES if s != "closed")
LIVE = Visit.deleted_at.is_(None)


def last_visit_at() -> Select:
    """``(customer_id, when the latest visit took place)``."""
    return (
        select(Visit.customer_id, func.max(Visit.visited_at))
        .where(LIVE)
        .group_by(Visit.customer_id)
    )


def first_visit_at() -> Select:
    """``(customer_id, when the first visit took place)``."""
    return (
        select(Visit.customer_id, func.min(Visit.visited_at))
        .where(LIVE)
        .group_by(Visit.customer_id)
    )


def visits_last_year() -> Select:
    """``(customer_id, visits in the 365 days before now)``."""
    since = utcnow() - timedelta(days=365)
    return (
        select(Visit.customer_id, func.count())
        .where(Visit.visited_at >= since, LIVE)
        .group_by(Visit.customer_id)
    )


def open_complaints() -> Select:
    """``(customer_id, complaints not closed)``."""
    return (
        select(Complaint.customer_id, func.count())
        .where(Complaint.status.in_(OPEN_COMPLAINT))
        .group_by(Complaint.customer_id)
    )


def satisfaction() -> Select:
    """``(customer_id, latest CSAT on 0–10)``: the answered surveys ranked
    newest first per patient, the first kept."""
    ranked = (
        select(
            Survey.customer_id.label("customer_id"),
            Survey.csat.label("csat"),
            func.row_number()
            .over(
                partition_by=Survey.customer_id,
                order_by=(Survey.answered_at.desc(), Survey.id.desc()),
            )
            .label("rank"),
        )
        .join(Visit, Visit.id == Survey.visit_id)
        .where(Survey.answered_at.is_not(None), Survey.csat.is_not(None), LIVE)
        .subquery()
    )
    return select(ranked.c.customer_id, (ranked.c.csat - 1) * 2.5).where(ranked.c.rank == 1)
