"""Follow-up (随访) pages under ``/his``: the templates list and form
(``his.admin``), My follow-ups — the calls due in the user's scope — and
the call page of one step: the template's questions, the outcome, the
attempts so far. A patient's plans show on the Medical record tab through
``his/_followup_plans.html`` (the ``his_followup_plans`` template global).
A refused input is shown by its field, nothing saved."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    NotFoundError,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    require,
    translator,
)

from ..models import Department, FollowupPlan, FollowupStep
from ..services import followup
from ..services.patients import today
from .blueprint import bp
from .clinic import _refused

_, _l = translator("his")

#: calls listed on My follow-ups
DUE_LIMIT = 200
#: how far ahead My follow-ups looks
UPCOMING_DAYS = 7


def channel_labels() -> dict[str, str]:
    return {"phone": _("Phone"), "sms": _("SMS"), "visit": _("Follow-up visit in person")}


def outcome_labels() -> dict[str, str]:
    return {"reached": _("Reached"), "not_reached": _("Not reached"), "refused": _("Refused")}


def plan_status_labels() -> dict[str, str]:
    return {
        "active": _("Active"),
        "completed": _("Completed"),
        "lost": _("Lost to follow-up"),
        "stopped": _("Stopped"),
    }


def step_status_labels() -> dict[str, str]:
    return {"due": _("Due"), "done": _("Done"), "lost": _("Lost"), "stopped": _("Stopped")}


@bp.app_template_global("his_followup_plans")
def followup_plans_of(customer_id: int) -> list[FollowupPlan]:
    """A patient's follow-up plans the signed-in user may see (for the
    Medical record tab's partial); none without ``his.followup.read``."""
    if not current_user.is_authenticated or not current_user.can("his.followup.read"):
        return []
    return followup.patient_plans(current_user, customer_id)


@bp.route("/followup-templates", endpoint="followup_templates")
@login_required
def templates_list():
    """Every follow-up template, by name."""
    require("his.admin")
    rows = db.session.scalars(followup.templates_query()).all()
    departments = {d.id: d.name for d in db.session.scalars(select(Department))}
    return render_template(
        "his/followup_templates.html", rows=rows, departments=departments, channels=channel_labels()
    )


def _template_payload(schema) -> tuple[dict, dict]:
    """The posted template as the service reads it, and the form's values."""
    posted = form_payload(schema)
    values = dict(posted) | {"questions_text": request.form.get("questions_text", "")}
    offsets = request.form.get("offsets", "")
    values["offsets"] = offsets
    parts = [p.strip() for p in offsets.replace("，", ",").split(",") if p.strip()]
    posted["offsets"] = [int(p) if p.isdigit() else p for p in parts]
    try:
        posted["questions"] = followup.parse_questions(values["questions_text"])
    except ValueError as exc:
        posted["questions"] = None
        values["questions_error"] = str(exc)
    for name in ("attempts_before_lost", "repeat_months", "department_id"):
        if name in posted and posted[name] == "":
            posted[name] = None
    return posted, values


@bp.route("/followup-templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/followup-templates/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def followup_template_form(template_id: int | None):
    """Create or edit a follow-up template (``his.admin``)."""
    require("his.admin")
    found = followup.get_template(template_id) if template_id else None
    values: dict = {"channel": "phone", "attempts_before_lost": 3, "active": True}
    if found is not None:
        values = {
            k: getattr(found, k)
            for k in ("name", "department_id", "diagnosis_prefix", "chronic", "repeat_months")
        } | {
            "channel": found.channel,
            "attempts_before_lost": found.attempts_before_lost,
            "active": found.active,
            "offsets": ", ".join(str(n) for n in found.offsets),
            "questions_text": followup.questions_text(found.questions),
        }
    errors: dict = {}
    status = 200
    if request.method == "POST":
        schema = followup.FollowupTemplateChange() if found else followup.FollowupTemplateInput()
        posted, values = _template_payload(schema)
        try:
            if "questions_error" in values:
                raise ValidationError({"questions_text": [values["questions_error"]]})
            if found is None:
                saved = followup.create_template(posted, current_user)
            else:
                saved = followup.update_template(found, posted, current_user, form_version())
        except (ValidationError, StaleVersionError) as exc:
            errors, status = _refused(exc)
            if "questions" in errors:
                errors["questions_text"] = errors.pop("questions")
        else:
            flash(_("Follow-up template %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".followup_templates"))
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    return render_template(
        "his/followup_template_form.html",
        template=found,
        values=values,
        errors=errors,
        departments=[(d.id, d.name) for d in departments],
        channels=list(channel_labels().items()),
    ), status


@bp.route("/followups", endpoint="my_followups")
@login_required
def my_followups():
    """The calls due by today and in the coming week, of the running plans
    in the user's scope — overdue first."""
    require("his.followup.read")
    day = today()
    rows = db.session.scalars(
        followup.due_steps(current_user, day + timedelta(days=UPCOMING_DAYS))
        .options(
            joinedload(FollowupStep.plan).joinedload(FollowupPlan.customer),
            joinedload(FollowupStep.plan).joinedload(FollowupPlan.template),
        )
        .limit(DUE_LIMIT + 1)
    ).all()
    return render_template(
        "his/followup_due.html",
        due=[s for s in rows[:DUE_LIMIT] if s.due_on <= day],
        upcoming=[s for s in rows[:DUE_LIMIT] if s.due_on > day],
        more=len(rows) > DUE_LIMIT,
        today=day,
        channels=channel_labels(),
    )


def _visible_step(step_id: int) -> FollowupStep:
    step = db.session.get(FollowupStep, step_id)
    if step is None:
        abort(404)
    try:
        followup.get_plan(step.plan_id, current_user)
    except NotFoundError:
        abort(404)
    return step


@bp.route("/followups/steps/<int:step_id>", methods=["GET", "POST"])
@login_required
def followup_call(step_id: int):
    """The call page of a step: ask the template's questions, record the outcome."""
    require("his.followup.read")
    step = _visible_step(step_id)
    plan = step.plan
    values: dict = {}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        require("his.followup.write")
        answers = {
            q["key"]: request.form.get(f"answer.{q['key']}", "").strip()
            for q in plan.template.questions
        }
        values = {"outcome": request.form.get("outcome"), "note": request.form.get("note")}
        payload = {
            "step_id": step.id,
            "outcome": values["outcome"] or None,
            "note": (values["note"] or "").strip() or None,
            "answers": {k: v for k, v in answers.items() if v}
            if values["outcome"] == "reached"
            else {},
        }
        values["answers"] = answers
        try:
            done = followup.attempt(plan, payload, current_user)
        except ValidationError as exc:
            errors, status = _refused(exc)
        else:
            if done.doctor_task is not None:
                flash(_("A red flag: the doctor has been given a task."), "warning")
            if plan.status == "lost":
                flash(_("The patient is lost to follow-up."), "warning")
            flash(_("Contact attempt recorded."), "success")
            return redirect(url_for(".my_followups"))
    return render_template(
        "his/followup_call.html",
        step=step,
        plan=plan,
        values=values,
        errors=errors,
        attempts=followup.attempts_of(plan),
        outcomes=list(outcome_labels().items()),
        choice_options={
            q["key"]: [(c, c) for c in q.get("choices") or []] for q in plan.template.questions
        },
        outcome_names=outcome_labels(),
        channels=channel_labels(),
        step_states=step_status_labels(),
        plan_states=plan_status_labels(),
        may_write=current_user.can("his.followup.write"),
    ), status
