"""A cashier's daily settlement (日结).

Closing counts the cashier's payments and paid-out refunds not in a
settlement yet — whatever their day, so a payment taken after closing
belongs to the next one — by method: collected (a cash tender counts what
stayed in the drawer, change already handed back), refunded, and the cash
that should be in the drawer. One settlement per cashier and day: closing
twice is refused on ``day`` (the unique index settles a race)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.api import (
    User,
    audit,
    db,
    instance_currency,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import TENDER_METHODS, PatientPayment, PaymentTender, Refund, Settlement
from .charges import local_day

_, _l = translator("his")

ZERO = Decimal("0")


@dataclass
class Totals:
    """What a settlement adds up (also shown before closing)."""

    payment_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    collected: dict[str, Decimal] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total_collected(self) -> Decimal:
        return sum(self.collected.values(), ZERO)

    @property
    def total_refunded(self) -> Decimal:
        return sum(self.refunded.values(), ZERO)

    @property
    def cash_in_drawer(self) -> Decimal:
        return self.collected.get("cash", ZERO) - self.refunded.get("cash", ZERO)


def open_totals(cashier_id: int, until: datetime) -> Totals:
    """The cashier's unsettled payments and refunds up to ``until``."""
    totals = Totals(
        collected={m: ZERO for m in TENDER_METHODS},
        refunded={m: ZERO for m in TENDER_METHODS if m != "insurance"},
    )
    payments = select(PatientPayment.id).where(
        PatientPayment.cashier_id == cashier_id,
        PatientPayment.settlement_id.is_(None),
        PatientPayment.paid_at <= until,
    )
    totals.payment_ids = list(db.session.scalars(payments.order_by(PatientPayment.id)))
    for method, amount in db.session.execute(
        select(PaymentTender.method, PaymentTender.amount).where(
            PaymentTender.payment_id.in_(totals.payment_ids)
        )
    ):
        totals.collected[method] += amount
    for refund_id, method, amount in db.session.execute(
        select(Refund.id, Refund.method, Refund.amount)
        .where(
            Refund.refunded_by_id == cashier_id,
            Refund.status == "refunded",
            Refund.settlement_id.is_(None),
            Refund.refunded_at <= until,
        )
        .order_by(Refund.id)
    ):
        totals.refund_ids.append(refund_id)
        totals.refunded[method] = totals.refunded.get(method, ZERO) + amount
    return totals


def strings(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {method: f"{amount:.2f}" for method, amount in amounts.items()}


def close_settlement(
    actor: User, *, day: date | None = None, now: datetime | None = None
) -> Settlement:
    """Close ``actor``'s settlement of ``day`` (today by default)."""
    now = now or utcnow()
    day = day or local_day(now)
    closed = db.session.scalar(
        select(Settlement.id).where(Settlement.cashier_id == actor.id, Settlement.day == day)
    )
    if closed is not None:
        refuse(taken={"day": [_("this day's settlement is closed already")]})
    totals = open_totals(actor.id, now)
    try:
        with transaction():
            settlement = Settlement(
                cashier_id=actor.id,
                day=day,
                currency=instance_currency(),
                collected=strings(totals.collected),
                refunded=strings(totals.refunded),
                payment_count=len(totals.payment_ids),
                refund_count=len(totals.refund_ids),
                total_collected=totals.total_collected,
                total_refunded=totals.total_refunded,
                cash_in_drawer=totals.cash_in_drawer,
                closed_at=now,
            )
            db.session.add(settlement)
            db.session.flush()
            for model, ids in ((PatientPayment, totals.payment_ids), (Refund, totals.refund_ids)):
                if ids:
                    db.session.execute(
                        update(model)
                        .where(model.id.in_(ids), model.settlement_id.is_(None))
                        .values(settlement_id=settlement.id)
                        .execution_options(synchronize_session=False)
                    )
            audit(actor, settlement, "create", None, snapshot(settlement))
    except IntegrityError:  # the same cashier closed the day at the same moment
        refuse(taken={"day": [_("this day's settlement is closed already")]})
    return settlement
