"""Revenue (收入) by charge category and by payment method, refunds
subtracted, in the instance's currency.

- By category: the charges paid by the payments taken in the period, less
  the charges given back by the refunds paid out in it. A refund of an
  amount rather than of named charges has no category: it is subtracted
  from the total as "refunds not tied to a charge".
- By method: the tenders of the payments taken in the period, less the
  refunds paid out in it by the method they were paid out with.

A charge belongs to the department of its visit, else of its registration;
a payment (and its refunds) to the departments of its charges. A user who
does not see every department, or who asks for one, gets the charges of
their departments and the payments with a charge there — a payment for
several departments' charges counts whole under each of them. For such a
user the departments are the scope: a charge there is of a patient in their
care (a visit in their team, a live booking in their department), so the
rows are checked for a live customer only — not against the list of every
patient in their care, which at a hospital's size is most of the work."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from core.api import User, customer_live, db, instance_currency

from ...models import Booking, Charge, PatientPayment, PaymentTender, Refund, Visit
from ...models.billing import PRICE_CATEGORIES, TENDER_METHODS
from ..billing.access import visible_billing
from ..bookings.access import visible_department_ids
from .scope import Period, bounds

CENT = Decimal("0.01")
#: the states of a charge that was paid (a refunded one was paid first)
PAID = ("paid", "refunded")


def cents(value) -> Decimal:
    """A database sum as exact cents (SQLite sums Numeric columns as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _department_conditions(department_of, user: User, department: int | None) -> list:
    conditions = []
    if department is not None:
        conditions.append(department_of == department)
    seen = visible_department_ids(user)
    if seen is not None:
        conditions.append(department_of.in_(seen))
    return conditions


def _in_scope(model, user: User, query):
    """``query`` over ``model`` (with a ``customer_id``) limited to what
    ``user`` sees: the billing scope for who sees every department; for a
    user limited to their departments (the caller's department conditions)
    the live customers."""
    if visible_department_ids(user) is None:
        return visible_billing(model, user, query)
    return query.where(customer_live(model.customer_id))


def _charges(query, user: User, department: int | None):
    """``query`` over charges, limited to the departments and the patients
    ``user`` sees (and to ``department`` when given). The visit and the
    registration are joined only when a department is asked about."""
    department_of = func.coalesce(Visit.department_id, Booking.department_id)
    conditions = _department_conditions(department_of, user, department)
    if conditions:
        query = (
            query.outerjoin(Visit, Visit.id == Charge.visit_id)
            .outerjoin(Booking, Booking.id == Charge.booking_id)
            .where(*conditions)
        )
    return _in_scope(Charge, user, query)


def _payments(query, payment_id, user: User, department: int | None):
    """``query`` limited to the payments (``payment_id``) with a charge in
    the departments ``user`` sees (and in ``department`` when given)."""
    charge, visit, booking = aliased(Charge), aliased(Visit), aliased(Booking)
    department_of = func.coalesce(visit.department_id, booking.department_id)
    conditions = _department_conditions(department_of, user, department)
    if not conditions:
        return query
    return query.where(
        exists(
            select(charge.id)
            .outerjoin(visit, visit.id == charge.visit_id)
            .outerjoin(booking, booking.id == charge.booking_id)
            .where(charge.payment_id == payment_id, *conditions)
        )
    )


def _sums(query) -> dict[str, Decimal]:
    return {key: cents(total) for key, total in db.session.execute(query)}


def revenue_figures(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Revenue in ``period`` by category and by method (every one listed, 0
    included), with the totals, of what ``user`` may see."""
    start, end = bounds(period)
    currency = instance_currency()
    paid_in = (PatientPayment.paid_at >= start, PatientPayment.paid_at < end)
    refunded_in = (
        Refund.status == "refunded",
        Refund.refunded_at >= start,
        Refund.refunded_at < end,
        Refund.currency == currency,
    )
    charged = _sums(
        _charges(
            select(Charge.category, func.sum(Charge.amount))
            .join(PatientPayment, PatientPayment.id == Charge.payment_id)
            .where(*paid_in, Charge.status.in_(PAID), Charge.currency == currency),
            user,
            department,
        ).group_by(Charge.category)
    )
    given_back = _sums(
        _charges(
            select(Charge.category, func.sum(Charge.amount))
            .join(Refund, Refund.id == Charge.refund_id)
            .where(*refunded_in, Charge.currency == currency),
            user,
            department,
        ).group_by(Charge.category)
    )
    untied = select(func.sum(Refund.amount)).where(
        *refunded_in, ~exists(select(Charge.id).where(Charge.refund_id == Refund.id))
    )
    untied = _payments(_in_scope(Refund, user, untied), Refund.payment_id, user, department)
    unassigned = cents(db.session.scalar(untied))
    taken = _sums(
        _payments(
            _in_scope(
                PatientPayment,
                user,
                select(PaymentTender.method, func.sum(PaymentTender.amount))
                .join(PatientPayment, PatientPayment.id == PaymentTender.payment_id)
                .where(*paid_in, PatientPayment.currency == currency),
            ),
            PatientPayment.id,
            user,
            department,
        ).group_by(PaymentTender.method)
    )
    paid_out = _sums(
        _payments(
            _in_scope(Refund, user, select(Refund.method, func.sum(Refund.amount))).where(
                *refunded_in
            ),
            Refund.payment_id,
            user,
            department,
        ).group_by(Refund.method)
    )
    zero = Decimal("0.00")
    by_category = [
        {
            "category": key,
            "charged": charged.get(key, zero),
            "refunded": given_back.get(key, zero),
            "net": charged.get(key, zero) - given_back.get(key, zero),
        }
        for key in (*PRICE_CATEGORIES, *sorted(set(charged) - set(PRICE_CATEGORIES)))
    ]
    by_method = [
        {
            "method": key,
            "taken": taken.get(key, zero),
            "refunded": paid_out.get(key, zero),
            "net": taken.get(key, zero) - paid_out.get(key, zero),
        }
        for key in (*TENDER_METHODS, *sorted(set(taken) - set(TENDER_METHODS)))
    ]
    total_charged = sum(charged.values(), zero)
    total_refunded = sum(given_back.values(), zero) + unassigned
    return {
        "currency": currency,
        "by_category": by_category,
        "unassigned_refunds": unassigned,
        "by_method": by_method,
        "totals": {
            "charged": total_charged,
            "refunded": total_refunded,
            "net": total_charged - total_refunded,
        },
    }
