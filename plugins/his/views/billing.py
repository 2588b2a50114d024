"""Billing pages under ``/his``: the cashier desk (find the patient, tick
the unpaid charges, take the payment by one or more tenders), the printable
receipt with its refund request, the refunds list with the pay-out button,
the cashier's own settlement (日结) and the price list (``his.admin``). A
refused payment, refund or closing is shown as a message, nothing saved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    require,
    translator,
    utcnow,
    visible_customer,
)

from ..models import (
    PRICE_CATEGORIES,
    REFUND_STATES,
    TENDER_METHODS,
    Patient,
    PatientPayment,
    PriceItem,
    Refund,
    Settlement,
)
from ..services import billing
from ..services.patients import find_patients
from .blueprint import bp

_, _l = translator("his")

FOUND_SIZE = 20
LIST_SIZE = 200


def method_labels() -> dict[str, str]:
    return {
        "cash": _("Cash"),
        "card": _("Bank card"),
        "wechat": _("WeChat Pay"),
        "alipay": _("Alipay"),
        "insurance": _("Insurance share"),
    }


def category_labels() -> dict[str, str]:
    return {
        "registration": _("Registration"),
        "consultation": _("Consultation"),
        "drug": _("Drug"),
        "lab": _("Laboratory"),
        "imaging": _("Imaging"),
        "procedure": _("Procedure"),
        "material": _("Material"),
        "other": _("Other"),
    }


def charge_state_labels() -> dict[str, str]:
    return {"unpaid": _("Unpaid"), "paid": _("Paid"), "void": _("Void"), "refunded": _("Refunded")}


def refund_state_labels() -> dict[str, str]:
    return {
        "requested": _("Requested"),
        "approved": _("Approved"),
        "refunded": _("Refunded"),
        "rejected": _("Rejected"),
    }


def _int(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 10]


def _tenders() -> list[dict]:
    """The desk form's tenders: an amount per method; insurance by its box."""
    tenders = []
    for method in TENDER_METHODS:
        amount = request.form.get(f"amount_{method}", "").strip()
        if method == "insurance":
            if request.form.get("use_insurance"):
                tenders.append({"method": method, "amount": amount or None})
        elif amount:
            reference = request.form.get(f"reference_{method}", "").strip() or None
            tenders.append({"method": method, "amount": amount, "reference": reference})
    return tenders


def _refused(exc: ValidationError) -> None:
    db.session.rollback()
    flash(exc.summary, "error")


@bp.route("/cashier", methods=["GET", "POST"], endpoint="cashier")
@login_required
def cashier():
    """Find the patient, tick the unpaid charges, take the payment."""
    require("his.billing.write")
    customer_id = _int("customer_id")
    if request.method == "POST":
        payload = {"customer_id": customer_id, "charge_ids": _ids("charge_id")}
        try:
            payment = billing.take_payment({**payload, "tenders": _tenders()}, current_user)
        except ValidationError as exc:
            _refused(exc)
            return redirect(url_for(".cashier", customer_id=customer_id))
        flash(_("Paid: receipt %(number)s", number=payment.number), "success")
        return redirect(url_for(".receipt", receipt_id=payment.id))
    q = request.args.get("q", "").strip()[:100]
    found = []
    if q:
        query = find_patients(current_user, q).options(joinedload(Patient.customer))
        found = list(db.session.scalars(query.limit(FOUND_SIZE)))
    customer = visible_customer(customer_id, current_user) if customer_id else None
    charges = billing.unpaid_charges(customer.id) if customer else []
    payments = []
    if customer is not None:
        payments = list(
            db.session.scalars(
                billing.visible_billing(PatientPayment, current_user)
                .where(PatientPayment.customer_id == customer.id)
                .order_by(PatientPayment.id.desc())
                .limit(20)
            )
        )
    return render_template(
        "his/billing_cashier.html",
        q=q,
        found=found,
        customer=customer,
        charges=charges,
        total=sum((c.amount for c in charges), Decimal("0")),
        payments=payments,
        methods=method_labels(),
        categories=category_labels(),
    )


@bp.route("/receipts/<int:receipt_id>", methods=["GET", "POST"], endpoint="receipt")
@login_required
def receipt(receipt_id: int):
    """The printable receipt; below it, a refund request."""
    require("his.billing.read")
    payment = billing.visible_one(PatientPayment, receipt_id, current_user, _("payment"))
    if request.method == "POST":
        require("his.billing.refund")
        payload = {
            "payment_id": payment.id,
            "charge_ids": _ids("charge_id"),
            "amount": request.form.get("amount", "").strip() or None,
            "reason": request.form.get("reason", "").strip(),
        }
        try:
            refund = billing.request_refund(payload, current_user)
            flash(
                _("Refund asked: %(state)s", state=refund_state_labels()[refund.status]), "success"
            )
        except ValidationError as exc:
            _refused(exc)
        return redirect(url_for(".receipt", receipt_id=payment.id))
    refunds = list(
        db.session.scalars(
            select(Refund).where(Refund.payment_id == payment.id).order_by(Refund.id)
        )
    )
    return render_template(
        "his/receipt.html",
        payment=payment,
        refunds=refunds,
        refundable=billing.refundable(payment),
        methods=method_labels(),
        categories=category_labels(),
        charge_states=charge_state_labels(),
        refund_states=refund_state_labels(),
    )


@bp.route("/refunds", methods=["GET"], endpoint="refunds")
@login_required
def refunds():
    """Refunds by status; an approved one has its pay-out button."""
    require("his.billing.read")
    status = request.args.get("status", "")
    query = billing.visible_billing(Refund, current_user).options(
        joinedload(Refund.customer), joinedload(Refund.payment)
    )
    if status in REFUND_STATES:
        query = query.where(Refund.status == status)
    rows = list(db.session.scalars(query.order_by(Refund.id.desc()).limit(LIST_SIZE)))
    return render_template(
        "his/billing_refunds.html",
        refunds=rows,
        status=status,
        states=refund_state_labels(),
        methods=method_labels(),
    )


@bp.route("/refunds/<int:refund_id>/pay", methods=["POST"], endpoint="pay_refund")
@login_required
def pay_refund(refund_id: int):
    require("his.billing.write")
    refund = billing.visible_one(Refund, refund_id, current_user, _("refund"))
    try:
        billing.pay_refund(refund, current_user)
        flash(_("Refund paid out."), "success")
    except ValidationError as exc:
        _refused(exc)
    return redirect(url_for(".refunds"))


@bp.route("/settlement", methods=["GET", "POST"], endpoint="my_settlement")
@login_required
def my_settlement():
    """What this cashier took since the last settlement; close the day."""
    require("his.billing.write")
    if request.method == "POST":
        try:
            billing.close_settlement(current_user)
            flash(_("The day is settled."), "success")
        except ValidationError as exc:
            _refused(exc)
        return redirect(url_for(".my_settlement"))
    past = list(
        db.session.scalars(
            select(Settlement)
            .where(Settlement.cashier_id == current_user.id)
            .order_by(Settlement.day.desc())
            .limit(30)
        )
    )
    return render_template(
        "his/billing_settlement.html",
        totals=billing.open_totals(current_user.id, utcnow() + timedelta(seconds=1)),
        past=past,
        methods=method_labels(),
    )


@bp.route("/price-items", methods=["GET", "POST"], endpoint="price_items")
@login_required
def price_items():
    """The price list, with a form for a new item."""
    require("his.admin")
    errors: dict = {}
    form: dict = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("code", "name", "name_zh", "price")}
        form["category"] = request.form.get("category", "")
        try:
            billing.create_price_item({**form, "name_zh": form["name_zh"] or None}, current_user)
            flash(_("Saved."), "success")
            return redirect(url_for(".price_items"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
    items = list(db.session.scalars(select(PriceItem).order_by(PriceItem.category, PriceItem.code)))
    return render_template(
        "his/billing_prices.html",
        items=items,
        form=form,
        errors=errors,
        categories=category_labels(),
        category_keys=PRICE_CATEGORIES,
    )


@bp.route("/price-items/<int:price_item_id>", methods=["GET", "POST"], endpoint="price_item")
@login_required
def price_item(price_item_id: int):
    """Edit one price item (a new price reaches new charges only)."""
    require("his.admin")
    item = billing.get_price_item(price_item_id)
    errors: dict = {}
    if request.method == "POST":
        payload: dict = {k: request.form.get(k, "").strip() for k in ("name", "name_zh", "price")}
        payload["category"] = request.form.get("category", "")
        payload["active"] = bool(request.form.get("active"))
        payload["name_zh"] = payload["name_zh"] or None
        try:
            billing.update_price_item(item, payload, current_user, form_version())
            flash(_("Saved."), "success")
            return redirect(url_for(".price_items"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        except StaleVersionError:
            db.session.rollback()
            flash(_("Someone else changed this meanwhile; here is their version."), "error")
            return redirect(url_for(".price_item", price_item_id=price_item_id))
    return render_template(
        "his/billing_price_item.html",
        item=item,
        errors=errors,
        categories=category_labels(),
        category_keys=PRICE_CATEGORIES,
    )
