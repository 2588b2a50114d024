"""The book's counts: policies in force at each month end, new business,
the lapse rate and the renewal rate (plan §3.8), read from the policy
terms and their transactions.

**In force** on a day d: a term issued on or before d, not yet past its
end date, not yet followed by an issued renewal term, not cancelled with
effect on or before d, and not lapsed on d (a lapse takes effect on its
transaction's ``effective_on``, a reinstatement puts it back in force on
its own). It is the plan's running sum of +1 (issue, reinstate) and −1
(lapse, cancel, expire, renewed), counted from the rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.api import User, db

from ...models import Policy, PolicyTransaction
from ..access import visible_policies, visible_transactions
from ..terms import today
from .period import Period, group_key, labels, month_end, month_key, month_of, ratio, sort_rows

#: the column of each grouping on a policy term
DIMENSION = {
    "carrier": Policy.carrier_id,
    "product": Policy.product_id,
    "line": Policy.line,
    "agent": Policy.agent_id,
}
ISSUED_STATES = ("in_force", "grace", "lapsed", "cancelled", "expired", "renewed")


class Spans:
    """The in-force spans of the visible terms that touch ``[first, last]``:
    ``count(day)`` per group key."""

    def __init__(self, user: User | None, first: date, last: date, group_by: str, currency):
        successor = aliased(Policy)
        query = visible_policies(
            user,
            select(
                Policy.id,
                Policy.issued_on,
                Policy.end_date,
                Policy.cancelled_on,
                Policy.carrier_id,
                Policy.product_id,
                Policy.line,
                Policy.agent_id,
                func.min(successor.issued_on),
            )
            .outerjoin(
                successor,
                (successor.predecessor_id == Policy.id) & successor.issued_on.is_not(None),
            )
            .group_by(Policy.id),
        ).where(
            Policy.issued_on.is_not(None),
            Policy.issued_on <= last,
            Policy.end_date >= first,
            Policy.deleted_at.is_(None),
        )
        if currency:
            query = query.where(Policy.currency == currency)
        changes = self._changes(user, last, currency)
        self.group_by = group_by
        #: per group key ("" by month): the days terms came into force (issue, the
        #: end of a lapse) and the days they left it (sorted), so a day's count is
        #: two binary searches: came in on or before it − left on or before it
        self.came: dict[str, list[date]] = defaultdict(list)
        self.left: dict[str, list[date]] = defaultdict(list)
        for (
            pid,
            issued,
            end,
            cancelled_on,
            carrier,
            product,
            line,
            agent,
            renewed,
        ) in db.session.execute(query):
            stop = end + timedelta(days=1)
            if renewed is not None:
                stop = min(stop, renewed)
            moves = changes.get(pid, [])
            cancels = [on for kind, on in moves if kind == "cancellation"]
            if cancels or cancelled_on:
                stop = min(stop, min(cancels) if cancels else cancelled_on)
            if stop <= issued:
                continue  # never in force (cancelled from the start)
            key = (
                ""
                if group_by == "month"
                else group_key(group_by, end, carrier, product, line, agent)
            )
            self.came[key].append(issued)
            self.left[key].append(stop)
            lapsed_from = None
            for kind, on in [*moves, ("reinstatement", date.max)]:
                if kind == "lapse" and lapsed_from is None:
                    lapsed_from = on
                elif kind == "reinstatement" and lapsed_from is not None:
                    gap_from, gap_to = max(lapsed_from, issued), min(on, stop)
                    if gap_from < gap_to:  # out of force for [gap_from, gap_to)
                        self.left[key].append(gap_from)
                        self.came[key].append(gap_to)
                    lapsed_from = None
        for days in (*self.came.values(), *self.left.values()):
            days.sort()

    @staticmethod
    def _changes(user, last: date, currency) -> dict[int, list]:
        T = PolicyTransaction
        query = visible_transactions(user, select(T.policy_id, T.kind, T.effective_on)).where(
            T.kind.in_(("lapse", "reinstatement", "cancellation")), T.booked_on <= last
        )
        if currency:
            query = query.where(T.currency == currency)
        found: dict[int, list] = defaultdict(list)
        for pid, kind, on in db.session.execute(query.order_by(T.policy_id, T.seq)):
            found[pid].append((kind, on))
        return found

    def count(self, day: date) -> dict[str, int]:
        """How many terms of each group were in force on ``day`` (the month
        key is ``day``'s month)."""
        found = {}
        for key, came in self.came.items():
            count = bisect_right(came, day) - bisect_right(self.left[key], day)
            if count:
                found[key] = count
        if self.group_by == "month":
            return {month_key(day): found[""]} if found else {}
        return found


def in_force(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Terms in force at each month end of the period (by group when
    ``group_by`` is not month), and now."""
    now = today()
    spans = Spans(user, period.first, max(period.last, now), group_by, currency)
    rows = []
    for month in period.months():
        for key, count in spans.count(month_end(month)).items():
            rows.append({"month": month_key(month), "group": key, "count": count})
    names = labels(group_by, {r["group"] for r in rows})
    for row in rows:
        row["label"] = names[row["group"]]
    rows.sort(key=lambda r: (r["month"], str(r["label"]).lower()))
    return {"rows": rows, "totals": [{"now": sum(spans.count(now).values())}]}


def new_business(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Count and APE (Σ annual premium) of term-1 policies issued in the period."""
    dimension = DIMENSION.get(group_by, Policy.issued_on)
    query = visible_policies(
        user, select(dimension, Policy.currency, func.count(), func.sum(Policy.annual_premium))
    ).where(
        Policy.term_no == 1,
        Policy.issued_on >= period.first,
        Policy.issued_on <= period.last,
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    found: dict[tuple, list] = defaultdict(lambda: [0, Decimal("0.00")])
    for value, cur, count, ape in db.session.execute(query.group_by(dimension, Policy.currency)):
        key = month_key(value) if group_by == "month" else ("" if value is None else str(value))
        found[(key, cur)][0] += count
        found[(key, cur)][1] += Decimal(ape or 0)
    names = labels(group_by, {k for k, _c in found})
    rows = [
        {"group": k, "label": names[k], "currency": c, "count": n, "ape": ape}
        for (k, c), (n, ape) in found.items()
    ]
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["currency"], {"currency": row["currency"], "count": 0, "ape": Decimal("0.00")}
        )
        total["count"] += row["count"]
        total["ape"] += row["ape"]
    return {"rows": sort_rows(rows, group_by), "totals": sorted(totals.values(), key=str)}


def _lapses(user, first: date, last: date, group_by: str, currency) -> dict[str, int]:
    T = PolicyTransaction
    dimension = {
        "carrier": T.carrier_id,
        "product": T.product_id,
        "line": T.line,
        "agent": T.agent_id,
    }.get(group_by, T.booked_on)
    query = visible_transactions(user, select(dimension, func.count())).where(
        T.kind == "lapse", T.booked_on >= first, T.booked_on <= last
    )
    if currency:
        query = query.where(T.currency == currency)
    found: dict[str, int] = defaultdict(int)
    for value, count in db.session.execute(query.group_by(dimension)):
        key = month_key(value) if group_by == "month" else ("" if value is None else str(value))
        found[key] += count
    return found


def lapse_rate(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Lapses in each month (or the period, per group) ÷ the mean of the terms
    in force at its start (the day before) and at its end; ``None`` if 0."""
    spans = Spans(user, period.first - timedelta(days=1), period.last, group_by, currency)
    lapses = _lapses(user, period.first, period.last, group_by, currency)
    rows = []
    if group_by == "month":
        for month in period.months():
            key = month_key(month)
            start = sum(spans.count(month - timedelta(days=1)).values())
            end = sum(spans.count(month_end(month)).values())
            rows.append(_lapse_row(key, lapses.get(key, 0), start, end))
    else:
        start = spans.count(period.first - timedelta(days=1))
        # the same groups at the end, whatever month key the count carried
        end = spans.count(period.last)
        for key in set(start) | set(end) | set(lapses):
            rows.append(_lapse_row(key, lapses.get(key, 0), start.get(key, 0), end.get(key, 0)))
    names = labels(group_by, {r["group"] for r in rows})
    for row in rows:
        row["label"] = names[row["group"]]
    total_start = sum(spans.count(period.first - timedelta(days=1)).values())
    total_end = sum(spans.count(period.last).values())
    total = _lapse_row("", sum(lapses.values()), total_start, total_end)
    del total["group"]
    return {"rows": sort_rows(rows, group_by), "totals": [total]}


def _lapse_row(key: str, lapses: int, start: int, end: int) -> dict:
    return {
        "group": key,
        "lapses": lapses,
        "in_force_start": start,
        "in_force_end": end,
        "rate": ratio(lapses * 2, start + end),
    }


def renewal_rate(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Of the issued terms ending in the period (by the month they end):
    renewed ÷ (renewed + lost + expired); the open ones (still in force or in
    grace, not marked lost) are counted apart and left out of the rate."""
    successor = aliased(Policy)
    query = visible_policies(
        user,
        select(
            Policy.end_date,
            Policy.status,
            Policy.renewal_outcome,
            Policy.carrier_id,
            Policy.product_id,
            Policy.line,
            Policy.agent_id,
            func.count(successor.id),
        )
        .outerjoin(
            successor, (successor.predecessor_id == Policy.id) & successor.issued_on.is_not(None)
        )
        .group_by(Policy.id),
    ).where(
        Policy.end_date >= period.first,
        Policy.end_date <= period.last,
        Policy.status.in_(("in_force", "grace", "expired", "renewed")),
        Policy.issued_on.is_not(None),
        Policy.deleted_at.is_(None),
    )
    if currency:
        query = query.where(Policy.currency == currency)
    found: dict[str, dict] = {}
    for end, status, outcome, carrier, product, line, agent, successors in db.session.execute(
        query
    ):
        key = group_key(group_by, month_of(end), carrier, product, line, agent)
        row = found.setdefault(
            key, {"group": key, "renewed": 0, "lost": 0, "expired": 0, "open": 0}
        )
        if status == "renewed" or successors:
            row["renewed"] += 1
        elif outcome == "lost":
            row["lost"] += 1
        elif status == "expired":
            row["expired"] += 1
        else:
            row["open"] += 1
    names = labels(group_by, found)
    rows = []
    total = {"renewed": 0, "lost": 0, "expired": 0, "open": 0}
    for key, row in found.items():
        row["label"] = names[key]
        row["rate"] = ratio(row["renewed"], row["renewed"] + row["lost"] + row["expired"])
        rows.append(row)
        for m in total:
            total[m] += row[m]
    total["rate"] = ratio(total["renewed"], total["renewed"] + total["lost"] + total["expired"])
    return {"rows": sort_rows(rows, group_by), "totals": [total]}
