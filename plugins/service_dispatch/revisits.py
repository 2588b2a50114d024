"""The revisit (回访) rule: after a job is done, someone calls the customer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import Customer, DueTask, FollowUpPlan, db, translator, whole_days

from .models import WorkOrder

_, _l = translator("service_dispatch")


def revisit_params(params: dict) -> dict:
    return {"after_days": whole_days(params, "after_days", 0, 365)}


def revisit_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """One revisit per work order completed at least ``after_days`` ago,
    for the customer's owner (or the engineer when the customer is in the pool)."""
    cutoff = now - timedelta(days=plan.params["after_days"])
    rows = db.session.execute(
        select(WorkOrder.id, WorkOrder.number, WorkOrder.customer_id, WorkOrder.engineer_id,
               Customer.owner_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .where(WorkOrder.status.in_(("completed", "closed")), WorkOrder.completed_at <= cutoff,
               WorkOrder.deleted_at.is_(None), Customer.deleted_at.is_(None))
        .order_by(WorkOrder.id))
    for order_id, number, customer_id, engineer_id, owner_id in rows:
        yield DueTask(key=f"work_order:{order_id}", customer_id=customer_id,
                      owner_id=owner_id or engineer_id, due_at=now,
                      subject=_("Revisit: %(number)s", number=number),
                      link_type=WorkOrder.__tablename__, link_id=order_id)
