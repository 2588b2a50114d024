"""Renewal (续保): N days before a term ends, its agent gets a task.

The example of a follow-up rule driven by a date on a plugin record. A term
is due while it is in force or in grace, has not been marked lost
(``renewal_outcome``) and has no next term beyond a draft — a term quoted,
bound or issued for it takes it off, as on the renewal due list
(``services/policies/renewals.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.api import DueTask, FollowUpPlan, db, translator, whole_days

from .models import LIVE_STATES, Policy

_, _l = translator("insurance")


def renewal_params(params: dict) -> dict:
    return {"days_before": whole_days(params, "days_before", 1, 365)}


def renewal_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    horizon = (now + timedelta(days=plan.params["days_before"])).date()
    successor = aliased(Policy)
    taken = (
        select(successor.id)
        .where(
            successor.predecessor_id == Policy.id,
            successor.status.not_in(("draft", "cancelled")),
            successor.deleted_at.is_(None),
        )
        .exists()
    )
    rows = db.session.execute(
        select(Policy.id, Policy.number, Policy.customer_id, Policy.agent_id, Policy.end_date)
        .where(
            Policy.status.in_(LIVE_STATES),
            Policy.number.is_not(None),
            Policy.deleted_at.is_(None),
            Policy.renewal_outcome.is_(None),
            Policy.end_date >= now.date(),
            Policy.end_date <= horizon,
            ~taken,
        )
        .order_by(Policy.end_date, Policy.id)
    )
    for policy_id, number, customer_id, agent_id, end_date in rows:
        yield DueTask(
            key=f"policy:{policy_id}:{end_date.isoformat()}",
            customer_id=customer_id,
            owner_id=agent_id,
            due_at=now,
            subject=_("Renewal: %(number)s", number=number),
            link_type=Policy.__tablename__,
            link_id=policy_id,
        )
