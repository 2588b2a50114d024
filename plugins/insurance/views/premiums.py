"""Premium pages: the policy page's Premiums panel (:func:`premium_panel`,
rendered by ``insurance/policies/_premiums.html``: the instalments with
their status, the payments with a reverse form, "Record payment", and the
reinstatement form on a lapsed term), the same panel on a page of its own,
the forms' endpoints, and the "Overdue premiums" list (open instalments due
before today of the terms the user sees, with the grace period's end).

The forms call the services the API calls; a refused form comes back on the
premiums page with the message by its field, nothing saved."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from core.api import (
    ConflictError,
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_version,
    list_page,
    list_sort,
    require,
    translator,
    visible_record,
)

from ..models import PAYMENT_METHODS, Policy, PremiumInstalment, PremiumPayment
from ..services.access import OWNER, visible_instalments, visible_policy
from ..services.premiums import payments as payment_service
from ..services.premiums.queries import instalment_state, list_sorts, narrow_instalments
from ..services.premiums.reinstatement import DECLARED_LINES, reinstate, window_ends
from ..services.premiums.schedule import arrears, instalments
from ..services.states import POLICY
from ..services.terms import today
from .blueprint import bp

_, _l = translator("insurance")
LIST_SIZE = 50
METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer"),
    "cash": _l("Cash"),
    "card": _l("Bank card"),
    "alipay": _l("Alipay"),
    "wechat_pay": _l("WeChat Pay"),
    "direct_debit": _l("Direct debit"),
    "other": _l("Other"),
}
INSTALMENT_LABELS = {"open": _l("Open"), "overdue": _l("Overdue"), "settled": _l("Settled")}
INSTALMENT_TONES = {"open": "info", "overdue": "bad", "settled": "ok"}
POLICY_TONES = {"in_force": "ok", "grace": "warn", "lapsed": "bad"}
#: the policy states the overdue list offers (the default: in force or in grace)
OVERDUE_STATES = ("in_force", "grace", "lapsed")
OVERDUE_SORTS = {
    "due_on": PremiumInstalment.due_on,
    "amount": PremiumInstalment.amount,
    "grace_ends_on": Policy.grace_ends_on,
}


@bp.app_context_processor
def premium_helpers() -> dict:
    """The panel's and the list's words and badges (names prefixed: the
    context processors of every plugin share one namespace)."""
    return {
        "premium_state": lambda i: str(INSTALMENT_LABELS[instalment_state(i, today())]),
        "premium_tone": lambda i: INSTALMENT_TONES[instalment_state(i, today())],
        "premium_method": lambda m: str(METHOD_LABELS.get(m, m)),
        "premium_policy_status": POLICY.state_label,
        "premium_policy_tone": lambda status: POLICY_TONES.get(status, ""),
        "premium_policy_page": policy_page,
    }


def policy_page(policy_id: int) -> str:
    """The policy's page (its Premiums panel), else the premiums page."""
    try:
        return url_for("insurance.policy", policy_id=policy_id) + "#premiums"
    except BuildError:  # the policy page is not in this build
        return url_for("insurance.policy_premiums", policy_id=policy_id)


def premium_panel(
    policy: Policy,
    user: User,
    *,
    failed: str | None = None,
    values: dict | None = None,
    errors: dict | None = None,
) -> dict | None:
    """What ``insurance/policies/_premiums.html`` shows of ``policy`` to
    ``user`` (None: nothing — no permission, or a quote with no schedule).
    ``failed``, ``values`` and ``errors``: a refused form shown again."""
    if not user.can("insurance.policy.read"):
        return None
    rows = instalments(policy.id)
    if not rows and policy.status in ("draft", "quoted", "bound"):
        return None
    day = today()
    open_rows = [r for r in rows if r.settled_on is None]
    paid = db.session.scalars(
        select(PremiumPayment)
        .where(PremiumPayment.policy_id == policy.id, PremiumPayment.deleted_at.is_(None))
        .order_by(PremiumPayment.paid_on.desc(), PremiumPayment.id.desc())
    ).all()
    lapsed = policy.status == "lapsed"
    return {
        "policy": policy,
        "instalments": rows,
        "payments": paid,
        "next": open_rows[0] if open_rows else None,
        "methods": [(key, str(METHOD_LABELS[key])) for key in PAYMENT_METHODS],
        "may_pay": bool(open_rows)
        and policy.status in payment_service.PAYABLE
        and user.can("insurance.policy.pay"),
        "may_reverse": user.can("insurance.policy.pay") and policy.status != "cancelled",
        "may_reinstate": lapsed and user.can("insurance.policy.issue"),
        "arrears": arrears(policy.id, day) if lapsed else None,
        "window_ends": window_ends(policy) if lapsed else None,
        "declaration": policy.line in DECLARED_LINES,
        "today": day,
        "failed": failed,
        "entered": values or {},
        "errors": errors or {},
    }


@bp.route("/policies/<int:policy_id>/premiums")
@login_required
def policy_premiums(policy_id: int):
    """A policy term's Premiums panel on a page of its own."""
    require("insurance.policy.read")
    policy = visible_policy(policy_id, current_user)
    return _premiums_page(policy)


def _premiums_page(policy: Policy, failed=None, values=None, errors=None, status=200):
    panel = premium_panel(policy, current_user, failed=failed, values=values, errors=errors)
    return render_template("insurance/premiums/policy.html", policy=policy, premiums=panel), status


def _refused(policy_id: int, failed: str, values: dict, exc: Exception):
    db.session.rollback()
    errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
    status = getattr(exc, "status", 409)
    return _premiums_page(visible_policy(policy_id, current_user), failed, values, errors, status)


@bp.post("/policies/<int:policy_id>/payments")
@login_required
def record_premium(policy_id: int):
    """ "Record payment": on the instalment the form was opened on (its
    version guards a second submit of the same form)."""
    require("insurance.policy.pay")
    policy = visible_policy(policy_id, current_user)
    values = {
        k: request.form.get(k, "").strip() for k in ("amount", "paid_on", "method", "reference")
    }
    try:
        paid_on = _date(values["paid_on"])
        instalment_id = request.form.get("instalment_id", type=int)
        payment = payment_service.record_payment(
            policy,
            current_user,
            values["amount"],
            paid_on,
            values["method"],
            values["reference"] or None,
            instalment_id,
            form_version(),
        )
    except (ValidationError, ConflictError, StaleVersionError) as exc:
        return _refused(policy_id, "pay", values, exc)
    flash(
        _(
            "Payment of %(amount)s %(currency)s recorded.",
            amount=payment.amount,
            currency=payment.currency,
        ),
        "success",
    )
    return redirect(policy_page(policy.id))


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"paid_on": [_("give a date such as 2026-03-31")]}) from None


@bp.post("/premium-payments/<int:payment_id>/reverse")
@login_required
def reverse_premium(payment_id: int):
    """Reverse a payment from the panel (the reason is required)."""
    require("insurance.policy.pay")
    payment = visible_record(PremiumPayment, payment_id, current_user, **OWNER)
    values = {"reason": request.form.get("reason", "").strip()}
    try:
        payment_service.reverse_payment(payment, current_user, values["reason"], form_version())
    except (ValidationError, ConflictError, StaleVersionError) as exc:
        return _refused(payment.policy_id, f"reverse-{payment_id}", values, exc)
    flash(_("Payment of %(amount)s reversed.", amount=payment.amount), "success")
    return redirect(policy_page(payment.policy_id))


@bp.post("/policies/<int:policy_id>/reinstate")
@login_required
def reinstate_policy(policy_id: int):
    """Reinstate a lapsed term on payment of its arrears."""
    require("insurance.policy.issue")
    policy = visible_policy(policy_id, current_user)
    values = {k: request.form.get(k, "").strip() for k in ("amount", "method", "reference")}
    declared = request.form.get("health_declaration") in ("1", "on", "true", "yes")
    try:
        reinstate(
            policy,
            current_user,
            values["amount"],
            declared,
            form_version(),
            method=values["method"] or "bank_transfer",
            reference=values["reference"] or None,
        )
    except (ValidationError, ConflictError, StaleVersionError) as exc:
        return _refused(policy_id, "reinstate", values, exc)
    flash(_("Policy %(number)s is in force again.", number=policy.display_number), "success")
    return redirect(policy_page(policy.id))


@bp.route("/overdue")
@login_required
def overdue():
    """Overdue premiums: open instalments due before today on the terms the
    user sees (in force or in grace; or one state), oldest due first, with
    the grace period's end; 50 a page."""
    require("insurance.policy.read")
    state = request.args.get("status", "")
    state = state if state in OVERDUE_STATES else ""
    day = today()
    # read from the terms in the state(s), not the instalments by due date
    # (queries.py); the terms and customers of the page's rows only, after
    args = {"status": "overdue", "policy_status": state or ("in_force", "grace")}
    query = narrow_instalments(visible_instalments(current_user), args, day, current_user)
    sortable = list_sorts(OVERDUE_SORTS, args)
    sort, order = list_sort(
        sortable, (sortable["due_on"], PremiumInstalment.id), PremiumInstalment.id
    )
    if sort.lstrip("-") == "grace_ends_on":  # ordered by the term's column
        query = query.join(Policy, Policy.id == PremiumInstalment.policy_id)
    page = list_page()
    rows = db.session.scalars(
        query.options(selectinload(PremiumInstalment.policy).selectinload(Policy.customer))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {"status": state} if state else {}
    return render_template(
        "insurance/premiums/overdue.html",
        rows=rows[:LIST_SIZE],
        more=len(rows) > LIST_SIZE,
        page=page,
        sort=sort,
        filters=filters,
        status=state,
        statuses=[(s, POLICY.state_label(s)) for s in OVERDUE_STATES],
        today=day,
    )
