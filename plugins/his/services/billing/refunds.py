"""Refunds (退费): part of a payment given back, with a reason, through
core's approval engine (record type ``his.refund``).

A refund names charges of the payment (each given back whole) or an
amount; together with the refunds still open it may never exceed what the
patient paid (the total less the insurance share) — refused on ``amount``.
Submitting it starts the admin's approval flow for ``his.refund`` (none
configured: approved at once); approved, a cashier pays it out
(``refunded``), which is when it counts in that cashier's settlement and
in the revenue cells of its day; rejected or withdrawn, its charges are
free to be refunded again. Paid out, it fires ``his_refund_paid`` after the commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import url_for
from sqlalchemy import func, select

from core.api import (
    Approvable,
    StateError,
    User,
    audit,
    current_user,
    db,
    emit,
    load,
    log_activity,
    refuse,
    snapshot,
    submit_for_approval,
    transaction,
    translator,
    utcnow,
)

from ...models import Charge, PatientPayment, Refund
from .access import visible_billing, visible_one
from .charges import money
from .inputs import HisRefundInput
from .revenue_cells import count_refund

_, _l = translator("his")

RECORD = "his.refund"
OPEN = ("requested", "approved")
ZERO = Decimal("0")


def refundable(payment: PatientPayment) -> Decimal:
    """What may still be asked back: paid by the patient, less the refunds
    done or open."""
    asked = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment.id, Refund.status.in_((*OPEN, "refunded"))
        )
    )
    return money(payment.total - payment.covered - Decimal(asked or 0))


def refund_charges(payment: PatientPayment, charge_ids: list[int]) -> list[Charge]:
    if not charge_ids:
        return []
    charges = list(
        db.session.scalars(
            select(Charge).where(Charge.id.in_(set(charge_ids)), Charge.payment_id == payment.id)
        )
    )
    if len(charges) != len(set(charge_ids)):
        refuse(missing={"charge_ids": [_("some of these charges are not of this payment")]})
    if any(c.status != "paid" or c.refund_id is not None for c in charges):
        refuse(state={"charge_ids": [_("some of these charges are refunded or asked back")]})
    return charges


def default_method(payment: PatientPayment) -> str:
    """Back the way the patient paid: the first tender that is not insurance."""
    return next((t.method for t in payment.tenders if t.method != "insurance"), "cash")


def request_refund(payload: dict, actor: User) -> Refund:
    """Ask for a refund (``his.billing.refund``) and submit it for approval."""
    data = load(HisRefundInput(), payload)
    payment = visible_one(PatientPayment, data["payment_id"], actor, _("payment"))
    charges = refund_charges(payment, data["charge_ids"])
    amount = sum((c.amount for c in charges), ZERO) if charges else data["amount"]
    if amount is None:
        refuse({"amount": [_("give the charges to refund or an amount")]})
    if charges and data["amount"] is not None and money(data["amount"]) != amount:
        refuse({"amount": [_("the amount must be the sum of the charges refunded")]})
    left = refundable(payment)
    if money(amount) > left:
        refuse({"amount": [_("more than what was paid: %(left)s may be refunded", left=left)]})
    with transaction():
        refund = Refund(
            payment_id=payment.id,
            customer_id=payment.customer_id,
            amount=money(amount),
            currency=payment.currency,
            reason=data["reason"],
            method=data["method"] or default_method(payment),
            status="requested",
            requested_by_id=actor.id,
        )
        db.session.add(refund)
        db.session.flush()
        for charge in charges:
            charge.refund_id = refund.id
        audit(actor, refund, "create", None, snapshot(refund))
        submit_for_approval(RECORD, refund.id, actor)
    return refund


def decided(refund: Refund, outcome: str) -> None:
    """The approval engine's decision, in its transaction."""
    if refund.status != "requested":
        raise StateError({"status": [_("this refund is decided already")]})
    before = snapshot(refund)
    refund.status = "approved" if outcome == "approved" else "rejected"
    refund.decided_at = utcnow()
    if refund.status == "rejected":
        for charge in db.session.scalars(select(Charge).where(Charge.refund_id == refund.id)):
            charge.refund_id = None
    actor = current_user if getattr(current_user, "is_authenticated", False) else None
    audit(actor, refund, "update", before, snapshot(refund))


def pay_refund(refund: Refund, actor: User, *, now: datetime | None = None) -> Refund:
    """Hand an approved refund back (``his.billing.write``): it counts in
    this cashier's next settlement."""
    if refund.status != "approved":
        refuse(state={"status": [_("only an approved refund is paid out")]})
    before = snapshot(refund)
    with transaction():
        refund.status = "refunded"
        refund.refunded_at = now or utcnow()
        refund.refunded_by_id = actor.id
        payment = db.session.get(PatientPayment, refund.payment_id)
        assert payment is not None
        payment.refunded = money(payment.refunded + refund.amount)
        charges = list(db.session.scalars(select(Charge).where(Charge.refund_id == refund.id)))
        for charge in charges:
            charge.status = "refunded"
        db.session.flush()
        count_refund(refund, payment, charges)
        emit("his_refund_paid", refund=refund, charges=charges)  # an insurer gives its share back
        audit(actor, refund, "update", before, snapshot(refund))
        log_activity(
            {
                "kind": "note",
                "subject": _(
                    "Refund on receipt %(number)s: %(amount)s %(currency)s",
                    number=payment.number,
                    amount=refund.amount,
                    currency=refund.currency,
                )[:200],
                "body": _("Reason: %(reason)s", reason=refund.reason)[:20000],
                "customer_id": refund.customer_id,
                "link_type": "his_refund",
                "link_id": refund.id,
            },
            actor,
        )
    return refund


def load_refund(refund_id: int, user: User | None) -> Refund | None:
    if user is None:
        return db.session.get(Refund, refund_id)
    if not user.can("his.billing.read"):
        return None
    return db.session.scalar(visible_billing(Refund, user).where(Refund.id == refund_id))


def title(refund: Refund) -> str:
    return _(
        "Refund of %(amount)s %(currency)s: %(reason)s",
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
    )


def approvable() -> Approvable:
    return Approvable(
        RECORD,
        Refund,
        _l("Refund"),
        fields={"amount": "number", "method": "choice"},
        field_labels={"amount": _l("Amount"), "method": _l("Method")},
        customer_id=lambda refund: refund.customer_id,
        title=title,
        url=lambda refund: url_for("his.receipt", receipt_id=refund.payment_id),
        on_decided=decided,
        load=load_refund,
    )
