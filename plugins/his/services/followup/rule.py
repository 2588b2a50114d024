"""The ``his_followup`` rule of core's follow-up engine: a template's core
plan yields a task for each due step of its running patient plans (the
steps due today or before, no red-flag or other task made yet); core's due
job creates them once each (the key is the step) and leaves out the
patients no one may contact, the deceased among them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from core.api import DueTask, FollowUpPlan, db, translator

from ...models import FollowupPlan, FollowupStep, FollowupTemplate, Patient
from .attempts import STEP, due_key
from .plans import local_day

_, _l = translator("his")


def rule_params(params: dict) -> dict:
    """``template_id``: the follow-up template the core plan makes tasks for."""
    template_id = params.get("template_id")
    if isinstance(template_id, bool) or not isinstance(template_id, int):
        raise ValueError(_("template_id: the id of a follow-up template"))
    if db.session.get(FollowupTemplate, template_id) is None:
        raise ValueError(_("template_id: no follow-up template with this id"))
    return {"template_id": template_id}


def rule_due(plan: FollowUpPlan, now: datetime) -> Iterator[DueTask]:
    """The template's steps due by today (the instance's day)."""
    template = db.session.get(FollowupTemplate, plan.params["template_id"])
    if template is None or template.plan_id != plan.id:  # a second core plan: no double tasks
        return
    deceased = select(Patient.customer_id).where(Patient.deceased.is_(True))
    rows = db.session.execute(
        select(
            FollowupStep.id, FollowupStep.number, FollowupPlan.customer_id, FollowupPlan.owner_id
        )
        .join(FollowupPlan, FollowupPlan.id == FollowupStep.plan_id)
        .where(
            FollowupPlan.template_id == template.id,
            FollowupPlan.status == "active",
            FollowupPlan.customer_id.not_in(deceased),
            FollowupStep.status == "due",
            FollowupStep.task_id.is_(None),
            FollowupStep.due_on <= local_day(now),
        )
        .order_by(FollowupStep.due_on, FollowupStep.id)
    )
    for step_id, number, customer_id, owner_id in rows:
        yield DueTask(
            key=due_key(step_id),
            customer_id=customer_id,
            owner_id=owner_id,
            due_at=now,
            subject=_(
                "Follow-up visit: %(template)s (step %(number)d)", template=plan.name, number=number
            ),
            link_type=STEP,
            link_id=step_id,
        )
