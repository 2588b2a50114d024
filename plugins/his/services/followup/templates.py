"""Follow-up templates: create, edit, find the ones a visit matches.

Each template has a core follow-up plan of the ``his_followup`` rule (made
with it, paused with it): that is how core's engine makes the tasks of its
patients' steps. A template matches a visit when it is active, of the
visit's department or of none, and its diagnosis prefix begins one of the
visit's ICD-10 codes (or it has none); of the ordinary ones the closest
wins — the longest prefix, then the department's own — while every
matching chronic one applies, a chronic condition of the patient matching
as a diagnosis does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api import (
    FollowUpPlan,
    NotFoundError,
    User,
    check_version,
    create_followup_plan,
    db,
    load,
    refuse,
    save,
    transaction,
    translator,
)

from ...models import Department, FollowupTemplate
from .inputs import SCALE, YES_NO, FollowupTemplateChange, FollowupTemplateInput

_, _l = translator("his")

#: the core follow-up rule the templates' plans use
RULE = "his_followup"
Errors = dict[str, list[str]]


def templates_query(active_only: bool = False):
    query = select(FollowupTemplate).order_by(FollowupTemplate.name, FollowupTemplate.id)
    return query.where(FollowupTemplate.active.is_(True)) if active_only else query


def get_template(template_id: int) -> FollowupTemplate:
    found = db.session.get(FollowupTemplate, template_id)
    if found is None:
        raise NotFoundError(_("follow-up template %(id)s not found", id=template_id))
    return found


def _check(data: dict[str, Any]) -> tuple[Errors, Errors]:
    """(invalid, missing) of a template's values taken together."""
    invalid: Errors = {}
    missing: Errors = {}
    if data.get("department_id") and db.session.get(Department, data["department_id"]) is None:
        missing["department_id"] = [_("no department with this id")]
    prefix = data.get("diagnosis_prefix")
    if prefix and not (prefix[0].isalpha() and prefix.isalnum()):
        invalid["diagnosis_prefix"] = [_("an ICD-10 code or its beginning, e.g. E11")]
    if data.get("chronic"):
        if not data.get("repeat_months"):
            invalid["repeat_months"] = [_("a chronic disease is followed every N months")]
        if not prefix:
            invalid["diagnosis_prefix"] = [_("a chronic disease template names its diagnosis")]
        if data.get("offsets"):
            invalid["offsets"] = [_("a chronic disease template repeats instead")]
    else:
        offsets = data.get("offsets") or []
        if not offsets:
            invalid["offsets"] = [_("at least one day after the visit")]
        elif any(b <= a for a, b in zip(offsets, offsets[1:], strict=False)):
            invalid["offsets"] = [_("days in ascending order, each once")]
        if data.get("repeat_months"):
            invalid["repeat_months"] = [_("only a chronic disease template repeats")]
    problems = question_errors(data.get("questions") or [])
    if problems:
        invalid["questions"] = problems
    return invalid, missing


def question_errors(questions: list[dict[str, Any]]) -> list[str]:
    """What is wrong with a template's questions, each message naming one."""
    errors: list[str] = []
    seen: set[str] = set()
    for q in questions:
        key, kind, flag = q["key"], q["kind"], q.get("red_flag")
        if key in seen:
            errors.append(_("%(key)s: asked twice", key=key))
        seen.add(key)
        if kind == "choice" and len(q.get("choices") or []) < 2:
            errors.append(_("%(key)s: a choice needs at least two answers", key=key))
        if kind != "choice" and q.get("choices"):
            q["choices"] = []
        if flag and not _flag_fits(flag, kind, q.get("choices") or []):
            errors.append(_("%(key)s: this red flag does not fit the question", key=key))
    return errors


def _flag_fits(flag: dict[str, Any], kind: str, choices: list[str]) -> bool:
    if len(flag) != 1:
        return False
    ((name, value),) = flag.items()
    if kind == "yes_no":
        return name == "equals" and value in YES_NO
    if kind == "choice":
        return name == "equals" and value in choices
    if kind == "scale":
        fits = isinstance(value, int) and not isinstance(value, bool)
        return name in ("at_least", "at_most") and fits and SCALE[0] <= value <= SCALE[1]
    return False  # a free text answer raises no flag


def _team_of(department_id: int | None) -> int | None:
    department = db.session.get(Department, department_id) if department_id else None
    return department.team_id if department else None


def create_template(payload: dict, actor: User | None) -> FollowupTemplate:
    """A new template and its core plan (rule ``his_followup``)."""
    data = load(FollowupTemplateInput(), payload)
    invalid, missing = _check(data)
    refuse(invalid, missing=missing)
    with transaction():
        template = save(FollowupTemplate, None, data, actor)
        plan = create_followup_plan(
            {
                "name": template.name,
                "rule": RULE,
                "params": {"template_id": template.id},
                "team_id": _team_of(template.department_id),
                "active": template.active,
            },
            actor,
        )
        template.plan_id = plan.id
    return template


def update_template(
    template: FollowupTemplate,
    payload: dict,
    actor: User | None,
    expected_version: int | None = None,
) -> FollowupTemplate:
    """Edit a template (``active`` false pauses it and its core plan); the
    plans already made keep their steps."""
    data = load(FollowupTemplateChange(), payload)
    merged = {
        name: data.get(name, getattr(template, name))
        for name in ("department_id", "diagnosis_prefix", "chronic", "offsets", "repeat_months")
    } | {"questions": data.get("questions", [])}
    invalid, missing = _check(merged)
    refuse(invalid, missing=missing)
    check_version(template, expected_version)
    with transaction():
        template = save(FollowupTemplate, template, data, actor)
        plan = db.session.get(FollowUpPlan, template.plan_id) if template.plan_id else None
        if plan is not None:
            plan.name, plan.active = template.name, template.active
            plan.team_id = _team_of(template.department_id)
    return template


def _starts(prefix: str | None, codes: list[str]) -> bool:
    return prefix is None or any(code.startswith(prefix) for code in codes)


def _normal(codes: list[str]) -> list[str]:
    return [c.strip().upper().replace(".", "") for c in codes if c and c.strip()]


def matching_templates(
    department_id: int | None, codes: list[str], chronic_conditions: list[str]
) -> list[FollowupTemplate]:
    """The templates a visit in ``department_id`` with diagnoses ``codes``
    of a patient with ``chronic_conditions`` starts plans of: the closest
    ordinary one, and every matching chronic one."""
    codes = _normal(codes)
    conditions = codes + _normal(chronic_conditions)
    candidates = db.session.scalars(
        templates_query(active_only=True).where(
            FollowupTemplate.starts_after == "visit",
            FollowupTemplate.department_id.is_(None)
            | (FollowupTemplate.department_id == department_id),
        )
    ).all()
    ordinary = [t for t in candidates if not t.chronic and _starts(t.diagnosis_prefix, codes)]
    chosen = []
    if ordinary:
        chosen.append(
            max(
                ordinary,
                key=lambda t: (len(t.diagnosis_prefix or ""), t.department_id is not None, -t.id),
            )
        )
    chosen += [t for t in candidates if t.chronic and _starts(t.diagnosis_prefix, conditions)]
    return chosen
