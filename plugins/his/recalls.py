"""Follow-up visits (随访): a task for the doctor when a recall comes due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import DueTask, FollowUpPlan, db, translator, whole_days

from .models import Visit

_, _l = translator("his")


def recall_params(params: dict) -> dict:
    return {"days_before": whole_days(params, "days_before", 0, 60, default=0)}


def recall_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """Visits whose recall date (visited_at + follow_up_days) falls within
    ``days_before`` days from now, or has passed."""
    horizon = now + timedelta(days=plan.params["days_before"])
    rows = db.session.execute(
        select(Visit.id, Visit.customer_id, Visit.doctor_id, Visit.visited_at, Visit.follow_up_days)
        .where(
            Visit.follow_up_days.is_not(None),
            Visit.deleted_at.is_(None),
            Visit.visited_at <= horizon,
        )
        .order_by(Visit.id)
    )
    for visit_id, customer_id, doctor_id, visited_at, days in rows:
        recall_at = visited_at + timedelta(days=days)
        if recall_at <= horizon:
            yield DueTask(
                key=f"visit:{visit_id}",
                customer_id=customer_id,
                owner_id=doctor_id,
                due_at=max(recall_at, now),
                subject=_("Follow-up visit"),
                link_type=Visit.__tablename__,
                link_id=visit_id,
            )
