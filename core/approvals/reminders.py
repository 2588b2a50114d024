"""Reminders through the follow-up engine: an approver whose task has waited
longer than the plan's ``hours`` gets a follow-up task (跟进任务), once per
approval task (its dedupe key). The plan is created with the first flow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from core.declarations import DueTask, FollowUpRule, RuleParam
from core.extensions import db
from core.i18n import _, _l
from core.models import ApprovalRequest, ApprovalTask, FollowUpPlan
from core.registry import current_registry

RULE = "approval_reminders"
DEFAULT_HOURS = 24


def _params(params: dict) -> dict:
    hours = params.get("hours", DEFAULT_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 720:
        raise ValueError(_("hours: a whole number of hours from 1 to 720"))
    return {"hours": hours}


def _due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    since = now - timedelta(hours=plan.params.get("hours", DEFAULT_HOURS))
    rows = db.session.execute(
        select(ApprovalTask, ApprovalRequest)
        .join(ApprovalRequest, ApprovalTask.request_id == ApprovalRequest.id)
        .where(
            ApprovalTask.status == "waiting",
            ApprovalRequest.status == "pending",
            ApprovalTask.created_at <= since,
        )
        .order_by(ApprovalTask.id)
    )
    kinds = current_registry().approvables
    for task, request in rows:
        kind = kinds.get(request.record_type)
        if kind is None:  # its plugin is disabled: the request waits
            continue
        record = db.session.get(kind.model, request.record_id)
        yield DueTask(
            key=f"approval-task:{task.id}",
            customer_id=kind.customer_id(record) if record is not None else None,
            owner_id=task.approver_id,
            due_at=now,
            subject=_("Waiting for your approval: %(title)s", title=request.title)[:200],
            link_type="approval",
            link_id=request.id,
        )


APPROVAL_RULES = [
    FollowUpRule(
        RULE,
        _l("Remind approvers of approvals waiting too long"),
        _due,
        _params,
        params=(RuleParam("hours", _l("After how many hours"), default=DEFAULT_HOURS),),
    )
]


def ensure_reminder_plan() -> None:
    """Create the reminders' follow-up plan (24 hours) unless one exists —
    paused or deleted by an admin included: their choice stands."""
    exists = db.session.scalar(select(FollowUpPlan.id).where(FollowUpPlan.rule == RULE).limit(1))
    if exists is None:
        db.session.add(
            FollowUpPlan(
                name=str(_("Approval reminders")), rule=RULE, params={"hours": DEFAULT_HOURS}
            )
        )
