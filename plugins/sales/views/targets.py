"""Pages ``/sales/targets`` (业绩目标: target, achieved, progress) and
``/sales/commission`` (提成: the rules and a rep's monthly statement). They
call the same services and schemas as the API."""

from __future__ import annotations

import marshmallow
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    StaleVersionError,
    Team,
    ValidationError,
    db,
    form_version,
    instance_currency,
    require,
    translator,
    utcnow,
)

from ..services import pipelines as pipeline_service
from ..services import products, targets
from ..services.commission import (
    MAX_TIERS,
    check_writable,
    create_rule,
    delete_rule,
    get_rule,
    may_write,
    rules,
    statement,
    update_rule,
)
from .blueprint import bp

_, _l = translator("sales")
TIER_ROWS = 4  # tier rows in the new-rule form; more through the API
#: how the pages name what a rule's tiers are over
BASIS_LABELS = {"won": _l("Won deals"), "collected": _l("Collected money")}


def can_write() -> bool:
    return current_user.can("sales.admin") or current_user.can("sales.target.write")


def require_write() -> None:
    if not current_user.can("sales.admin"):
        require("sales.target.write")


def chosen_month(value: str | None = None) -> str:
    """The month asked for (``YYYY-MM``), or this UTC month when it is missing or malformed."""
    value = value if value is not None else request.args.get("month")
    try:
        targets.month_value(value)
    except marshmallow.ValidationError:  # a bad month in the address shows this month
        return f"{utcnow():%Y-%m}"
    return value


def visible_teams() -> list[Team]:
    ids = targets.visible_team_ids(current_user)
    return list(db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)))


@bp.route("/targets", methods=["GET", "POST"], endpoint="targets")
@login_required
def targets_page():
    """The month's targets with achievement; managers set a target below the table."""
    require("sales.report.read")
    month, values, errors = chosen_month(), {"currency": instance_currency()}, {}
    if request.method == "POST":
        require_write()
        values = {
            k: (request.form.get(k) or "").strip() or None
            for k in ("month", "measure", "user_id", "team_id", "amount", "currency")
        }
        values["currency"] = values["currency"] or instance_currency()
        values["measure"] = values["measure"] or "won"
        payload = {
            **values,
            "user_id": request.form.get("user_id", type=int),
            "team_id": request.form.get("team_id", type=int),
        }
        try:
            target = targets.set_target(payload, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
            month = chosen_month(values["month"] or "")
        else:
            flash(_("Target saved."), "success")
            return redirect(url_for(".targets", month=target.month))
    writer = can_write()
    reps = [(u.id, u.name) for u in targets.visible_reps(current_user)] if writer else []
    teams = [(t.id, t.name) for t in visible_teams()] if writer else []
    return render_template(
        "sales/targets.html",
        month=month,
        values=values,
        errors=errors,
        rows=targets.targets_for_month(current_user, month),
        can_write=writer,
        reps=reps,
        teams=teams,
        measures=list(targets.MEASURE_LABELS.items()),
        measure_labels=targets.MEASURE_LABELS,
    ), 422 if errors else 200


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
@login_required
def target_delete(target_id: int):
    require_write()
    target = targets.visible_target(target_id, current_user)
    month = target.month
    targets.delete_target(target, current_user)
    flash(_("Target deleted."), "success")
    return redirect(url_for(".targets", month=month))


@bp.route("/commission", methods=["GET", "POST"])
@login_required
def commission():
    """The commission rules (administrators add them here) and a rep's monthly
    statement; managers pick the rep."""
    require("sales.report.read")
    month, values, errors = chosen_month(), {"currency": instance_currency()}, {}
    if request.method == "POST":
        require_write()
        payload = _rule_payload(request.form)
        values = {**request.form.to_dict(), "currency": payload["currency"]}
        try:
            create_rule(payload, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("Commission rule saved."), "success")
            return redirect(url_for(".commission", month=month))
    reps = targets.visible_reps(current_user)
    wanted = request.args.get("user_id", type=int) or current_user.id
    rep = targets.visible_rep(wanted, current_user)
    writer = can_write()
    all_rules = rules()
    return render_template(
        "sales/commission.html",
        month=month,
        rep=rep,
        reps=reps,
        statement=statement(current_user, rep, month),
        rules=all_rules,
        basis_labels=BASIS_LABELS,
        writable={r.id for r in all_rules if writer and may_write(current_user, r.team_id)},
        can_write=writer,
        values=values,
        errors=errors,
        **_rule_choices(),
    ), 422 if errors else 200


def _rule_choices(tiers: int = 0) -> dict:
    """What the rule form offers: pipelines, active products, and tier rows
    for the ``tiers`` a rule has plus a blank one (at least ``TIER_ROWS``)."""
    return {
        "teams": [(t.id, t.name) for t in visible_teams()],
        "any_team": may_write(current_user, None),
        "pipelines": [(p.id, p.name) for p in pipeline_service.pipelines()],
        "products": [(p.id, p.name) for p in products.products(active_only=True)],
        "tier_rows": range(min(max(TIER_ROWS, tiers + 1), MAX_TIERS)),
        "bases": list(BASIS_LABELS.items()),
    }


def _rule_values(rule) -> dict:
    """A saved rule as the form's values."""
    values = {
        "name": rule.name,
        "basis": rule.basis,
        "pipeline_id": rule.pipeline_id,
        "product_id": rule.product_id,
        "team_id": rule.team_id,
        "currency": rule.currency,
    }
    for i, tier in enumerate(rule.tiers):
        values[f"tiers.{i}.from_amount"] = tier["from_amount"]
        values[f"tiers.{i}.rate_percent"] = tier["rate_percent"]
    return values


@bp.route("/commission/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@login_required
def commission_rule_edit(rule_id: int):
    """Change a rule (its name, reach, currency and tiers); a rule someone else
    saved meanwhile is not overwritten."""
    require_write()
    rule, month, errors = get_rule(rule_id), chosen_month(), {}
    check_writable(rule, current_user)  # the company's and other teams' rules are read-only
    values = _rule_values(rule)
    if request.method == "POST":
        payload = _rule_payload(request.form)
        values = {**request.form.to_dict(), "currency": payload["currency"]}
        try:
            update_rule(rule, payload, current_user, form_version())
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        except StaleVersionError:
            db.session.rollback()
            flash(_("Someone else changed this rule meanwhile; look again and retry."), "error")
            return redirect(url_for(".commission_rule_edit", rule_id=rule_id, month=month))
        else:
            flash(_("Commission rule saved."), "success")
            return redirect(url_for(".commission", month=month))
    return render_template(
        "sales/commission_rule.html",
        rule=rule,
        month=month,
        values=values,
        errors=errors,
        **_rule_choices(len(rule.tiers)),
    ), 422 if errors else 200


def _rule_payload(form) -> dict:
    """The rule from the form; empty tier rows after the last filled one are dropped
    (so an error on ``tiers.<n>`` lands on the row the user sees as n)."""
    rows = [
        (
            (form.get(f"tiers.{i}.from_amount") or "").strip() or None,
            (form.get(f"tiers.{i}.rate_percent") or "").strip() or None,
        )
        for i in range(MAX_TIERS)
    ]
    while rows and rows[-1] == (None, None):
        rows.pop()
    tiers = [{"from_amount": start, "rate_percent": rate} for start, rate in rows]
    return {
        "name": (form.get("name") or "").strip(),
        "basis": (form.get("basis") or "").strip() or "won",
        "tiers": tiers,
        "pipeline_id": form.get("pipeline_id", type=int),
        "product_id": form.get("product_id", type=int),
        "team_id": form.get("team_id", type=int),
        "currency": (form.get("currency") or "").strip().upper() or instance_currency(),
    }


@bp.route("/commission/rules/<int:rule_id>/delete", methods=["POST"])
@login_required
def commission_rule_delete(rule_id: int):
    require_write()
    delete_rule(get_rule(rule_id), current_user)
    flash(_("Commission rule deleted."), "success")
    return redirect(url_for(".commission", month=chosen_month()))
