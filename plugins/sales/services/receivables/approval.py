"""Payments that require approval (回款审批): the sales plugin declares its
payments to core's approval engine (``trellis_approvables``) as it does its
deals. A flow on ``amount`` or ``method`` — say, the finance manager
confirms every cash payment — keeps a payment "pending" (locked, counting
nothing) until the decision: approved, it is confirmed into the sums;
rejected or withdrawn, it never counts.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from core.api import Approvable, ApprovalRequest, User, current_user, db, translator

from ...models import Payment
from ..access import visible_records
from . import payments

_, _l = translator("sales")
RECORD = payments.RECORD


def load_payment(payment_id: int, user: User | None) -> Payment | None:
    """Any payment for core's own work (``user`` None); else one ``user``
    may see and record payments on."""
    if user is None:
        return db.session.get(Payment, payment_id)
    if not user.can("sales.payment.write"):
        return None
    return db.session.scalar(visible_records(Payment, user).where(Payment.id == payment_id))


def decided(payment: Payment, outcome: str) -> None:
    """Approved: the payment counts from now; rejected or withdrawn: never."""
    actor = current_user if getattr(current_user, "is_authenticated", False) else None
    if outcome == "approved":
        payments.confirm(payment, actor)
    else:
        payments.reject(payment, actor, outcome)


def title(payment: Payment) -> str:
    return _(
        "Payment of %(amount)s %(currency)s on %(number)s",
        amount=payment.amount,
        currency=payment.currency,
        number=payment.contract.number,
    )


def page(payment: Payment) -> str:
    """The contract's page (the payments are listed there)."""
    try:
        return url_for("sales.contract", contract_id=payment.contract_id)
    except BuildError:  # the contract pages are not there yet
        return url_for("sales.contract_receivables", contract_id=payment.contract_id)


def approvable() -> Approvable:
    return Approvable(
        RECORD,
        Payment,
        _l("Payment"),
        fields={"amount": "number", "method": "choice"},
        field_labels={"amount": _l("Amount"), "method": _l("Method")},
        customer_id=lambda payment: payment.customer_id,
        title=title,
        url=page,
        on_decided=decided,
        load=load_payment,
    )


def latest_request(payment: Payment) -> ApprovalRequest | None:
    return latest_requests([payment.id]).get(payment.id)


def latest_requests(payment_ids: list[int]) -> dict[int, ApprovalRequest]:
    """Each payment's newest approval request, in one query (a contract's
    page lists its waiting payments with theirs)."""
    if not payment_ids:
        return {}
    newest: dict[int, ApprovalRequest] = {}
    for request in db.session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == RECORD, ApprovalRequest.record_id.in_(payment_ids))
        .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
    ):
        newest.setdefault(request.record_id, request)
    return newest
