"""Agent production (业绩) and commission variance (佣金差异) as reports
(plan §3.8), over a period of whole months, money per currency.

- **Agent production**, per agent and currency in the leaderboard's order:
  new business (term-1 policies issued: count, APE), renewals (later terms
  issued: count, Σ annual premium), written premium (Σ premium delta of
  the transactions booked), lapses (lapse transactions booked) and the
  commission earned (Σ ``agent_amount`` of the period's lines). New
  business, renewals and commission are the leaderboard's sums
  (``services/commission/leaderboard.py``); written premium and lapses are
  the premium report's and the lapse rate's figures per agent, in one
  query. All read through the scoped queries, so an agent sees only their
  own rows and a manager their team's.
  Terms and lines with no agent are left out.
- **Commission variance**, per carrier, month and currency: the carrier
  statements of the month added up (``statements.month_totals``) —
  received, expected, variance (received − expected), rows matched and
  not. Statements belong to the agency, not to an agent: whoever may
  import them (``insurance.commission.write``) sees them whole, as on the
  statements' pages.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, func, select

from core.api import db

from ...models import PolicyTransaction as T
from ..access import visible_transactions
from ..commission.leaderboard import agent_names, earned_by_agent, issued_by_agent, ranked
from ..commission.statements import month_totals
from .period import Period, labels, month_key
from .sql import cents

ZERO = Decimal("0.00")
#: an agent's figures in one currency, in the order of the report's columns
MEASURES = ("new_count", "ape", "renewals", "renewal_ape", "written", "lapses", "commission")
VARIANCE = ("statements", "received", "expected", "variance", "matched", "unmatched")
COUNTS = {"new_count", "renewals", "lapses", "statements", "matched", "unmatched"}


def _zero(measures) -> dict:
    return {m: 0 if m in COUNTS else ZERO for m in measures}


def _totals(rows: list[dict], measures) -> list[dict]:
    """Per currency, the rows' measures added up."""
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row["currency"], {"currency": row["currency"], **_zero(measures)})
        for m in measures:
            total[m] += row[m]
    return sorted(totals.values(), key=lambda t: t["currency"])


def agent_production(user, period: Period, group_by: str = "agent", currency=None) -> dict:
    """Per agent and currency (ranked within each currency as the
    leaderboard is: APE, then new business count, then commission): new
    business, renewals, written premium, lapses and commission earned."""
    start, end = period.first, period.last
    found: dict[tuple[int, str], dict] = {}

    def figures(agent_id: int, cur: str) -> dict:
        return found.setdefault((agent_id, cur), _zero(MEASURES))

    for (agent_id, cur), issued in issued_by_agent(user, start, end).items():
        if currency and cur != currency:
            continue
        row = figures(agent_id, cur)
        row["new_count"], row["ape"] = issued.new_count, issued.ape
        row["renewals"], row["renewal_ape"] = issued.renewals, issued.renewal_ape
    for (agent_id, cur), amount in earned_by_agent(user, start, end).items():
        if not currency or cur == currency:
            figures(agent_id, cur)["commission"] = amount
    for agent_id, cur, written, lapses in _booked(user, period, currency):
        row = figures(agent_id, cur)
        row["written"], row["lapses"] = cents(written), int(lapses or 0)
    names, codes = agent_names(agent_id for agent_id, _c in found)
    order = {m: (found[m]["new_count"], found[m]["ape"], found[m]["commission"]) for m in found}
    rows = [
        {
            "group": str(agent_id),
            "label": names.get(agent_id, str(agent_id)),
            "code": codes.get(agent_id),
            "rank": rank,
            "currency": cur,
            **found[(agent_id, cur)],
        }
        for rank, (agent_id, cur) in ranked(order, names)
    ]
    return {"rows": rows, "totals": _totals(rows, MEASURES)}


def _booked(user, period: Period, currency) -> list:
    """Per agent and currency, of the transactions booked in the period: the
    written premium (Σ premium delta: the premium report's ``written`` by
    agent, without its split by day) and the lapses (the lapse rate's
    count) — one pass over the period's transactions."""
    lapse = case((T.kind == "lapse", 1), else_=0)
    query = visible_transactions(
        user, select(T.agent_id, T.currency, func.sum(T.premium_delta), func.sum(lapse))
    ).where(T.booked_on >= period.first, T.booked_on <= period.last, T.agent_id.is_not(None))
    if currency:
        query = query.where(T.currency == currency)
    return list(db.session.execute(query.group_by(T.agent_id, T.currency)))


def commission_variance(user, period: Period, group_by: str = "carrier", currency=None) -> dict:
    """Per carrier, month and currency: the carrier statements of the
    period's months added up — received, expected, variance, rows matched
    and unmatched."""
    found = month_totals(period.first, period.last, currency)
    names = labels("carrier", {str(r["carrier_id"]) for r in found})
    rows = [
        {
            "group": str(r["carrier_id"]),
            "label": names[str(r["carrier_id"])],
            "month": month_key(r["month"]),
            "currency": r["currency"],
            **{m: r[m] for m in VARIANCE},
        }
        for r in found
    ]
    rows.sort(key=lambda r: (r["month"], str(r["label"]).lower(), r["currency"]))
    return {"rows": rows, "totals": _totals(rows, VARIANCE)}
