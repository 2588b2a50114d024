"""The claims side of the book: loss ratio (赔付率) and claim cycle time
(理赔时效), plan §3.8.

- **Claims incurred** = Σ (paid_delta + reserve_delta) of the claim events
  dated (``event_on``) in the period, scoped through the claim (an agent's:
  their policies') — read from the report cells (:mod:`..report_cells`,
  ``incurred_from_cells``); ``incurred_from_events`` adds up the events.
- **Loss ratio** = incurred ÷ earned premium (:mod:`.premium`), per group and
  currency; ``None`` while nothing was earned.
- **Claim cycle time** = the mean days from a claim's report (the
  instance's day of ``reported_at``) to the day it reached paid (or
  rejected), over the claims that reached it in the period, one decimal.
  A claim that reached it twice in the period (reopened) counts its last.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from core.api import db

from ...models import Claim, ClaimEvent
from ..access import visible_claims
from ..report_cells import cents_of, unseen_events
from .period import Period, group_key, labels, local_day, month_of, ratio, sort_rows, zone
from .premium import amounts, cell_figures, earned_figures

E = ClaimEvent
DIMENSION = {"carrier": E.carrier_id, "product": E.product_id, "line": E.line, "agent": E.agent_id}


def incurred_from_events(user, period: Period, group_by: str, currency=None) -> dict:
    """``{(group key, currency): claims incurred}`` in the period, added up
    from the claim events ``user`` sees."""
    dimension = DIMENSION.get(group_by, E.event_on)
    query = visible_claims(
        user,
        select(dimension, E.currency, func.sum(E.paid_delta + E.reserve_delta))
        .select_from(E)
        .join(Claim, Claim.id == E.claim_id),
    ).where(E.event_on >= period.first, E.event_on <= period.last)
    if currency:
        query = query.where(E.currency == currency)
    found: dict[tuple, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for value, cur, amount in db.session.execute(query.group_by(dimension, E.currency)):
        if group_by == "month":
            key = group_key("month", month_of(value), None, None, None, None)
        else:
            key = "" if value is None else str(value)
        found[(key, cur)] += Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    return found


def incurred_from_cells(user, period: Period, group_by: str, currency=None) -> dict:
    """The same figures from the report cells, less the events of customers
    ``user`` does not see."""
    found = cell_figures("incurred", user, period, group_by, currency)
    unseen = unseen_events(user, period.first, period.last, currency)
    for row in db.session.execute(unseen) if unseen is not None else ():
        dims = (row.carrier_id, row.product_id, row.line, row.agent_id)
        figure = found[(group_key(group_by, month_of(row.event_on), *dims), row.currency)]
        figure[0] -= 1
        figure[1] -= cents_of(row.paid_delta or 0) + cents_of(row.reserve_delta or 0)
    return amounts(found)


def incurred(user, period: Period, group_by: str, currency=None) -> dict[tuple, Decimal]:
    """``{(group key, currency): claims incurred}`` in the period (from the cells)."""
    return incurred_from_cells(user, period, group_by, currency)


def loss_ratio(
    user, period: Period, group_by: str = "month", currency=None, earned: dict | None = None
) -> dict:
    """Claims incurred, earned premium and their ratio per group and currency;
    ``earned`` (``{(group key, currency): amount}``) when the caller has it
    already, as the reports page has from the premium report."""
    spent = incurred(user, period, group_by, currency)
    if earned is None:
        earned = earned_figures(user, period, group_by, currency)
    keys = set(spent) | set(earned)
    names = labels(group_by, {k for k, _c in keys})
    rows = []
    totals: dict[str, dict] = {}
    for key, cur in keys:
        row = {
            "group": key,
            "label": names[key],
            "currency": cur,
            "incurred": spent.get((key, cur), Decimal("0.00")),
            "earned": earned.get((key, cur), Decimal("0.00")),
        }
        row["ratio"] = ratio(row["incurred"], row["earned"])
        rows.append(row)
        total = totals.setdefault(
            cur, {"currency": cur, "incurred": Decimal("0.00"), "earned": Decimal("0.00")}
        )
        total["incurred"] += row["incurred"]
        total["earned"] += row["earned"]
    for total in totals.values():
        total["ratio"] = ratio(total["incurred"], total["earned"])
    return {
        "rows": sort_rows(rows, group_by),
        "totals": sorted(totals.values(), key=lambda t: t["currency"]),
    }


def _mean(total_days: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total_days) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def claim_cycle(user, period: Period, group_by: str = "month", currency=None) -> dict:
    """Per group (the month a claim was settled): how many claims were paid
    and rejected, and the mean days from report to that, for each and all."""
    query = visible_claims(
        user,
        select(
            E.claim_id,
            E.to_status,
            E.event_on,
            Claim.reported_at,
            E.carrier_id,
            E.product_id,
            E.line,
            E.agent_id,
        )
        .select_from(E)
        .join(Claim, Claim.id == E.claim_id),
    ).where(
        E.event_on >= period.first, E.event_on <= period.last, E.to_status.in_(("paid", "rejected"))
    )
    if currency:
        query = query.where(E.currency == currency)
    last: dict[int, tuple] = {}
    for row in db.session.execute(query.order_by(E.claim_id, E.seq)):
        last[row[0]] = row  # a claim's last settling in the period
    found: dict[str, dict] = {}
    where = zone()
    for _id, status, on, reported_at, *dims in last.values():
        key = group_key(group_by, month_of(on), *dims)
        row = found.setdefault(
            key, {"group": key, "paid": 0, "rejected": 0, "paid_days": 0, "rejected_days": 0}
        )
        row[status] += 1
        row[f"{status}_days"] += (on - local_day(reported_at, where)).days
    names = labels(group_by, found)
    total = {"paid": 0, "rejected": 0, "paid_days": 0, "rejected_days": 0}
    rows = []
    for key, row in found.items():
        for m in total:
            total[m] += row[m]
        rows.append(_cycle(row) | {"label": names[key]})
    return {"rows": sort_rows(rows, group_by), "totals": [_cycle(total)]}


def _cycle(row: dict) -> dict:
    figures = {k: v for k, v in row.items() if not k.endswith("_days")}
    figures["claims"] = row["paid"] + row["rejected"]
    figures["mean_days"] = _mean(row["paid_days"] + row["rejected_days"], figures["claims"])
    figures["paid_mean_days"] = _mean(row["paid_days"], row["paid"])
    figures["rejected_mean_days"] = _mean(row["rejected_days"], row["rejected"])
    return figures
