"""What patients pay: ``his.payment``.

A payment (收费 receipt) counts its ``total`` — the charges it settled,
whoever paid them (the patient, or an insurer's share among its tenders) —
at ``paid_at``; a refund counts its amount, negative, when it was paid out
(``refunded_at``): asked for, approved or rejected, it has given nothing
back yet. So a period's sum is what the hospital kept. Payments are never
deleted (a mistake is refunded). Only money in the instance's currency
counts (Trellis keeps no exchange rates).

The reader's period falls on ``paid_at`` (indexed) and on the refunds'
``(status, refunded_at)`` index.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, select, union_all

from core.api import instance_currency

from ...models import PatientPayment, Refund


def payments() -> CompoundSelect:
    """``(customer_id, occurred_at, amount)``: payments and refunds paid out."""
    currency = instance_currency()
    taken = select(
        PatientPayment.customer_id.label("customer_id"),
        PatientPayment.paid_at.label("occurred_at"),
        PatientPayment.total.label("amount"),
    ).where(PatientPayment.currency == currency)
    given_back = select(
        Refund.customer_id.label("customer_id"),
        Refund.refunded_at.label("occurred_at"),
        (-Refund.amount).label("amount"),
    ).where(
        Refund.status == "refunded", Refund.refunded_at.is_not(None), Refund.currency == currency
    )
    return union_all(taken, given_back)
