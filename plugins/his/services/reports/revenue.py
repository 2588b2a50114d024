"""Revenue (收入) by charge category and by payment method, refunds
subtracted, in the instance's currency.

- By category: the charges paid by the payments taken in the period, less
  the charges given back by the refunds paid out in it. A refund of an
  amount rather than of named charges has no category: it is subtracted
  from the total as "refunds not tied to a charge".
- By method: the tenders of the payments taken in the period, less the
  refunds paid out in it by the method they were paid out with.

Read from the revenue cells (``models.revenue``), which the payment and the
refund add to in their own transaction: a period is its local days' cells,
whatever the number of charge lines behind them.

A charge belongs to the department of its visit, else of its registration
(copied onto it when written); a payment (and its refunds) to the
departments of its charges. A user who does not see every department, or
who asks for one, gets the charges of their departments and the payments
with a charge there — a payment for several departments' charges counts
whole under each of them, and once for who sees them all. For such a user
the departments are the scope. The cells count money whoever's it was: a
patient in the recycle bin paid what they paid, so the revenue of the day
keeps it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.api import User, db, instance_currency

from ...models import RevenueCell, RevenueMethodCell
from ...models.billing import PRICE_CATEGORIES, TENDER_METHODS
from ..billing.revenue_cells import key_departments
from ..bookings.access import visible_department_ids
from .scope import Period

ZERO = Decimal("0.00")


def money(cents) -> Decimal:
    """Whole cents (a database sum) as an amount."""
    return Decimal(int(cents or 0)).scaleb(-2)


def _category_sums(user: User, period: Period, currency: str, department: int | None):
    """``{category: (charged, refunded)}`` of the departments ``user`` sees
    (and ``department`` when given)."""
    cell = RevenueCell
    query = select(
        cell.category, func.sum(cell.charged_cents), func.sum(cell.refunded_cents)
    ).where(cell.day >= period[0], cell.day <= period[1], cell.currency == currency)
    if department is not None:
        query = query.where(cell.department_id == department)
    seen = visible_department_ids(user)
    if seen is not None:
        query = query.where(cell.department_id.in_(seen))
    rows = db.session.execute(query.group_by(cell.category))
    return {category: (money(charged), money(refunded)) for category, charged, refunded in rows}


def _wanted_departments(user: User, department: int | None) -> set[int] | None:
    """The departments whose payments count; None: every payment."""
    seen = visible_department_ids(user)
    wanted = None if seen is None else set(db.session.scalars(seen))
    if department is not None:
        wanted = {department} if wanted is None else wanted & {department}
    return wanted


def _method_sums(user: User, period: Period, currency: str, department: int | None):
    """``{method: [taken, refunded, untied]}`` of the payments with a charge
    in the departments wanted (each key of departments read once, then
    kept when it names one of them)."""
    cell = RevenueMethodCell
    query = (
        select(
            cell.departments,
            cell.method,
            func.sum(cell.taken_cents),
            func.sum(cell.refunded_cents),
            func.sum(cell.untied_cents),
        )
        .where(cell.day >= period[0], cell.day <= period[1], cell.currency == currency)
        .group_by(cell.departments, cell.method)
    )
    wanted = _wanted_departments(user, department)
    sums: dict[str, list[int]] = {}
    for departments, method, taken, refunded, untied in db.session.execute(query):
        if wanted is not None and not key_departments(departments) & wanted:
            continue
        found = sums.setdefault(method, [0, 0, 0])
        for n, value in enumerate((taken, refunded, untied)):
            found[n] += int(value or 0)
    return {method: [money(value) for value in values] for method, values in sums.items()}


def revenue_figures(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Revenue in ``period`` by category and by method (every one listed, 0
    included), with the totals, of what ``user`` may see."""
    currency = instance_currency()
    categories = _category_sums(user, period, currency, department)
    methods = _method_sums(user, period, currency, department)
    charged = {key: sums[0] for key, sums in categories.items() if sums[0]}
    given_back = {key: sums[1] for key, sums in categories.items()}
    taken = {key: sums[0] for key, sums in methods.items() if sums[0]}
    paid_out = {key: sums[1] for key, sums in methods.items()}
    unassigned = sum((sums[2] for sums in methods.values()), ZERO)
    by_category = [
        {
            "category": key,
            "charged": charged.get(key, ZERO),
            "refunded": given_back.get(key, ZERO),
            "net": charged.get(key, ZERO) - given_back.get(key, ZERO),
        }
        for key in (*PRICE_CATEGORIES, *sorted(set(charged) - set(PRICE_CATEGORIES)))
    ]
    by_method = [
        {
            "method": key,
            "taken": taken.get(key, ZERO),
            "refunded": paid_out.get(key, ZERO),
            "net": taken.get(key, ZERO) - paid_out.get(key, ZERO),
        }
        for key in (*TENDER_METHODS, *sorted(set(taken) - set(TENDER_METHODS)))
    ]
    total_charged = sum(charged.values(), ZERO)
    total_refunded = sum(given_back.values(), ZERO) + unassigned
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
