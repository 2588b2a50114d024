"""Payments (回款): money received against one instalment of a signed
contract.

:func:`record_payment` checks the payment against what is open and submits
it to the ``sales.payment`` approval (:mod:`.approval`): with no flow that
applies it is approved at once and confirmed; else it waits ("pending",
locked) and counts nothing until an approver decides. Confirming adds it to
the instalment's and the contract's ``collected`` in the transaction of the
decision; :func:`reverse_payment` takes a confirmed payment back out.

Every change of the sums is a conditional UPDATE (``WHERE status = …`` and
``collected + amount <= amount``), so of two confirmations racing for the
same open money the database lets one win; the other is refused (409) and
its decision is undone with it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate
from sqlalchemy import case, update

from core.api import (
    ConflictError,
    StateError,
    User,
    audit,
    db,
    emit,
    ensure_unlocked,
    instance_timezone,
    load,
    log_activity,
    refuse,
    snapshot,
    submit_for_approval,
    transaction,
    translator,
    utcnow,
)

from ...models import Contract, Instalment, Payment
from ...models.receivable import PAYMENT_METHODS
from ..report_cells import recounted_money
from ..validation import Currency, Id, Money

_, _l = translator("sales")
RECORD = "sales.payment"
#: payments are recorded against contracts in force
PAYABLE = ("signed", "active")


class PaymentInput(Schema):
    instalment_id = Id(required=True)
    amount = Money(required=True)
    currency = Currency(load_default=None, allow_none=True)
    paid_on = fields.Date(required=True)
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


def today() -> date:
    """Today in the instance's time zone: a payment cannot be dated later."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def open_amount(instalment: Instalment) -> Decimal:
    return instalment.amount - (instalment.collected or Decimal("0"))


def record_payment(contract: Contract, payload: dict, actor: User) -> Payment:
    """Record a payment on ``contract`` and submit it for approval; the
    payment comes back "confirmed" (it counts) or "pending" (it waits).

    Refused with the field named and nothing stored: an amount of 0 or more
    than is open on the instalment (the open amount is said: split the
    payment over the instalments), a currency other than the contract's, a
    date before the contract was signed (or started) or in the future, an
    instalment of another contract, a contract not signed or active."""
    data = load(PaymentInput(), payload)
    ensure_unlocked(contract, "sales.contract")
    instalment = _check(contract, data)
    with transaction():
        payment = Payment(
            contract_id=contract.id,
            instalment_id=instalment.id,
            customer_id=contract.customer_id,
            owner_id=contract.owner_id,
            team_id=contract.team_id,
            amount=data["amount"],
            currency=contract.currency,
            paid_on=data["paid_on"],
            method=data["method"],
            reference=(data["reference"] or "").strip() or None,
            note=(data["note"] or "").strip() or None,
            received_by_id=actor.id if actor else None,
            status="pending",
        )
        db.session.add(payment)
        db.session.flush()
        audit(actor, payment, "create", None, snapshot(payment))
        # no flow: approved at once, and confirmed by the approval's on_decided
        submit_for_approval(RECORD, payment.id, actor)
    return payment


def _check(contract: Contract, data: dict) -> Instalment:
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    state: dict[str, list[str]] = {}
    if contract.status not in PAYABLE:
        state["contract_id"] = [_("payments are recorded on signed or active contracts")]
    instalment = db.session.get(Instalment, data["instalment_id"])
    if instalment is None:
        missing["instalment_id"] = [_("no instalment with this id")]
    elif instalment.contract_id != contract.id:
        errors["instalment_id"] = [_("this instalment belongs to another contract")]
    if data["amount"] <= 0:
        errors["amount"] = [_("a payment's amount must be above 0")]
    elif instalment is not None and instalment.contract_id == contract.id:
        still_open = open_amount(instalment)
        if data["amount"] > still_open:
            errors["amount"] = [
                _(
                    "only %(open)s is open on instalment %(number)d: record %(open)s here "
                    "and the rest against the next instalment",
                    open=still_open,
                    number=instalment.number,
                )
            ]
    if data["currency"] is not None and data["currency"] != contract.currency:
        errors["currency"] = [_("the contract is in %(currency)s", currency=contract.currency)]
    floor = contract.signed_date or contract.start_date
    if floor is not None and data["paid_on"] < floor:
        errors["paid_on"] = [
            _("before the contract was signed (%(day)s)", day=floor.isoformat())
            if contract.signed_date
            else _("before the contract starts (%(day)s)", day=floor.isoformat())
        ]
    elif data["paid_on"] > today():
        errors["paid_on"] = [_("a payment cannot be dated in the future")]
    refuse(errors, missing=missing, state=state)
    return instalment  # type: ignore[return-value]  # refuse() raised when it is None


def confirm(payment: Payment, actor: User | None) -> None:
    """Count ``payment`` (in the caller's transaction): "pending" becomes
    "confirmed", its amount joins the instalment's and the contract's
    ``collected``, the instalment is settled on ``paid_on`` when paid in
    full. The customer's timeline says so; ``trellis_sales_payment_received``
    fires after the commit."""
    db.session.flush()
    _move(payment, "pending", "confirmed", confirmed_at=utcnow())
    amount = payment.amount
    if payment.instalment_id is not None:
        after = Instalment.collected + amount
        counted = db.session.execute(
            update(Instalment)
            .where(Instalment.id == payment.instalment_id, after <= Instalment.amount)
            .values(
                collected=after,
                settled_on=case((after >= Instalment.amount, payment.paid_on), else_=None),
                version=Instalment.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if counted.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            instalment = db.session.get(Instalment, payment.instalment_id)
            db.session.refresh(instalment)
            raise StateError(
                {
                    "amount": [
                        _(
                            "only %(open)s is open on instalment %(number)d now: another "
                            "payment was counted first",
                            open=open_amount(instalment),
                            number=instalment.number,
                        )
                    ]
                }
            )
    _add_to_contract(payment.contract_id, amount)
    _reload(payment)
    audit(actor, payment, "confirm", None, {"status": "confirmed"})
    _timeline(
        payment,
        actor,
        _(
            "Payment of %(amount)s %(currency)s received (%(number)s)",
            amount=payment.amount,
            currency=payment.currency,
            number=payment.contract.number,
        ),
    )
    emit("sales_payment_received", payment=payment)


def reject(payment: Payment, actor: User | None, outcome: str = "rejected") -> None:
    """The approver said no (``outcome`` "rejected") or the submitter took
    the request back ("withdrawn"): it never counts."""
    db.session.flush()
    _move(payment, "pending", outcome)
    _reload(payment)
    audit(
        actor, payment, "reject" if outcome == "rejected" else "withdraw", None, {"status": outcome}
    )


def reverse_payment(payment: Payment, reason: str | None, actor: User | None) -> Payment:
    """Take a confirmed payment back out of the instalment's and the
    contract's ``collected`` (the money went back): the instalment is open
    again and may be collected anew. ``reason`` is required."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    state: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("say why the payment is reversed")]
    elif len(reason) > 200:
        errors["reason"] = [_("at most %(n)d characters", n=200)]
    if payment.status != "confirmed":
        state["status"] = [_("only a confirmed payment can be reversed")]
    refuse(errors, state=state)
    with transaction():
        db.session.flush()
        _move(payment, "confirmed", "reversed", reversed_at=utcnow(), reversal_reason=reason)
        if payment.instalment_id is not None:
            db.session.execute(
                update(Instalment)
                .where(Instalment.id == payment.instalment_id)
                .values(
                    collected=Instalment.collected - payment.amount,
                    settled_on=None,
                    version=Instalment.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
        _add_to_contract(payment.contract_id, -payment.amount)
        _reload(payment)
        audit(actor, payment, "reverse", {"status": "confirmed"}, {"status": "reversed"})
        _timeline(
            payment,
            actor,
            _(
                "Payment of %(amount)s %(currency)s reversed (%(number)s)",
                amount=payment.amount,
                currency=payment.currency,
                number=payment.contract.number,
            ),
            body=reason,
        )
    return payment


def _move(payment: Payment, from_status: str, to_status: str, **values) -> None:
    """Change the status only if it still is ``from_status`` (else someone
    else moved it first: 409). The money report cells move with it."""
    with recounted_money(payments=Payment.id == payment.id):
        moved = db.session.execute(
            update(Payment)
            .where(Payment.id == payment.id, Payment.status == from_status)
            .values(status=to_status, version=Payment.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
    if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        raise ConflictError(
            _("This payment was changed by someone else at the same moment; open it again."),
            kind="payment-race",
            title=_("Changed by someone else"),
        )


def _add_to_contract(contract_id: int, amount: Decimal) -> None:
    db.session.execute(
        update(Contract)
        .where(Contract.id == contract_id)
        .values(collected=Contract.collected + amount, version=Contract.version + 1)
        .execution_options(synchronize_session=False)
    )


def _reload(payment: Payment) -> None:
    """The rows were changed in SQL: read them again (their versions too)."""
    db.session.refresh(payment)
    for record in (payment.instalment, payment.contract):
        if record is not None:
            db.session.refresh(record)


def _timeline(payment: Payment, actor: User | None, subject: str, body: str | None = None) -> None:
    log_activity(
        {
            "kind": "sales_payment",
            "subject": subject[:200],
            "body": body,
            "customer_id": payment.customer_id,
            "link_type": "sales_payment",  # shown to who may see the payment
            "link_id": payment.id,
        },
        actor,
    )
