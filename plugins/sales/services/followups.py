"""Follow-up plans by customer grade (按客户等级回访), as a rule of core's
follow-up engine — the plugin has no scheduler of its own.

A plan using the rule ``sales_grade_revisit`` gives each grade a revisit
interval in days (A every 7 days, B 14, C 30, D 60 unless the plan says
otherwise). After each contact the customer's next follow-up is planned:
a task due ``interval`` days after the last contact (or after the customer
was created), for the customer's owner, unless the customer already has an
open task. Core's due job (``trellis jobs run-due``) creates the tasks; the
plan's key makes a second run create nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Select, select

from core.api import Activity, Customer, DueTask, User, db, scoped, translator, whole_days

from .access import visible_user_ids

_, _l = translator("sales")
RULE = "sales_grade_revisit"
DEFAULT_DAYS = {"A": 7, "B": 14, "C": 30, "D": 60}


def grade_params(params: dict) -> dict:
    """Days per grade: whole days from 1 to 3650; grades left out use the default."""
    unknown = set(params) - set(DEFAULT_DAYS)
    if unknown:
        raise ValueError(
            _("%(names)s: the grades are A, B, C and D", names=", ".join(sorted(unknown)))
        )
    return {
        grade: whole_days(params, grade, 1, 3650, default)
        for grade, default in DEFAULT_DAYS.items()
    }


def grade_due(plan, now: datetime) -> Iterator[DueTask]:
    """The next follow-up of every graded, owned customer without an open task."""
    has_open_task = (
        select(Activity.id)
        .where(
            Activity.customer_id == Customer.id,
            Activity.due_at.is_not(None),
            Activity.done_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .exists()
    )
    query = select(
        Customer.id,
        Customer.owner_id,
        Customer.grade,
        Customer.last_contacted_at,
        Customer.created_at,
    ).where(
        Customer.deleted_at.is_(None),
        Customer.owner_id.is_not(None),
        Customer.grade.is_not(None),
        ~has_open_task,
    )
    if plan.team_id:
        query = query.where(Customer.team_id == plan.team_id)
    for customer_id, owner_id, grade, last, created in db.session.execute(
        query.order_by(Customer.id)
    ):
        letter = getattr(grade, "value", grade)
        since = last or created
        yield DueTask(
            key=f"grade:{customer_id}:{since.isoformat(timespec='minutes')}",
            customer_id=customer_id,
            owner_id=owner_id,
            due_at=since + timedelta(days=plan.params[letter]),
            subject=_("Follow up (grade %(grade)s)", grade=letter),
        )


def overdue(user: User, now: datetime) -> Select:
    """Open tasks past their due time, oldest first: a rep's own, a manager's
    whole team's — owned by the people ``user`` may see (core's owner/done/due
    index answers it), on customers ``user`` may see."""
    tasks = (
        select(Activity)
        .join(Customer, Customer.id == Activity.customer_id)
        .where(
            Activity.owner_id.in_(visible_user_ids(user)),
            Activity.done_at.is_(None),
            Activity.due_at < now,
            Activity.deleted_at.is_(None),
        )
    )
    # the scope applies to the joined customer row, not as an IN over every visible customer
    return scoped(tasks, Customer, user).order_by(Activity.due_at, Activity.id)
