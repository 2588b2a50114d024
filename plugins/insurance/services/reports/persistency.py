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

The cohorts are added up in advance in the report cells
(:mod:`..report_cells.cohort`: count and Σ APE by inception month, the
report's dimensions and the p13/p25 marks), which the report sums in SQL
for every month a horizon either reached whole or not at all; the month
in which a horizon is reached part way ("reached" is a condition on the
inception day, :func:`reached_by`) is read from the terms themselves, with
one SQL ``GROUP BY`` (:func:`cohort_sums`). Both are narrowed by the
user's scope on agent and team, as core's ``scoped`` narrows the rows; the
terms of customers the user does not see (in the recycle bin, or moved out
of sight) are read and taken off again (``report_cells.unseen_terms``).
No more than two months' terms are read: an admin's five years at
1,000,000 terms on SQLite 825 → ~90 ms (raw SQL).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, literal_column, or_, select

from core.api import add_months, db, scoped

from ...models import Policy
from ..report_cells import cohort_cells, unseen_terms
from ..report_cells.cohort import ape_cents, in_cohort, marks
from ..terms import today
from .period import Period, group_key, labels, month_end, month_key, month_of, ratio, sort_rows
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


def _amount(cents_sum) -> Decimal:
    """A sum of cents as an amount."""
    return (Decimal(int(cents_sum or 0)) / 100).quantize(Decimal("0.01"))


def _rates(row: dict) -> dict:
    for n in HORIZONS:
        row[f"p{n}_rate"] = ratio(row[f"p{n}_kept_ape"], row[f"p{n}_ape"])
        row[f"p{n}_count_rate"] = ratio(row[f"p{n}_kept"], row[f"p{n}_count"])
    return row


def cohort_sums(user, period: Period, group_by: str, currency=None):
    """Per group key, currency, p13 and p25 mark: for each horizon, how many
    terms reached it and their Σ APE, and how many terms there are — ``(key,
    currency, p13, p25, n13, ape13, n25, ape25, terms)`` rows — read from
    the terms in ``user``'s scope by agent and team (``scoped``, as the
    cells are), customers unchecked: the caller takes the terms of
    customers the user does not see off (``report_cells.unseen_terms``).
    (Checking them here let SQLite walk a manager's customers' terms by
    customer, 0.5 s a month at 1,000,000 terms, instead of the month's
    entries of the cohort index.)"""
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
    sums.append(func.count())
    query = scoped(
        select(group, Policy.currency, Policy.p13, Policy.p25, *sums),
        Policy,
        user,
        owner_attr="agent_id",
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


def _add(found: dict, key: str, cur: str, p13, p25, sums: list, terms: int) -> None:
    """Add a group's part: ``sums`` [(count, APE)] for 13 and 25 months."""
    figures = found.setdefault((key, cur), _empty(key, cur))
    figures["terms"] = figures.get("terms", 0) + terms
    for (n, kept), (count, ape) in zip(((13, p13), (25, p25)), sums, strict=True):
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


def _key(group_by: str, value) -> str:
    if group_by == "month":
        return month_key(value)
    return "" if value is None else str(value)


def persistency(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per inception month (or group) and currency: for 13 and 25 months, the
    cohort reached (count, APE), the kept part, the pending ones, and the
    premium- and count-basis rates."""
    now = today()
    reached = {n: reached_by(now, n) for n in HORIZONS}
    # the months a horizon is reached part way: read from the terms
    edges = {month_of(day) for day in reached.values()}
    found: dict[tuple, dict] = {}
    for edge in sorted(edges):
        if period.first <= edge <= period.last:
            for value, cur, p13, p25, *reached_sums, terms in cohort_sums(
                user, Period(edge, month_end(edge)), group_by, currency
            ):
                sums = [
                    (int(reached_sums[2 * i] or 0), cents(reached_sums[2 * i + 1])) for i in (0, 1)
                ]
                _add(found, _key(group_by, value), cur, p13, p25, sums, int(terms))
    if set(period.months()) - edges:
        before = {n: month_of(day) for n, day in reached.items()}
        skip = sorted(edges)
        query = cohort_cells(user, period.first, period.last, skip, before, group_by, currency)
        for value, kind, cur, n13, c13, n25, c25, terms in db.session.execute(query):
            sums = [(int(n13 or 0), _amount(c13)), (int(n25 or 0), _amount(c25))]
            _add(found, _key(group_by, value), cur, *marks(kind), sums, int(terms))
    # the terms of customers the user does not see, counted above: taken off
    unseen = unseen_terms(user, period.first, period.last, currency)
    for row in db.session.execute(unseen) if unseen is not None else ():
        if not in_cohort(row):
            continue
        month = month_of(row.inception_on)
        key = group_key(group_by, month, row.carrier_id, row.product_id, row.line, row.agent_id)
        ape = -_amount(ape_cents(row.annual_premium))
        sums = [(-1, ape) if row.inception_on <= reached[n] else (0, ape) for n in HORIZONS]
        _add(found, key, row.currency, row.p13, row.p25, sums, -1)
    found = {k: v for k, v in found.items() if v.pop("terms") > 0}
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
