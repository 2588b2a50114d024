"""Receivable plans and payments pages under ``/sales``: the contract page's
Receivables section (an htmx fragment: the plan, a payment form per
instalment, the payments with their reversal), the plan form with "spread
evenly", the collection list (催收) and the "Overdue collections" widget.

The forms call the same services as the API (:mod:`..services.receivables`);
a refused form comes back with the message by its field.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from core.api import (
    ConflictError,
    StaleVersionError,
    User,
    ValidationError,
    db,
    form_version,
    list_page,
    require,
    translator,
)

from ..models import Contract, Payment
from ..models.receivable import PAYMENT_METHODS
from ..services.access import visible_record, visible_user_ids
from ..services.receivables import payments as payment_service
from ..services.receivables import plans
from ..services.receivables.approval import latest_requests
from ..services.receivables.collections import collection_page, collection_totals
from ..services.receivables.payments import today
from .blueprint import bp

_, _l = translator("sales")
LIST_SIZE = 50
EMPTY_ROWS = 2  # blank rows under the plan form's instalments
STATE_LABELS = {
    "open": _l("Not yet due"),
    "partly_paid": _l("Partly paid"),
    "paid": _l("Paid"),
    "overdue": _l("Overdue"),
}
STATE_TONES = {"open": "info", "partly_paid": "warn", "paid": "ok", "overdue": "bad"}
PAYMENT_LABELS = {
    "pending": _l("Waiting for approval"),
    "confirmed": _l("Confirmed"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "reversed": _l("Reversed"),
}
PAYMENT_TONES = {
    "pending": "warn",
    "confirmed": "ok",
    "rejected": "bad",
    "withdrawn": "",
    "reversed": "info",
}
METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer"),
    "cash": _l("Cash"),
    "cheque": _l("Cheque"),
    "card": _l("Card"),
    "alipay": _l("Alipay"),
    "wechat_pay": _l("WeChat Pay"),
    "other": _l("Other"),
}
PAYMENT_FIELDS = ("instalment_id", "amount", "paid_on", "method", "reference", "note")


@bp.app_context_processor
def receivable_helpers() -> dict:
    return {
        "instalment_state": lambda i: STATE_LABELS[plans.instalment_state(i, today())],
        "instalment_tone": lambda i: STATE_TONES[plans.instalment_state(i, today())],
        "payment_status": lambda status: PAYMENT_LABELS.get(status, status),
        "payment_tone": lambda status: PAYMENT_TONES.get(status, ""),
        "payment_method": lambda method: METHOD_LABELS.get(method, method),
    }


def contract_page(contract_id: int) -> str:
    """The contract's page, where the Receivables section is loaded."""
    try:
        return url_for(".contract", contract_id=contract_id)
    except BuildError:  # the contract pages are not there yet
        return url_for(".contract_plan", contract_id=contract_id)


@bp.get("/contracts/<int:contract_id>/receivables")
@login_required
def contract_receivables(contract_id: int):
    """The contract page's Receivables section: the plan with each
    instalment's collected, open and state; payments; the forms."""
    if not current_user.can("sales.payment.read"):
        return ""
    contract = visible_record(Contract, contract_id, current_user)
    rows = db.session.scalars(
        select(Payment)
        .where(Payment.contract_id == contract.id, Payment.deleted_at.is_(None))
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
    ).all()
    # the contract page asks with htmx for the bare section; a direct visit gets a page
    bare = bool(request.headers.get("HX-Request"))
    return render_template(
        "sales/_contract_receivables.html" if bare else "sales/contract_receivables_page.html",
        contract=contract,
        instalments=plans.plan_of(contract),
        payments=rows,
        requests=latest_requests([p.id for p in rows if p.status == "pending"]),
        methods=[(k, METHOD_LABELS[k]) for k in PAYMENT_METHODS],
        today=today(),
        may_pay=contract.status in payment_service.PAYABLE,
        may_plan=contract.status in plans.PLANNABLE,
    )


@bp.route("/contracts/<int:contract_id>/receivable-plan", methods=["GET", "POST"])
@login_required
def contract_plan(contract_id: int):
    """The plan form: one row per instalment, or "spread evenly into N
    instalments" to fill the rows (then check and save)."""
    require("sales.payment.write")
    contract = visible_record(Contract, contract_id, current_user)
    errors: dict = {}
    status = 200
    spread = {"n": 3, "first_due": (contract.signed_date or today()).isoformat(), "months": 1}
    if request.method == "GET":
        rows = [
            {
                "id": i.id,
                "due_date": i.due_date.isoformat(),
                "amount": str(i.amount),
                "note": i.note,
            }
            for i in plans.plan_of(contract)
        ]
    elif request.form.get("action") == "spread":
        spread = {k: request.form.get(k, "").strip() for k in ("n", "first_due", "months")}
        rows, errors = _spread(contract, spread)
        status = 422 if errors else 200
    else:
        rows = _posted_rows()
        try:
            plans.set_plan(contract, rows, current_user, form_version())
        except (ValidationError, StaleVersionError, ConflictError) as exc:
            errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
            status = 409 if not isinstance(exc, ValidationError) else exc.status
        else:
            flash(
                _("The receivable plan of %(number)s is saved.", number=contract.number), "success"
            )
            return redirect(contract_page(contract.id))
    blank = {"id": None, "due_date": "", "amount": "", "note": ""}
    return render_template(
        "sales/receivable_plan.html",
        contract=contract,
        rows=rows + [blank] * EMPTY_ROWS,
        errors=errors,
        spread=spread,
        back=contract_page(contract.id),
    ), status


def _posted_rows() -> list[dict]:
    """The plan form's rows as the service reads them, blank ones left out."""
    rows = []
    for n in range(plans.MAX_INSTALMENTS + EMPTY_ROWS):
        if f"row-{n}-due_date" not in request.form:
            break
        row = {
            k: request.form.get(f"row-{n}-{k}", "").strip()
            for k in ("id", "due_date", "amount", "note")
        }
        if not (row["due_date"] or row["amount"]):
            continue
        row["id"] = int(row["id"]) if row["id"].isdigit() else None
        row["note"] = row["note"] or None
        rows.append(row)
    return rows


def _spread(contract: Contract, spread: dict) -> tuple[list[dict], dict]:
    """The even rows for the form (not saved), or the errors by field."""
    errors: dict = {}
    n = int(spread["n"]) if spread["n"].isdigit() else 0
    months = int(spread["months"]) if spread["months"].isdigit() else 0
    try:
        first = date.fromisoformat(spread["first_due"])
    except ValueError:
        first = None
        errors["first_due"] = [_("give a date such as 2026-03-31")]
    if not 1 <= n <= plans.MAX_INSTALMENTS:
        errors["n"] = [_("from 1 to %(max)d instalments", max=plans.MAX_INSTALMENTS)]
    if months < 1:
        errors["months"] = [_("at least 1 month apart")]
    if errors or first is None:
        return [], errors
    # the instalments there are keep their place (and what they collected)
    kept = [i.id for i in plans.plan_of(contract)]
    return [
        {
            "id": kept[k] if k < len(kept) else None,
            "due_date": r["due_date"].isoformat(),
            "amount": str(r["amount"]),
            "note": "",
        }
        for k, r in enumerate(plans.even_plan(contract.amount, n, first, months))
    ], {}


@bp.post("/contracts/<int:contract_id>/payments")
@login_required
def record_payment(contract_id: int):
    """Record a payment from an instalment's form; refused, the form comes
    back with the message by its field."""
    require("sales.payment.write")
    contract = visible_record(Contract, contract_id, current_user)
    values = {k: request.form.get(k, "").strip() for k in PAYMENT_FIELDS}
    payload = {k: v for k, v in values.items() if v}
    if values["instalment_id"].isdigit():
        payload["instalment_id"] = int(values["instalment_id"])
    try:
        payment = payment_service.record_payment(contract, payload, current_user)
    except (ValidationError, ConflictError) as exc:
        errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
        return render_template(
            "sales/payment_form.html",
            contract=contract,
            values=values,
            errors=errors,
            instalments=plans.plan_of(contract),
            methods=[(k, METHOD_LABELS[k]) for k in PAYMENT_METHODS],
            back=contract_page(contract.id),
        ), getattr(exc, "status", 409)
    if payment.status == "confirmed":
        flash(_("Payment of %(amount)s recorded.", amount=payment.amount), "success")
    else:
        flash(
            _("Payment of %(amount)s recorded; it counts once approved.", amount=payment.amount),
            "info",
        )
    return redirect(contract_page(contract.id))


@bp.post("/payments/<int:payment_id>/reverse")
@login_required
def reverse_payment(payment_id: int):
    """Reverse a confirmed payment (the reason is required)."""
    require("sales.payment.write")
    payment = visible_record(Payment, payment_id, current_user)
    reason = request.form.get("reason", "")
    try:
        payment_service.reverse_payment(payment, reason, current_user)
    except (ValidationError, ConflictError) as exc:
        return render_template(
            "sales/payment_reverse.html",
            payment=payment,
            reason=reason,
            errors=getattr(exc, "errors", None) or {"_schema": [str(exc)]},
            back=contract_page(payment.contract_id),
        ), getattr(exc, "status", 409)
    flash(_("Payment of %(amount)s reversed.", amount=payment.amount), "success")
    return redirect(contract_page(payment.contract_id))


def _as_of() -> date:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return today()


@bp.route("/collections")
@login_required
def collections():
    """The collection list: open instalments due before a day (today by
    default), oldest first, for one owner or everyone the user sees; the
    number overdue and the open amount per currency."""
    require("sales.payment.read")
    owners = db.session.scalars(
        select(User).where(User.id.in_(visible_user_ids(current_user))).order_by(User.name)
    ).all()
    owner_id = next((u.id for u in owners if u.id == request.args.get("owner_id", type=int)), None)
    as_of = _as_of()
    page = list_page()
    rows = collection_page(
        current_user, as_of, owner_id, limit=LIST_SIZE + 1, offset=(page - 1) * LIST_SIZE
    )
    args = {"owner_id": owner_id} if owner_id else {}
    if as_of != today():
        args["as_of"] = as_of.isoformat()
    return render_template(
        "sales/collections.html",
        rows=rows[:LIST_SIZE],
        more=len(rows) > LIST_SIZE,
        page=page,
        owners=owners,
        owner_id=owner_id,
        as_of=as_of,
        args=args,
        totals=collection_totals(current_user, as_of, owner_id),
    )


@bp.route("/widgets/collections")
@login_required
def widget_collections():
    """The dashboard's "Overdue collections": the user's own oldest five."""
    require("sales.payment.read")
    as_of = today()
    return render_template(
        "sales/_widget_collections.html",
        rows=collection_page(current_user, as_of, current_user.id, limit=5),
        totals=collection_totals(current_user, as_of, current_user.id),
    )
