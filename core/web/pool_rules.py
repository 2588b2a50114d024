"""The customer pool's rules (回收规则) as an admin page: the default rule and
each team's own — claim limit, cool-off, recycling after days without
contact, the reminder — and the recycle conditions core and the plugins
declare, each asked for by its label (``RecycleCondition.params``). Saved
through the same service as ``PUT /api/v1/pool/rules``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.errors import ValidationError
from core.extensions import db
from core.forms import form_int
from core.i18n import _
from core.models import PoolRule, Team
from core.rest.auth import require
from core.services import pool as service
from core.web.admin import declared_params, param_text

bp = Blueprint("pool_rules", __name__, url_prefix="/admin/pool-rules")
NUMBERS = ("claim_limit", "cool_off_days", "recycle_after_days", "remind_days_before")


def rule_of(team_id: int | None) -> PoolRule | None:
    clause = PoolRule.team_id.is_(None) if team_id is None else PoolRule.team_id == team_id
    return db.session.scalar(select(PoolRule).where(clause))


@bp.route("/")
@login_required
def index():
    require("admin.settings")
    rules = db.session.scalars(
        select(PoolRule).order_by(PoolRule.team_id.is_not(None), PoolRule.team_id)
    ).all()
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    ruled = {r.team_id for r in rules}
    return render_template(
        "core/admin/pool_rules.html",
        rules=rules,
        teams={t.id: t for t in teams},
        unruled=[t for t in teams if t.id not in ruled],
        has_default=None in ruled,
        conditions=current_app.extensions["trellis"].recycle_conditions,
        param_text=param_text,
    )


@bp.route("/choose")
@login_required
def choose():
    """The list's team picker: on to that team's rule."""
    require("admin.settings")
    team_id = form_int(request.args.get("team_id", ""))
    if team_id is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".edit", team_id=team_id))


@bp.route("/default", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/team/<int:team_id>", methods=["GET", "POST"])
@login_required
def edit(team_id: int | None):
    require("admin.settings")
    team = None
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None:
            abort(404)
    conditions = current_app.extensions["trellis"].recycle_conditions
    rule = rule_of(team_id)
    errors: dict = {}
    if request.method == "POST":
        payload = from_form(request.form, team_id, conditions)
        try:
            service.save_rule(payload, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Recycle rule saved."), "success")
            return redirect(url_for(".index"))
        values = payload
    else:
        values = shown_values(rule)
    return render_template(
        "core/admin/pool_rule_form.html",
        team=team,
        rule=rule,
        values=values,
        form=request.form if request.method == "POST" else None,
        conditions=conditions,
        errors=errors,
    ), 422 if errors else 200


def shown_values(rule: PoolRule | None) -> dict:
    """What the form shows: the stored rule, else the model's defaults."""
    if rule is None:
        return {
            "claim_limit": 200,
            "cool_off_days": 30,
            "recycle_after_days": None,
            "remind_days_before": 3,
            "active": True,
            "conditions": {},
        }
    return {
        "claim_limit": rule.claim_limit,
        "cool_off_days": rule.cool_off_days,
        "recycle_after_days": rule.recycle_after_days,
        "remind_days_before": rule.remind_days_before,
        "active": rule.active,
        "conditions": dict(rule.conditions or {}),
    }


def from_form(form, team_id: int | None, conditions: dict) -> dict:
    """The API's payload from the form: numbers as numbers (text the schema
    refuses by name), an empty "recycle after" as none, and the ticked
    conditions with their declared settings (``p.<code>.<key>``)."""
    payload: dict = {"team_id": team_id, "active": form.get("active") == "1"}
    for name in NUMBERS:
        raw = form.get(name, "").strip()
        if raw:
            number = form_int(raw)
            payload[name] = number if number is not None else raw
        elif name == "recycle_after_days":
            payload[name] = None  # left empty: no recycling by days without contact
    payload["conditions"] = {
        code: declared_params(condition, form)
        for code, condition in conditions.items()
        if form.get(f"c.{code}") == "1"
    }
    return payload
