"""``/api/v1/his/followup-templates`` and ``/api/v1/his/followup-plans``:
follow-up visits (随访) — the templates (per department and diagnosis), the
plans a closed visit starts, their steps, and the contact attempts with
their answers.

Reading needs ``his.followup.read``; templates are written with
``his.admin``, plans and attempts with ``his.followup.write``. A plan is
seen in the caller's scope (the visit's doctor, the department's staff;
else 404). A deceased patient gets no plan and no attempt (409).
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.api import (
    Activity,
    Customer,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
)

from ..models import FollowupPlan, FollowupTemplate
from ..schemas.followup import (
    HisFollowupAttemptedOut,
    HisFollowupAttemptOut,
    HisFollowupPlanArgs,
    HisFollowupPlanOut,
    HisFollowupTemplateArgs,
    HisFollowupTemplateOut,
)
from ..services import followup
from .blueprint import bp

TEMPLATE_SORTS = {"name": FollowupTemplate.name, "id": FollowupTemplate.id}
PLAN_SORTS = {"created_at": FollowupPlan.created_at, "id": FollowupPlan.id}
_SCHEDULE = (
    ("chronic", "offsets", "repeat_months", "diagnosis_prefix"),
    "not chronic: offsets (ascending days, at least one), no repeat_months; chronic: "
    "repeat_months and diagnosis_prefix, no offsets",
)
_PREFIX = (("diagnosis_prefix",), "a letter, then letters and digits (the dot is dropped)")
_QUESTIONS = (
    ("questions",),
    "keys unique; a choice has 2+ choices; red_flag fits the kind: yes_no/choice "
    '{"equals": answer}, scale {"at_least"|"at_most": 0..10}, text none',
)
_DEPARTMENT = (("department_id",), "an existing department (404)")
_VISIT = (
    ("visit_id", "template_id"),
    "a visit in the caller's scope (404), an active template not yet used for it (409); "
    "a deceased patient: 409",
)
_ANSWERS = (
    ("answers", "outcome"),
    "answers only with outcome reached; each a question of the template, fitting its kind",
)
_STEP = (("step_id",), "a due step of the plan (409); a plan that ended, a deceased patient: 409")


class _Attempt:
    """A timeline entry with the answers given on it."""

    def __init__(self, entry: Activity, answers: list) -> None:
        self._entry, self.answers = entry, answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entry, name)


@bp.route("/followup-templates", methods=["GET"])
@bp.arguments(sorted_by(HisFollowupTemplateArgs, TEMPLATE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisFollowupTemplateOut, "HisFollowupTemplatePage"))
def list_followup_templates(args):
    """Follow-up templates by name; ``active`` and ``department_id`` filter,
    ``q`` finds by name or diagnosis prefix."""
    require("his.followup.read")
    query = followup.templates_query()
    if args.get("active") is not None:
        query = query.where(FollowupTemplate.active.is_(args["active"]))
    if args.get("department_id"):
        query = query.where(FollowupTemplate.department_id == args["department_id"])
    if args.get("q"):
        like = f"%{args['q'].strip()}%"
        query = query.where(
            FollowupTemplate.name.ilike(like) | FollowupTemplate.diagnosis_prefix.ilike(like)
        )
    return paginate(query, args, TEMPLATE_SORTS, "name")


@bp.route("/followup-templates", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": followup.FollowupTemplateInput}}},
    **field_rules(_SCHEDULE, _PREFIX, _QUESTIONS, _DEPARTMENT),
)
@bp.response(201, HisFollowupTemplateOut)
def create_followup_template():
    """Create a template (``his.admin``): when to follow up (days after the
    visit, or every N months for a chronic disease), how, what to ask and
    which answers are red flags."""
    require("his.admin")
    return followup.create_template(json_body(), current_user)


@bp.route("/followup-templates/<int:template_id>", methods=["GET"])
@bp.response(200, HisFollowupTemplateOut)
def get_followup_template(template_id: int):
    """A follow-up template."""
    require("his.followup.read")
    return followup.get_template(template_id)


@bp.route("/followup-templates/<int:template_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": followup.FollowupTemplateChange}}},
    **field_rules(_SCHEDULE, _PREFIX, _QUESTIONS, _DEPARTMENT),
)
@bp.response(200, HisFollowupTemplateOut)
def update_followup_template(template_id: int):
    """Edit a template, or pause it (``active: false``); plans already made
    keep their steps (``version``: 409 when stale)."""
    require("his.admin")
    template = followup.get_template(template_id)
    payload = json_body()
    version = expected_version(payload)
    return followup.update_template(template, payload, current_user, version)


@bp.route("/followup-plans", methods=["GET"])
@bp.arguments(sorted_by(HisFollowupPlanArgs, PLAN_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisFollowupPlanOut, "HisFollowupPlanPage"))
def list_followup_plans(args):
    """The follow-up plans in the caller's scope, newest first; filtered by
    patient (``customer_id``), visit, template and status; ``q`` finds by
    the patient's name or phone."""
    require("his.followup.read")
    query = followup.visible_plans(current_user).options(
        joinedload(FollowupPlan.customer),
        joinedload(FollowupPlan.template),
        selectinload(FollowupPlan.steps),
    )
    for name in ("customer_id", "visit_id", "template_id", "status"):
        if args.get(name) is not None:
            query = query.where(getattr(FollowupPlan, name) == args[name])
    if args.get("q"):
        found = select(Customer.id).where(search_match(Customer, args["q"].strip(), current_user))
        query = query.where(FollowupPlan.customer_id.in_(found))
    return paginate(query, args, PLAN_SORTS, "-id")


@bp.route("/followup-plans", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": followup.FollowupPlanInput}}},
    **field_rules(_VISIT),
)
@bp.response(201, HisFollowupPlanOut)
def create_followup_plan():
    """Start a plan from a visit and a template by hand (a closing visit
    starts the matching ones on its own)."""
    require("his.followup.write")
    return followup.start_plan(json_body(), current_user, current_user)


@bp.route("/followup-plans/<int:plan_id>", methods=["GET"])
@bp.response(200, HisFollowupPlanOut)
def get_followup_plan(plan_id: int):
    """A follow-up plan with its steps."""
    require("his.followup.read")
    return followup.get_plan(plan_id, current_user)


@bp.route("/followup-plans/<int:plan_id>/stop", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": followup.FollowupStopInput}}})
@bp.response(200, HisFollowupPlanOut)
def stop_followup_plan(plan_id: int):
    """Stop a running plan with a ``reason``: its open steps stop and their
    tasks close. A plan that ended: 409."""
    require("his.followup.write")
    plan = followup.get_plan(plan_id, current_user)
    return followup.stop_plan(plan, json_body(), current_user)


@bp.route("/followup-plans/<int:plan_id>/attempts", methods=["GET"])
@bp.response(200, HisFollowupAttemptOut(many=True))
def list_followup_attempts(plan_id: int):
    """The plan's contact attempts, oldest first, each with its answers."""
    require("his.followup.read")
    plan = followup.get_plan(plan_id, current_user)
    return [_Attempt(entry, answers) for entry, answers in followup.attempts_of(plan)]


@bp.route("/followup-plans/<int:plan_id>/attempts", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": followup.FollowupAttemptInput}}},
    **field_rules(_ANSWERS, _STEP),
)
@bp.response(201, HisFollowupAttemptedOut)
def record_followup_attempt(plan_id: int):
    """Record a contact attempt on the plan's due step (``step_id``, or the
    first): ``outcome`` reached (with ``answers``), not_reached or refused.
    A red-flag answer gives the visit's doctor a task due today; the
    template's number of failed attempts loses the patient (失访)."""
    require("his.followup.write")
    plan = followup.get_plan(plan_id, current_user)
    done = followup.attempt(plan, json_body(), current_user)
    return {
        "attempt": _Attempt(done.attempt, done.answers),
        "step": done.step,
        "plan_status": plan.status,
        "red_flags": done.red_flags,
        "doctor_task_id": done.doctor_task.id if done.doctor_task else None,
    }
