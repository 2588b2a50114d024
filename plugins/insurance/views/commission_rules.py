"""The commission rules' pages: ``/commission/rules``, the rules with an
add form, and ``/commission/rules/<id>``, the edit form (rates entered as
percent)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import StaleVersionError, ValidationError, db, form_version, require, translator

from ..models import Carrier, InsuranceCommissionRule, InsuranceProduct
from ..services.commission import rules
from .blueprint import bp
from .catalogue import STALE
from .commission import WRITE, _carriers, _percent

_, _l = translator("insurance")
RATE_FIELDS = rules.RATE_FIELDS


def _fractions(form) -> dict:
    """The rule form's input: rates typed as percent become fractions (text
    that is no number is passed on, for the schema to name its field)."""
    values: dict = {}
    for name in ("carrier_id", "product_id", "effective_from", "effective_to", *RATE_FIELDS):
        text = form.get(name, "").strip()
        if name in RATE_FIELDS:
            if not text:
                continue
            try:
                values[name] = str(Decimal(text.rstrip("%").strip()) / 100)
            except InvalidOperation:
                values[name] = text
        elif name in ("carrier_id", "product_id"):
            values[name] = int(text) if text.isascii() and text.isdigit() else (text or None)
        elif name == "effective_to":
            values[name] = text or None
        elif text:
            values[name] = text
    return values


def _products() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(InsuranceProduct.id, InsuranceProduct.name, Carrier.name)
        .join(Carrier, Carrier.id == InsuranceProduct.carrier_id)
        .where(InsuranceProduct.deleted_at.is_(None), Carrier.deleted_at.is_(None))
        .order_by(Carrier.name, InsuranceProduct.name)
    ).all()
    return [(pid, f"{carrier} · {name}") for pid, name, carrier in rows]


def _rules_page(values: dict, errors: dict, status: int = 200):
    rows = db.session.scalars(
        rules.rules_query().order_by(
            InsuranceCommissionRule.carrier_id,
            InsuranceCommissionRule.product_id,
            InsuranceCommissionRule.effective_from.desc(),
        )
    ).all()
    return render_template(
        "insurance/commission/rules.html",
        rows=rows,
        carriers=_carriers(),
        carrier_names=dict(_carriers()),
        products=_products(),
        product_names=dict(_products()),
        values=values,
        errors=errors,
    ), status


@bp.route("/commission/rules", methods=["GET", "POST"])
@login_required
def commission_rules():
    """Commission rules by carrier; a new one below (rates in percent)."""
    require(WRITE)
    if request.method == "GET":
        return _rules_page({"agent_share": "100", "leader_override": "0"}, {})
    data = _fractions(request.form)
    try:
        rules.create_rule(data, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _rules_page(_shown(request.form), exc.errors, exc.status)
    flash(_("Commission rule added."), "success")
    return redirect(url_for(".commission_rules"))


def _shown(form) -> dict:
    return {name: form.get(name, "") for name in form}


@bp.route("/commission/rules/<int:rule_id>", methods=["GET", "POST"])
@login_required
def commission_rule(rule_id: int):
    """Edit a commission rule (the version read guards it)."""
    require(WRITE)
    rule = db.session.get(InsuranceCommissionRule, rule_id)
    if rule is None:
        abort(404)
    if request.method == "GET":
        values = {
            "carrier_id": rule.carrier_id,
            "product_id": rule.product_id or "",
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else "",
            **{name: _percent(getattr(rule, name)) for name in RATE_FIELDS},
        }
        return _rule_form(rule, values, {})
    try:
        rules.update_rule(rule, _fractions(request.form), current_user, form_version())
    except ValidationError as exc:
        db.session.rollback()
        return _rule_form(rule, _shown(request.form), exc.errors, exc.status)
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
        return _rule_form(rule, _shown(request.form), {}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for(".commission_rules"))


def _rule_form(rule, values: dict, errors: dict, status: int = 200):
    return render_template(
        "insurance/commission/rule_form.html",
        rule=rule,
        carriers=_carriers(),
        products=_products(),
        values=values,
        errors=errors,
    ), status
