"""Follow-up plans: made after a visit closes, stopped, seen in scope.

A plan's steps are dated from the day of the visit: one per offset of its
template, or — for a chronic disease — the next one every N months, added
when the one before it is done. A deceased patient is never followed: a
new plan is refused naming ``visit_id``, and the plans of a patient whose
death is recorded stop (:func:`stop_plans_of_deceased`)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from core.api import (
    NotFoundError,
    User,
    audit,
    db,
    instance_timezone,
    load,
    refuse,
    scoped,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import (
    Department,
    Diagnosis,
    FollowupPlan,
    FollowupStep,
    FollowupTemplate,
    Patient,
    Visit,
)
from .inputs import FollowupPlanInput, FollowupStopInput
from .templates import get_template, matching_templates

_, _l = translator("his")

#: why the plans of a deceased patient stopped
DECEASED = "deceased"


def local_day(moment: datetime) -> date:
    """The day ``moment`` falls on in the instance's time zone."""
    return moment.astimezone(ZoneInfo(instance_timezone())).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def visit_codes(visit: Visit) -> list[str]:
    return list(db.session.scalars(select(Diagnosis.code).where(Diagnosis.visit_id == visit.id)))


def _patient(customer_id: int) -> Patient | None:
    return db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))


def _refuse_deceased(visit: Visit) -> None:
    patient = _patient(visit.customer_id)
    if patient is not None and patient.deceased:
        refuse(state={"visit_id": [_("the patient is deceased: no follow-up")]})


def _team(visit: Visit) -> int | None:
    department = db.session.get(Department, visit.department_id) if visit.department_id else None
    return department.team_id if department and department.team_id else visit.team_id


def _start(visit: Visit, template: FollowupTemplate, actor: User | None) -> FollowupPlan:
    """Write the plan and its first steps (inside the caller's transaction)."""
    plan = FollowupPlan(
        customer_id=visit.customer_id,
        visit_id=visit.id,
        template_id=template.id,
        owner_id=visit.doctor_id,
        team_id=_team(visit),
        status="active",
    )
    db.session.add(plan)
    db.session.flush()
    base = local_day(visit.closed_at or visit.visited_at)
    if template.chronic:
        assert template.repeat_months  # a chronic template has its interval
        days = [add_months(base, template.repeat_months)]
    else:
        days = [date.fromordinal(base.toordinal() + offset) for offset in template.offsets]
    for number, day in enumerate(days, 1):
        db.session.add(FollowupStep(plan_id=plan.id, number=number, due_on=day, status="due"))
    db.session.flush()
    audit(actor, plan, "create", None, snapshot(plan))
    return plan


def _already(visit: Visit, template: FollowupTemplate) -> bool:
    """The visit has a plan of the template, or the patient a running plan
    of the chronic one."""
    query = select(FollowupPlan.id).where(FollowupPlan.template_id == template.id)
    if template.chronic:
        query = query.where(
            FollowupPlan.customer_id == visit.customer_id, FollowupPlan.status == "active"
        )
    else:
        query = query.where(FollowupPlan.visit_id == visit.id)
    return db.session.scalar(query.limit(1)) is not None


def plan_after_visit(visit: Visit, actor: User | None = None) -> list[FollowupPlan]:
    """The plans a closed visit starts from the templates it matches (none
    for a deceased patient; none twice)."""
    patient = _patient(visit.customer_id)
    if patient is not None and patient.deceased:
        return []
    chronic = patient.chronic_conditions if patient is not None else []
    templates = matching_templates(visit.department_id, visit_codes(visit), chronic or [])
    with transaction():
        return [_start(visit, t, actor) for t in templates if not _already(visit, t)]


def start_plan(payload: dict, actor: User | None, user: User | None = None) -> FollowupPlan:
    """A plan from a visit (``user``'s scope holds it) and a chosen template."""
    data = load(FollowupPlanInput(), payload)
    visit = db.session.get(Visit, data["visit_id"])
    if visit is None or visit.deleted_at is not None or not _sees_visit(visit, user):
        refuse(missing={"visit_id": [_("no visit with this id")]})
    assert visit is not None
    template = get_template(data["template_id"])
    _refuse_deceased(visit)
    if not template.active:
        refuse(state={"template_id": [_("this template is not in use")]})
    if _already(visit, template):
        refuse(taken={"template_id": [_("the patient already has this follow-up")]})
    with transaction():
        return _start(visit, template, actor)


def _sees_visit(visit: Visit, user: User | None) -> bool:
    if user is None:
        return True
    query = scoped(
        select(Visit.id), Visit, user, owner_attr="doctor_id", customer_attr="customer_id"
    )
    return db.session.scalar(query.where(Visit.id == visit.id)) is not None


def end_plan(plan: FollowupPlan, status: str, reason: str | None, actor: User | None) -> None:
    """End a running plan: its open steps stop, their tasks are closed."""
    from .attempts import close_task

    before = snapshot(plan)
    plan.status, plan.ended_at, plan.stop_reason = status, utcnow(), reason
    for step in plan.steps:
        if step.status == "due":
            step.status, step.ended_at = "stopped", plan.ended_at
            close_task(step, actor, reason or status)
    db.session.flush()
    audit(actor, plan, status, before, snapshot(plan))


def stop_plan(plan: FollowupPlan, payload: dict, actor: User | None) -> FollowupPlan:
    """Stop a running plan with a ``reason``; an ended one is a 409."""
    data = load(FollowupStopInput(), payload)
    if plan.status != "active":
        refuse(state={"status": [_("this follow-up has already ended")]})
    with transaction():
        end_plan(plan, "stopped", data["reason"].strip(), actor)
    return plan


def stop_plans_of_deceased(customer_id: int | None = None, actor: User | None = None) -> int:
    """Stop the running plans of deceased patients (of one, with
    ``customer_id``): the daily job runs it, and recording a death may."""
    query = (
        select(FollowupPlan)
        .join(Patient, Patient.customer_id == FollowupPlan.customer_id)
        .where(FollowupPlan.status == "active", Patient.deceased.is_(True))
    )
    if customer_id is not None:
        query = query.where(FollowupPlan.customer_id == customer_id)
    plans = list(db.session.scalars(query.order_by(FollowupPlan.id)))
    with transaction():
        for plan in plans:
            end_plan(plan, "stopped", DECEASED, actor)
    return len(plans)


def visible_plans(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every plan) restricted to ``user``'s scope: the
    doctor their own patients', a department's staff its patients'."""
    query = select(FollowupPlan) if query is None else query
    return scoped(query, FollowupPlan, user, customer_attr="customer_id")


def get_plan(plan_id: int, user: User | None) -> FollowupPlan:
    found = db.session.scalar(visible_plans(user).where(FollowupPlan.id == plan_id))
    if found is None:
        raise NotFoundError(_("follow-up plan %(id)s not found", id=plan_id))
    return found


def patient_plans(user: User | None, customer_id: int) -> list[FollowupPlan]:
    """A patient's plans ``user`` may see, the newest first."""
    return list(
        db.session.scalars(
            visible_plans(user)
            .where(FollowupPlan.customer_id == customer_id)
            .order_by(FollowupPlan.id.desc())
        )
    )


def due_steps(user: User | None, until: date) -> Select:
    """The open steps due by ``until`` of the running plans ``user`` may see,
    the earliest first — a nurse's or a doctor's list of calls to make."""
    query = (
        select(FollowupStep)
        .join(FollowupPlan, FollowupPlan.id == FollowupStep.plan_id)
        .where(
            FollowupPlan.status == "active",
            FollowupStep.status == "due",
            FollowupStep.due_on <= until,
        )
        .order_by(FollowupStep.due_on, FollowupStep.id)
    )
    return visible_plans(user, query)


def run_deceased_job() -> str:
    return f"{stop_plans_of_deceased()} follow-up plans of deceased patients stopped"
