"""Follow-up figures for a period: how many steps came due, how many were
done, how many were lost to follow-up (失访) — the completion and
lost-to-follow-up rates the reports chart.

A step counts for the period its due day falls in. A step that never came
because its plan ended first (``stopped``) does not count; one still open
counts as due and not (yet) completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from core.api import User, db

from ...models import FollowupPlan, FollowupStep, Visit
from .plans import visible_plans


@dataclass(frozen=True)
class FollowupFigures:
    due: int
    completed: int
    lost: int
    open: int

    @property
    def completion_rate(self) -> float | None:
        """Completed of due (None when nothing came due)."""
        return self.completed / self.due if self.due else None

    @property
    def lost_rate(self) -> float | None:
        return self.lost / self.due if self.due else None


def followup_figures(
    period: tuple[date, date], department: int | None = None, user: User | None = None
) -> FollowupFigures:
    """The figures of the steps due from ``period[0]`` to ``period[1]``
    (both included), of one department's visits when given, within
    ``user``'s scope when given."""
    first, last = period

    def count(status: str):
        return func.coalesce(func.sum(case((FollowupStep.status == status, 1), else_=0)), 0)

    query = (
        select(func.count(FollowupStep.id), count("done"), count("lost"), count("due"))
        .join(FollowupPlan, FollowupPlan.id == FollowupStep.plan_id)
        .where(
            FollowupStep.due_on >= first,
            FollowupStep.due_on <= last,
            FollowupStep.status != "stopped",
        )
    )
    if department is not None:
        query = query.join(Visit, Visit.id == FollowupPlan.visit_id).where(
            Visit.department_id == department
        )
    if user is not None:
        query = visible_plans(user, query)
    due, completed, lost, still_open = db.session.execute(query).one()
    return FollowupFigures(int(due), int(completed), int(lost), int(still_open))
