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
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import add_months, db

from ...models import Policy
from ..access import visible_policies
from ..terms import today
from .period import Period, group_key, labels, month_of, ratio, sort_rows

HORIZONS = (13, 25)


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


def persistency(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per inception month (or group) and currency: for 13 and 25 months, the
    cohort reached (count, APE), the kept part, the pending ones, and the
    premium- and count-basis rates."""
    now = today()
    query = visible_policies(
        user,
        select(
            Policy.inception_on,
            Policy.currency,
            Policy.annual_premium,
            Policy.p13,
            Policy.p25,
            Policy.cancelled_on,
            Policy.cooling_off_ends_on,
            Policy.carrier_id,
            Policy.product_id,
            Policy.line,
            Policy.agent_id,
        ),
    ).where(
        Policy.term_no == 1,
        Policy.issued_on.is_not(None),
        Policy.inception_on >= period.first,
        Policy.inception_on <= period.last,
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    found: dict[tuple, dict] = {}
    for row in db.session.execute(query):
        inception, cur, ape, p13, p25 = row[:5]
        cancelled_on, cooling_off_ends_on = row[5:7]
        if cancelled_on and cooling_off_ends_on and cancelled_on <= cooling_off_ends_on:
            continue  # cancelled in the cooling-off period: never in a cohort
        key = group_key(group_by, month_of(inception), *row[7:])
        figures = found.setdefault((key, cur), _empty(key, cur))
        for n, kept in ((13, p13), (25, p25)):
            if add_months(inception, n) > now:
                continue
            if kept is None:
                figures[f"p{n}_pending"] += 1
                continue
            figures[f"p{n}_count"] += 1
            figures[f"p{n}_ape"] += ape
            if kept:
                figures[f"p{n}_kept"] += 1
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
