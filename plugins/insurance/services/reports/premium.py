"""Written and earned premium (签单保费 / 已赚保费), per currency.

- **Written** = Σ ``premium_delta`` of the transactions booked in the period
  (``booked_on``; read on the index ``(booked_on, carrier_id, product_id)``).
- **Earned** = Σ over transactions t of delta_t × |[effective_t, end_t] ∩
  period| / |[effective_t, end_t]| (days, both ends counted), end_t the term's
  ``end_date``. Each transaction is split over its months by the largest
  remainder (in cents), so its months add up exactly to its delta and a
  month's figure is the same whatever period it is read in. The months are
  added up in advance in the report cells (:mod:`..report_cells`), which
  the report sums (``earned_from_cells``); ``earned_from_transactions`` is
  the same figure split from the transactions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.api import User, db

from ...models import Policy, PolicyTransaction
from ..access import visible_transactions
from ..report_cells import cells, cents_of, split_cents, unseen_transactions
from ..report_cells.earned import transactions
from .period import Period, group_key, labels, month_key, month_of, sort_rows

T = PolicyTransaction
CENTS = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: the column of each grouping on a transaction
DIMENSION = {"carrier": T.carrier_id, "product": T.product_id, "line": T.line, "agent": T.agent_id}


def split_by_month(delta: Decimal, start: date, end: date) -> dict[date, Decimal]:
    """:func:`split_cents` of an amount: ``{first of month: part}``."""
    cents = int(Decimal(delta) * CENTS)
    return {m: (Decimal(part) / CENTS).quantize(CENT) for m, part in split_cents(cents, start, end)}


def _written(user: User | None, period: Period, group_by: str, currency: str | None) -> dict:
    dimension = DIMENSION.get(group_by)
    columns = [T.booked_on, T.currency, func.sum(T.premium_delta)]
    if dimension is not None:
        columns.insert(1, dimension)
    query = visible_transactions(user, select(*columns)).where(
        T.booked_on >= period.first, T.booked_on <= period.last
    )
    if currency:
        query = query.where(T.currency == currency)
    query = query.group_by(*[c for c in columns if c is not columns[-1]])
    found: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for row in db.session.execute(query):
        booked, value = row[0], row[-1]
        if group_by == "month":
            key = group_key("month", month_of(booked), None, None, None, None)
        else:
            key = "" if row[1] is None else str(row[1])
        found[(key, row[-2])] += Decimal(value or 0)
    return found


def _split(found: dict, rows, period: Period, group_by: str, sign: int = 1) -> None:
    """Add (``sign`` 1) or take off (-1) the parts of the transaction ``rows``
    (``report_cells.earned.COLUMNS``) earned in the period to ``found``:
    ``{(group key, currency): [parts, cents]}``."""
    by_month = group_by == "month"
    inside = {m: month_key(m) for m in period.months()}  # the period's months, by key
    for row in rows:
        if not row.premium_delta:
            continue
        effective = row.effective_on
        key = "" if by_month else group_key(group_by, effective, *_dimensions(row))
        for month, part in split_cents(cents_of(row.premium_delta), effective, row.end_date):
            if month in inside:
                figure = found[(inside[month] if by_month else key, row.currency)]
                figure[0] += sign
                figure[1] += sign * part


def _dimensions(row) -> tuple:
    return row.carrier_id, row.product_id, row.line, row.agent_id


def amounts(found: dict) -> dict:
    """``{(group key, currency): amount}`` of the groups of ``found``
    (``{(group key, currency): [parts, cents]}``) with a part left."""
    return {k: (Decimal(c) / CENTS).quantize(CENT) for k, (parts, c) in found.items() if parts > 0}


def cell_figures(kind: str, user, period: Period, group_by: str, currency=None) -> dict:
    """The report cells of ``kind`` over the period's months in ``user``'s
    scope: ``{(group key, currency): [parts, cents]}``."""
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    query = cells(kind, user, period.first, period.last, group_by, currency)
    for group, cur, parts, cents in db.session.execute(query):
        key = month_key(group) if group_by == "month" else ("" if group is None else str(group))
        figure = found[(key, cur)]
        figure[0] += int(parts)
        figure[1] += int(cents)
    return found


def earned_from_transactions(user, period: Period, group_by: str, currency=None) -> dict:
    """Earned premium as ``{(group key, currency): amount}``, split from every
    transaction ``user`` sees whose term overlaps the period."""
    query = visible_transactions(user, transactions()).where(
        T.effective_on <= period.last, Policy.end_date >= period.first
    )
    if currency:
        query = query.where(T.currency == currency)
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    _split(found, db.session.execute(query), period, group_by)
    return amounts(found)


def earned_from_cells(user, period: Period, group_by: str, currency=None) -> dict:
    """The same figures from the report cells: the period's months summed in
    SQL, less the transactions of customers ``user`` does not see."""
    found = cell_figures("earned", user, period, group_by, currency)
    unseen = unseen_transactions(user, period.first, period.last, currency)
    if unseen is not None:
        _split(found, db.session.execute(unseen), period, group_by, -1)
    return amounts(found)


def _earned(user: User | None, period: Period, group_by: str, currency: str | None) -> dict:
    return earned_from_cells(user, period, group_by, currency)


def _rows(figures: dict[str, dict], group_by: str) -> dict:
    keys = {k for measure in figures.values() for k in measure}
    names = labels(group_by, {k for k, _c in keys})
    rows = [
        {
            "group": key,
            "label": names[key],
            "currency": cur,
            **{m: figures[m].get((key, cur), ZERO) for m in figures},
        }
        for key, cur in keys
    ]
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["currency"], {"currency": row["currency"], **{m: ZERO for m in figures}}
        )
        for m in figures:
            total[m] += row[m]
    return {"rows": sort_rows(rows, group_by), "totals": sorted(totals.values(), key=_currency)}


def _currency(row: dict) -> str:
    return row["currency"]


def written_premium(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Written premium per group and currency."""
    return _rows({"written": _written(user, period, group_by, currency)}, group_by)


def earned_premium(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Earned premium per group and currency."""
    return _rows({"earned": _earned(user, period, group_by, currency)}, group_by)


def earned_figures(user, period: Period, group_by: str, currency=None) -> dict:
    """Earned premium as ``{(group key, currency): amount}`` (the loss ratio's basis)."""
    return _earned(user, period, group_by, currency)


def premium(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Written and earned premium side by side, per group and currency."""
    return _rows(
        {
            "written": _written(user, period, group_by, currency),
            "earned": _earned(user, period, group_by, currency),
        },
        group_by,
    )
