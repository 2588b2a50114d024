"""The post-discharge follow-up (出院随访): a discharge starts a plan of the
department's discharge template (``starts_after = 'discharge'``, days 7
and 30), made once per department through the follow-up service, so its
core plan (rule ``his_followup``) makes the tasks as for a visit's plan;
a closed outpatient visit never matches it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.api import User, audit, db, snapshot, translator

from ...models import Admission, Department, FollowupPlan, FollowupStep, FollowupTemplate, Patient
from ..followup import create_template, local_day

_, _l = translator("his")

#: days after discharge of the post-discharge follow-up calls
OFFSETS = [7, 30]


def discharge_template(department_id: int, actor: User | None) -> FollowupTemplate:
    """The department's discharge template, made on first use."""
    found = db.session.scalar(
        select(FollowupTemplate)
        .where(
            FollowupTemplate.starts_after == "discharge",
            FollowupTemplate.department_id == department_id,
            FollowupTemplate.active.is_(True),
        )
        .order_by(FollowupTemplate.id)
    )
    if found is not None:
        return found
    department = db.session.get(Department, department_id)
    name = _("After discharge: %(department)s", department=department.name if department else "")
    template = create_template(
        {"name": name[:120], "department_id": department_id, "offsets": OFFSETS}, actor
    )
    template.starts_after = "discharge"
    db.session.flush()
    return template


def discharge_plan(admission: Admission, actor: User | None) -> FollowupPlan | None:
    """Start the plan (inside the discharge's transaction); none for a deceased patient."""
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == admission.customer_id))
    if patient is not None and patient.deceased:
        return None
    template = discharge_template(admission.department_id, actor)
    department = db.session.get(Department, admission.department_id)
    plan = FollowupPlan(
        customer_id=admission.customer_id,
        visit_id=admission.visit_id,
        template_id=template.id,
        owner_id=admission.doctor_id,
        team_id=department.team_id if department else admission.team_id,
        status="active",
    )
    db.session.add(plan)
    db.session.flush()
    assert admission.discharged_at is not None
    base = local_day(admission.discharged_at)
    for number, offset in enumerate(template.offsets or OFFSETS, 1):
        day = date.fromordinal(base.toordinal() + offset)
        db.session.add(FollowupStep(plan_id=plan.id, number=number, due_on=day, status="due"))
    db.session.flush()
    audit(actor, plan, "create", None, snapshot(plan))
    return plan
