"""Written and earned premium (签单保费 / 已赚保费), per currency.

- **Written** = Σ ``premium_delta`` of the transactions booked in the period
  (``booked_on``; read on the index ``(booked_on, carrier_id, product_id)``).
- **Earned** = Σ over transactions t of delta_t × |[effective_t, end_t] ∩
  period| / |[effective_t, end_t]| (days, both ends counted), end_t the term's
  ``end_date``. Each transaction is split over its months by the largest
  remainder (in cents), so its months add up exactly to its delta and a
  month's figure is the same whatever period it is read in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import func, select

from core.api import User, db

from ...models import Policy, PolicyTransaction
from ..access import visible_transactions
from .period import Period, group_key, labels, month_key, month_of, sort_rows

T = PolicyTransaction
CENTS = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)

#: the column of each grouping on a transaction
DIMENSION = {"carrier": T.carrier_id, "product": T.product_id, "line": T.line, "agent": T.agent_id}


@lru_cache(maxsize=8192)
def _layout(start: date, end: date) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The months of ``[start, end]`` (their first days) and the days of each
    inside it — shared by every transaction with the same dates."""
    months, insides = [], []
    cursor = start
    while cursor <= end:
        first = cursor.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append(first)
        insides.append((min(end, following - ONE_DAY) - cursor).days + 1)
        cursor = following
    return tuple(months), tuple(insides)


def split_cents(cents: int, start: date, end: date) -> list[tuple[date, int]]:
    """``cents`` spread over the months of ``[start, end]`` pro rata to their
    days, by the largest remainder (ties to the earlier month): the parts add
    up to ``cents`` exactly. ``end < start`` → all in ``start``'s month."""
    whole = (end - start).days + 1
    if whole <= 0:
        return [(start.replace(day=1), cents)]
    sign, amount = (1, cents) if cents >= 0 else (-1, -cents)
    months, insides = _layout(start, end)
    shares, remainders = [], []
    for inside in insides:
        share, remainder = divmod(amount * inside, whole)
        shares.append(share)
        remainders.append(remainder)
    left = amount - sum(shares)
    if left:
        for i in sorted(range(len(months)), key=lambda i: (-remainders[i], i))[:left]:
            shares[i] += 1
    return [(m, sign * share) for m, share in zip(months, shares, strict=True)]


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


def _earned(user: User | None, period: Period, group_by: str, currency: str | None) -> dict:
    query = visible_transactions(
        user,
        select(
            T.premium_delta,
            T.effective_on,
            Policy.end_date,
            T.carrier_id,
            T.product_id,
            T.line,
            T.agent_id,
            T.currency,
        ).join(Policy, Policy.id == T.policy_id),
    ).where(T.effective_on <= period.last, Policy.end_date >= period.first)
    if currency:
        query = query.where(T.currency == currency)
    cents: dict[tuple, int] = defaultdict(int)
    by_month = group_by == "month"
    inside = {m: month_key(m) for m in period.months()}  # the period's months, by key
    for delta, effective, end, carrier, product, line, agent, cur in db.session.execute(query):
        if not delta:
            continue
        key = None if by_month else group_key(group_by, effective, carrier, product, line, agent)
        for month, part in split_cents(int(delta * CENTS), effective, end):
            if month in inside:
                cents[(key or inside[month], cur)] += part
    return {k: (Decimal(v) / CENTS).quantize(CENT) for k, v in cents.items()}


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
