"""13- and 25-month persistency (13个月继续率), premium basis with the count
basis beside it (plan §3.8).

The cohort of a month is the term-1 policies issued with inception in that
month; a policy joins the 13-month figure once inception + 13 months ≤
today, and those cancelled on or before the end of their cooling-off period
are left out. Kept = ``policy.p13`` (set once by the job
``insurance.persistency``, :mod:`..persistency`): premium basis Σ APE kept ÷
Σ APE of the cohort, count basis kept ÷ cohort. Policies that have reached
the date but the job has not marked yet count in ``pending`` and in
neither the kept nor the cohort figures.

One SQL ``GROUP BY`` of the group (inception month, carrier, product, line
or agent), currency and the p13/p25 marks does the counting and summing;
"reached" is a condition on the inception date summed per horizon
(:func:`reached_by`), so no row of the book is read into Python.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, literal_column, or_, select

from core.api import add_months, db

from ...models import Policy
from ..access import visible_policies
from ..terms import today
from .period import Period, labels, month_key, ratio, sort_rows
from .sql import cents, month_start_of

HORIZONS = (13, 25)

#: the column of each grouping but the month
DIMENSION = {
    "carrier": Policy.carrier_id,
    "product": Policy.product_id,
    "line": Policy.line,
    "agent": Policy.agent_id,
}


def reached_by(now: date, months: int) -> date:
    """The last inception day whose ``+ months`` is on or before ``now``
    (``add_months`` keeps month ends: 31 Jan + 13 months is 28 Feb, so a
    cohort may reach the date a few days after ``now − months``)."""
    day = add_months(now, -months)
    while add_months(day + timedelta(days=1), months) <= now:
        day += timedelta(days=1)
    return day


def _empty(key: str, currency: str) -> dict:
    row: dict = {"group": key, "currency": currency}
    for n in HORIZONS:
        row |= {
            f"p{n}_count": 0,
            f"p{n}_kept": 0,
            f"p{n}_ape": Decimal("0.00"),
            f"p{n}_kept_ape": Decimal("0.00"),
            f"p{n}_pending": 0,
        }
    return row


def _rates(row: dict) -> dict:
    for n in HORIZONS:
        row[f"p{n}_rate"] = ratio(row[f"p{n}_kept_ape"], row[f"p{n}_ape"])
        row[f"p{n}_count_rate"] = ratio(row[f"p{n}_kept"], row[f"p{n}_count"])
    return row


def cohort_sums(user, period: Period, group_by: str, currency=None):
    """Per group key, currency, p13 and p25 mark: for each horizon, how many
    terms reached it and their Σ APE — ``(key, currency, p13, p25, n13,
    ape13, n25, ape25)`` rows."""
    now = today()
    group = DIMENSION.get(group_by)
    if group is None:
        group = month_start_of(Policy.inception_on)
    sums = []
    for n in HORIZONS:
        reached = Policy.inception_on <= reached_by(now, n)
        sums += [
            func.sum(case((reached, 1), else_=0)),
            func.sum(case((reached, Policy.annual_premium), else_=0)),
        ]
    query = visible_policies(
        user, select(group, Policy.currency, Policy.p13, Policy.p25, *sums)
    ).where(
        # a literal, as in the cohort index's condition (SQLite reads a partial
        # index only when the query repeats its literals)
        Policy.term_no == literal_column("1"),
        Policy.issued_on.is_not(None),
        Policy.inception_on >= period.first,
        Policy.inception_on <= period.last,
        Policy.deleted_at.is_(None),
        # cancelled in the cooling-off period: never in a cohort
        or_(
            Policy.cancelled_on.is_(None),
            Policy.cooling_off_ends_on.is_(None),
            Policy.cancelled_on > Policy.cooling_off_ends_on,
        ),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    query = query.group_by(group, Policy.currency, Policy.p13, Policy.p25)
    return db.session.execute(query).all()


def persistency(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per inception month (or group) and currency: for 13 and 25 months, the
    cohort reached (count, APE), the kept part, the pending ones, and the
    premium- and count-basis rates."""
    found: dict[tuple, dict] = {}
    for value, cur, p13, p25, *reached in cohort_sums(user, period, group_by, currency):
        if group_by == "month":
            key = month_key(value)
        else:
            key = "" if value is None else str(value)
        figures = found.setdefault((key, cur), _empty(key, cur))
        for i, (n, kept) in enumerate(((13, p13), (25, p25))):
            count, ape = int(reached[2 * i] or 0), cents(reached[2 * i + 1])
            if not count:
                continue
            if kept is None:
                figures[f"p{n}_pending"] += count
                continue
            figures[f"p{n}_count"] += count
            figures[f"p{n}_ape"] += ape
            if kept:
                figures[f"p{n}_kept"] += count
                figures[f"p{n}_kept_ape"] += ape
    names = labels(group_by, {k for k, _c in found})
    rows = [_rates(r | {"label": names[r["group"]]}) for r in found.values()]
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row["currency"], _empty("", row["currency"]))
        for name, value in row.items():
            if name.endswith(("_count", "_kept", "_ape", "_pending")):
                total[name] += value
    for total in totals.values():
        del total["group"]
        _rates(total)
    return {
        "rows": sort_rows(rows, group_by),
        "totals": sorted(totals.values(), key=lambda t: t["currency"]),
    }
