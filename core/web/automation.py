"""Settings → Automation (``/admin/automation``, ``admin.automation``): the
rules (trigger, on or off, last run, failures), a rule's form (event,
condition rows, action rows with their parameters as JSON), the run log
filtered by rule or failures, and retrying a failed run by hand."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from core import automation as service
from core.automation.conditions import UNARY
from core.automation.runs import LOOP, OWN_CHANGE
from core.automation.triggers import date_field_choices
from core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
)
from core.extensions import db
from core.forms import list_page
from core.i18n import _, _l
from core.models import AutomationRule, AutomationRun, Team, User
from core.rest.auth import require
from core.schemas import is_id

bp = Blueprint("automation", __name__, url_prefix="/admin/automation")
PER_PAGE = 50
#: blank rows the form offers after the rule's own
SPARE_CONDITIONS, SPARE_ACTIONS = 3, 2
STATE_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "retry": _l("Waiting for a retry"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "skipped": _l("Skipped"),
}
STATE_TONES = {"queued": "info", "running": "warn", "retry": "warn", "done": "ok", "failed": "bad"}
REASONS = {
    LOOP: _l("Skipped: a loop (too many rules ran one another)"),
    OWN_CHANGE: _l("Skipped: the rule's own change"),
}
OP_LABELS = {
    "eq": _l("is"),
    "ne": _l("is not"),
    "in": _l("is one of (comma-separated)"),
    "contains": _l("contains"),
    "empty": _l("is empty"),
    "not_empty": _l("is not empty"),
    "gt": _l("is greater than"),
    "lt": _l("is less than"),
}
TRIGGER_LABELS = {
    "event": _l("An event happens"),
    "field_changed": _l("A field changes"),
    "schedule": _l("On a schedule"),
    "date": _l("Days before or after a date"),
}


def _rule(rule_id: int) -> AutomationRule:
    rule = db.session.get(AutomationRule, rule_id)
    if rule is None or rule.deleted_at is not None:
        abort(404)
    return rule


@bp.route("/")
@login_required
def index():
    require(service.MANAGE)
    rules = db.session.scalars(
        select(AutomationRule)
        .where(AutomationRule.deleted_at.is_(None))
        .order_by(AutomationRule.name, AutomationRule.id)
    ).all()
    ids = [r.id for r in rules]
    last = dict(
        db.session.execute(
            select(AutomationRun.rule_id, func.max(AutomationRun.created_at))
            .where(AutomationRun.rule_id.in_(ids))
            .group_by(AutomationRun.rule_id)
        ).all()
    )
    failures = dict(
        db.session.execute(
            select(AutomationRun.rule_id, func.count())
            .where(AutomationRun.rule_id.in_(ids), AutomationRun.status == "failed")
            .group_by(AutomationRun.rule_id)
        ).all()
    )
    return render_template(
        "core/admin/automation.html",
        rules=rules,
        last_run=last,
        failures=failures,
        triggers=TRIGGER_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:automation_rule_id>", methods=["GET", "POST"])
@login_required
def form(automation_rule_id: int | None = None):
    require(service.MANAGE)
    rule = _rule(automation_rule_id) if automation_rule_id else None
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = (
        _values(rule)
        if rule
        else {"active": True, "trigger": {"kind": "event"}, "conditions": [], "actions": []}
    )
    status = 200
    if request.method == "POST":
        values, errors = form_values(request.form)
        if not errors:
            try:
                saved = service.save_rule(values, rule, current_user)
            except ValidationError as exc:
                db.session.rollback()
                errors, status = exc.errors, exc.status
            except (StaleVersionError, ForbiddenError) as exc:
                db.session.rollback()
                errors, status = {"_schema": [str(exc)]}, 409
            else:
                flash(_("Rule %(name)s saved.", name=saved.name), "success")
                return redirect(url_for(".form", automation_rule_id=saved.id))
        else:
            status = 422
    events = service.events()
    return render_template(
        "core/admin/automation_form.html",
        rule=rule,
        values=values,
        errors=errors,
        events=events,
        field_names=sorted({f for e in events if e.entity for f in e.entity.fields()}),
        record_types=service.record_types(),
        date_fields={n: date_field_choices(e) for n, e in service.record_types().items()},
        actions=service.all_actions(),
        ops=OP_LABELS,
        triggers=TRIGGER_LABELS,
        conditions=[*values["conditions"], *[{}] * SPARE_CONDITIONS],
        action_rows=[*values["actions"], *[{}] * SPARE_ACTIONS],
        users=db.session.execute(
            select(User.id, User.name)
            .where(User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.name)
        ).all(),
        teams=db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
    ), status


def _values(rule: AutomationRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "active": rule.active,
        "trigger": dict(rule.trigger),
        "conditions": list(rule.conditions),
        "actions": list(rule.actions),
        "version": rule.version,
    }


def _trigger(form: MultiDict[str, str]) -> dict[str, Any]:
    kind = form.get("trigger.kind", "event")
    trigger: dict[str, Any] = {"kind": kind, "event": form.get("trigger.event", "")}
    if kind in ("field_changed", "date"):
        trigger["field"] = form.get("trigger.field", "").strip()
    if kind == "field_changed" and form.get("trigger.value", "").strip():
        trigger["value"] = form["trigger.value"].strip()
    if kind in ("schedule", "date"):
        del trigger["event"]
        trigger["record_type"] = form.get("trigger.record_type", "").strip()
    if kind == "schedule":
        trigger["cron"] = form.get("trigger.cron", "").strip()
    if kind == "date":
        trigger["offset_days"] = form.get("trigger.offset_days", "").strip() or "0"
        trigger["hour"] = form.get("trigger.hour", "").strip() or "9"
        trigger["yearly"] = "trigger.yearly" in form
    return trigger


def action_params(form: MultiDict[str, str], prefix: str, action: Any) -> dict[str, Any]:
    """An action's parameters as its fields in the form give them: each
    named ``<prefix><param>``; a number (a user's or a team's id too) as a
    number when it is one, else as typed (the rule's check names it); a
    flag ticked or not; an empty field left out."""
    params: dict[str, Any] = {}
    for param in action.params:
        key = prefix + param.name
        if param.kind == "flag":
            if key in form:
                params[param.name] = True
            continue
        raw = form.get(key, "").strip()
        if not raw:
            continue
        if param.kind in ("number", "user", "team"):
            params[param.name] = _number(raw)
        else:
            params[param.name] = raw
    return params


def _number(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def form_values(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The form as the payload ``save_rule`` reads (its own checks name
    what is wrong), and the errors of the form itself (none today)."""
    errors: dict[str, list[str]] = {}
    trigger = _trigger(form)
    conditions = []
    for i in range(int(form.get("condition_rows", "0") or 0)):
        field = form.get(f"conditions.{i}.field", "").strip()
        if not field:
            continue
        op = form.get(f"conditions.{i}.op", "eq")
        condition: dict[str, Any] = {"field": field, "op": op}
        if op not in UNARY:
            raw = form.get(f"conditions.{i}.value", "")
            condition["value"] = [v.strip() for v in raw.split(",")] if op == "in" else raw
        conditions.append(condition)
    actions: list[dict[str, Any]] = []
    declared = service.all_actions()
    for i in range(int(form.get("action_rows", "0") or 0)):
        kind = form.get(f"actions.{i}.type", "").strip()
        if not kind:
            continue
        action = declared.get(kind)
        params = action_params(form, f"actions.{i}.p.{kind}.", action) if action else {}
        actions.append({"type": kind, "params": params})
    values: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "active": "active" in form,
        "trigger": trigger,
        "conditions": conditions,
        "actions": actions,
    }
    if form.get("version", "").isdigit():
        values["version"] = int(form["version"])
    return values, errors


@bp.route("/<int:automation_rule_id>/try", methods=["POST"])
@login_required
def try_rule(automation_rule_id: int):
    """A dry run on one record, shown on the rule's page; writes nothing."""
    require(service.MANAGE)
    rule = _rule(automation_rule_id)
    raw = request.form.get("record_id", "").strip()
    try:
        if not raw.isdigit():
            raise ValidationError({"record_id": [_("expected a record id")]})
        tried = service.try_rule(rule, int(raw), current_user)
    except ValidationError as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
        return redirect(url_for(".form", automation_rule_id=rule.id))
    except NotFoundError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".form", automation_rule_id=rule.id))
    return render_template("core/admin/automation_try.html", rule=rule, tried=tried, ops=OP_LABELS)


@bp.route("/<int:automation_rule_id>/delete", methods=["POST"])
@login_required
def delete(automation_rule_id: int):
    require(service.MANAGE)
    rule = _rule(automation_rule_id)
    service.delete_rule(rule, current_user)
    flash(_("Rule %(name)s deleted.", name=rule.name), "success")
    return redirect(url_for(".index"))


@bp.route("/runs")
@login_required
def runs():
    """The run log, newest first: by rule, failed ones only."""
    require(service.MANAGE)
    query = select(AutomationRun).join(AutomationRule).where(AutomationRule.deleted_at.is_(None))
    args: dict[str, Any] = {}
    rule_id = request.args.get("rule_id", "")
    if rule_id.isdigit() and is_id(int(rule_id)):
        query = query.where(AutomationRun.rule_id == int(rule_id))
        args["rule_id"] = int(rule_id)
    if request.args.get("failed"):
        query = query.where(AutomationRun.status == "failed")
        args["failed"] = "1"
    page = list_page()
    rows = list(
        db.session.scalars(
            query.order_by(AutomationRun.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    rules = db.session.scalars(
        select(AutomationRule)
        .where(AutomationRule.deleted_at.is_(None))
        .order_by(AutomationRule.name)
    ).all()
    return render_template(
        "core/admin/automation_runs.html",
        runs=rows[:PER_PAGE],
        more=len(rows) > PER_PAGE,
        page=page,
        args=args,
        rules=rules,
        states=STATE_LABELS,
        tones=STATE_TONES,
        reasons=REASONS,
    )


@bp.route("/runs/<int:run_id>/retry", methods=["POST"])
@login_required
def retry(run_id: int):
    require(service.MANAGE)
    run = db.session.get(AutomationRun, run_id)
    if run is None or run.rule.deleted_at is not None:
        abort(404)
    try:
        service.retry_run(run)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("The run is tried again."), "success")
    return redirect(url_for(".runs", rule_id=run.rule_id))
