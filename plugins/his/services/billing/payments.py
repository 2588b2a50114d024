"""Taking a payment (收费): one patient's chosen unpaid charges, paid by one
or more tenders.

The tenders must cover the total exactly, except cash, which may exceed it
by the change handed back; anything more is an over-payment and refused. An
insurance tender is the share ``trellis_his_coverage`` answers, no more.
The receipt number is core's ``next_number`` in the payment's transaction,
so a refused or rolled-back payment gives it back: receipts have no gaps.
The charges are marked paid with one guarded UPDATE, so two cashiers
taking the same charge meet in the database: one wins, the other is
refused with nothing written. The payment is added to the revenue cells
in its transaction (``revenue_cells``). ``his_payment_received`` fires after the
commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update

from core.api import (
    StateError,
    User,
    audit,
    call_hook,
    customer_for,
    db,
    emit,
    load,
    log_activity,
    next_number,
    plugin_settings,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Charge, PatientPayment, PaymentTender
from .charges import local_day, money
from .coverage import coverage
from .inputs import HisPaymentInput
from .revenue_cells import charge_department, count_payment, departments_key

_, _l = translator("his")

ZERO = Decimal("0")
RECEIPT_PATTERN = "SF{yyyy}{mm}{dd}-{seq:05}"


def receipt_pattern() -> str:
    return str(plugin_settings("his").get("receipt_number_pattern", RECEIPT_PATTERN))


def unpaid_charges(customer_id: int) -> list[Charge]:
    """A patient's unpaid charges, oldest first (the cashier's list)."""
    return list(
        db.session.scalars(
            select(Charge)
            .where(Charge.customer_id == customer_id, Charge.status == "unpaid")
            .order_by(Charge.id)
        )
    )


def chosen_charges(customer_id: int, charge_ids: list[int]) -> list[Charge]:
    ids = sorted(set(charge_ids))
    charges = list(
        db.session.scalars(
            select(Charge)
            .where(Charge.id.in_(ids), Charge.customer_id == customer_id)
            .order_by(Charge.id)
        )
    )
    if len(charges) != len(ids):
        refuse(
            missing={"charge_ids": [_("no unpaid charge of this patient with some of these ids")]}
        )
    if any(c.status != "unpaid" for c in charges):
        refuse(state={"charge_ids": [_("some of these charges are not unpaid any more")]})
    if len({c.currency for c in charges}) > 1:
        refuse({"charge_ids": [_("these charges are in different currencies")]})
    return charges


def split_tenders(
    tenders: list[dict], total: Decimal, customer_id: int, charges: list[Charge], on: datetime
) -> tuple[list[PaymentTender], Decimal, Decimal]:
    """The tender rows, the insurance share and the change; refused when
    they pay too little, too much, or claim more insurance than covered."""
    rows: list[PaymentTender] = []
    covered = ZERO
    if sum(1 for t in tenders if t["method"] == "insurance") > 1:
        refuse({"tenders": [_("one insurance share at most")]})
    if sum(1 for t in tenders if t["method"] == "cash") > 1:
        refuse({"tenders": [_("one cash tender at most")]})
    for tender in tenders:
        if tender["method"] != "insurance":
            if tender["amount"] is None:
                refuse({"tenders": [_("give the amount of every tender but insurance")]})
            continue
        share = coverage(customer_id, local_day(on), charges)
        if share is None:
            refuse(state={"tenders": [_("no insurance covers these charges for this patient")]})
        assert share is not None
        covered = money(tender["amount"]) if tender["amount"] is not None else share.amount
        if covered > share.amount:
            message = _("the insurance covers %(amount)s at most", amount=share.amount)
            refuse({"tenders": [message]})
        rows.append(PaymentTender(method="insurance", amount=covered, payer=share.payer))
    others = [t for t in tenders if t["method"] not in ("insurance", "cash")]
    cash = next((t for t in tenders if t["method"] == "cash"), None)
    non_cash = covered + sum((money(t["amount"]) for t in others), ZERO)
    if non_cash > total:
        refuse({"tenders": [_("more than the total: over-payment is refused")]})
    handed = money(cash["amount"]) if cash else ZERO
    due_in_cash = total - non_cash
    if handed < due_in_cash:
        message = _("%(missing)s short of the total", missing=due_in_cash - handed)
        refuse({"tenders": [message]})
    for tender in others:
        rows.append(
            PaymentTender(
                method=tender["method"],
                amount=money(tender["amount"]),
                reference=tender["reference"],
            )
        )
    change = handed - due_in_cash
    if cash is not None:
        if due_in_cash <= 0:
            refuse({"tenders": [_("no cash is due: over-payment is refused")]})
        rows.append(PaymentTender(method="cash", amount=due_in_cash, tendered=handed))
    return rows, covered, change


def take_payment(
    payload: dict, actor: User | None, *, now: datetime | None = None
) -> PatientPayment:
    """Take a payment of ``charge_ids`` (``his.billing.write``)."""
    data = load(HisPaymentInput(), payload)
    customer_id = data["customer_id"]
    if customer_for(customer_id, actor) is None:
        refuse(missing={"customer_id": [_("no customer with this id")]})
    charges = chosen_charges(customer_id, data["charge_ids"])
    now = now or utcnow()
    total = sum((c.amount for c in charges), ZERO)
    tenders, covered, change = split_tenders(data["tenders"], total, customer_id, charges, now)
    with transaction():
        payment = PatientPayment(
            number=next_number("his.receipt", receipt_pattern(), on=local_day(now)),
            customer_id=customer_id,
            cashier_id=actor.id if actor else None,
            paid_at=now,
            currency=charges[0].currency,
            total=total,
            covered=covered,
            change=change,
            refunded=ZERO,
            tenders=tenders,
            departments=departments_key(charge_department(c) for c in charges),
        )
        db.session.add(payment)
        db.session.flush()
        paid = db.session.execute(
            update(Charge)
            .where(Charge.id.in_([c.id for c in charges]), Charge.status == "unpaid")
            .values(status="paid", payment_id=payment.id, version=Charge.version + 1)
            .execution_options(synchronize_session=False)
        )
        if paid.rowcount != len(charges):  # type: ignore[attr-defined]  # another cashier won
            raise StateError({"charge_ids": [_("some of these charges are not unpaid any more")]})
        for charge in charges:
            db.session.refresh(charge)
        count_payment(payment, charges)
        audit(actor, payment, "create", None, snapshot(payment))
        log_activity(
            {
                "kind": "note",
                "subject": _(
                    "Payment %(number)s: %(total)s %(currency)s",
                    number=payment.number,
                    total=total,
                    currency=payment.currency,
                )[:200],
                "customer_id": customer_id,
                "link_type": "his_payment",
                "link_id": payment.id,
            },
            actor,
        )
        call_hook("trellis_his_payment_taken", payment=payment)  # an insurer records its share
        emit("his_payment_received", payment=payment)
    return payment
