"""The account managers' four figures (客户经理 KPI), per manager and per
team, for a period, and month by month:

- **average customer value** — the money the manager's customers brought
  in the period (``core.api.money_rows``: won deals, paid work orders,
  premiums, paid visits; refunds take away) divided by their customers;
- **prospect conversion** — of the customers created in the period, the
  share that has bought (a positive money event) since;
- **valuable customers at risk** — of the customers the latest RFM run
  scored valuable (monetary score 4 or 5), the share whose churn risk is
  high (:data:`..schemas.rfm.CHURN_HIGH`);
- **data completeness** — how many of six fields a customer record should
  have are filled (phone, e-mail, industry, region, source, grade), on
  average.

Everything is counted over the customers the asker may see (core's
scope), grouped by each customer's current owner or team; money is the
kinds the asker may see. A manager is credited with their customers'
money whoever closed it — the owner is the account manager.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from core.api import Customer, Team, User, db, money_rows, scoped

from ..models import RfmScore
from ..schemas.rfm import CHURN_HIGH
from .churn import VALUABLE
from .rfm.reads import latest_run

#: the fields a complete customer record has
COMPLETE_FIELDS = ("phones", "emails", "industry", "region", "source", "grade")


def _filled() -> Any:
    """The share (0–1) of :data:`COMPLETE_FIELDS` a customer has filled."""
    flags = [
        case((func.coalesce(func.json_array_length(Customer.phones), 0) > 0, 1), else_=0),
        case((func.coalesce(func.json_array_length(Customer.emails), 0) > 0, 1), else_=0),
        case((func.coalesce(Customer.industry, "") != "", 1), else_=0),
        case((func.coalesce(Customer.region, "") != "", 1), else_=0),
        case((func.coalesce(Customer.source, "") != "", 1), else_=0),
        case((Customer.grade.is_not(None), 1), else_=0),
    ]
    total = flags[0]
    for flag in flags[1:]:
        total = total + flag
    return total * 1.0 / len(COMPLETE_FIELDS)


def figures(user: User | None, since: datetime, until: datetime, by: str = "owner") -> list[dict]:
    """One row per account manager (``by="owner"``) or team (``"team"``)
    of the customers ``user`` sees: ``customers``, ``revenue``,
    ``average_value``, ``created``, ``converted``, ``conversion``,
    ``valuable``, ``at_risk``, ``at_risk_share``, ``completeness``."""
    key = Customer.owner_id if by == "owner" else Customer.team_id
    seen = scoped(select(Customer.id, key.label("key")), Customer, user).subquery()
    rows: dict[Any, dict] = {}

    def put(query, *names):
        for found in db.session.execute(query):
            row = rows.setdefault(found[0], {"key": found[0]})
            row.update(dict(zip(names, found[1:], strict=True)))

    put(
        scoped(select(key, func.count(), func.avg(_filled())), Customer, user).group_by(key),
        "customers",
        "completeness",
    )
    created = scoped(select(key, func.count()), Customer, user).where(
        Customer.created_at >= since, Customer.created_at < until
    )
    put(created.group_by(key), "created")
    money = money_rows(user=user)
    if money is not None:
        paid = money.subquery()
        put(
            select(seen.c.key, func.sum(paid.c.amount))
            .join(seen, seen.c.id == paid.c.customer_id)
            .where(paid.c.occurred_at >= since, paid.c.occurred_at < until)
            .group_by(seen.c.key),
            "revenue",
        )
        buyers = select(paid.c.customer_id).where(paid.c.amount > 0)
        put(created.where(Customer.id.in_(buyers)).group_by(key), "converted")
    run = latest_run()
    if run is not None:
        risky = case((RfmScore.churn_score >= CHURN_HIGH, 1), else_=0)
        put(
            select(seen.c.key, func.count(), func.sum(risky))
            .join(seen, seen.c.id == RfmScore.customer_id)
            .where(RfmScore.run_id == run.id, RfmScore.m.in_(VALUABLE))
            .group_by(seen.c.key),
            "valuable",
            "at_risk",
        )
    return _finished(rows, by)


def _finished(rows: dict[Any, dict], by: str) -> list[dict]:
    names = _names(by, [k for k in rows if k is not None])
    finished = []
    for key, row in rows.items():
        customers = row.get("customers") or 0
        revenue = float(row.get("revenue") or 0)
        created, converted = row.get("created") or 0, row.get("converted") or 0
        valuable, at_risk = row.get("valuable") or 0, int(row.get("at_risk") or 0)
        finished.append(
            {
                "key": key,
                "name": names.get(key),
                "customers": customers,
                "revenue": round(revenue, 2),
                "average_value": round(revenue / customers, 2) if customers else None,
                "created": created,
                "converted": converted,
                "conversion": round(converted / created, 4) if created else None,
                "valuable": valuable,
                "at_risk": at_risk,
                "at_risk_share": round(at_risk / valuable, 4) if valuable else None,
                "completeness": round(float(row.get("completeness") or 0), 4),
            }
        )
    return sorted(finished, key=lambda r: (r["name"] is None, str(r["name"] or "")))


def _names(by: str, keys: list[int]) -> dict[int, str]:
    model = User if by == "owner" else Team
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(keys))).all())


def trend(user: User | None, months: list[tuple[datetime, datetime]]) -> dict[str, list]:
    """Month by month (``months``: their bounds, oldest first) for all the
    customers ``user`` sees: the money per customer and the conversion of
    the month's new customers (``None`` for a month without any)."""
    value, conversion = [], []
    for since, until in months:
        rows = figures(user, since, until, by="owner")
        customers = sum(r["customers"] for r in rows)
        revenue = sum(r["revenue"] for r in rows)
        created = sum(r["created"] for r in rows)
        converted = sum(r["converted"] for r in rows)
        value.append(round(revenue / customers, 2) if customers else None)
        conversion.append(round(converted / created, 4) if created else None)
    return {"average_value": value, "conversion": conversion}
