"""Account-manager KPIs (客户经理考核): one row per owner of the deals the
user may see, for deals closed in the period.

Definitions (the same on the page and in the API):

- **new customers won** — customers whose first won deal ever (any owner's;
  a customer is new to the company, not to the rep) closed in the period,
  counted for the owner of that deal;
- **won / lost / conversion rate** — deals closed in the period; conversion
  = won / (won + lost);
- **average customer value** — per currency: won amount in the period /
  distinct customers with a won deal in the period;
- **valuable customers lost** — distinct customers with a deal lost in the
  period who are grade A, or whose won deals (all time) add up to at least
  ``valuable_amount`` in one currency;
- **follow-up punctuality** — the owner's follow-up tasks (core activities
  of kind ``task``) due in the period and already due: the share done by
  their due time (``done_at <= due_at``). Tasks count when their owner is
  someone whose records the user may see (core's scope helper applied to
  the owner: a rep sees their own, a manager their team's).

``pipeline_id`` and ``source`` narrow the deals; tasks belong to no
pipeline, so only the period, ``owner_id`` and ``team_id`` narrow them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from marshmallow import ValidationError as SchemaError
from marshmallow import fields
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from core.api import Activity, Customer, User, db, scoped, translator, utcnow

from .models import Deal, Stage
from .reports import ReportArgs, in_period, money, names, ratio, report_deals, report_settings

_, _l = translator("sales")


def _zero_or_more(amount: Decimal) -> None:
    """Not validate.Range: its decimal bounds break the OpenAPI document."""
    if not 0 <= amount < 10**12:
        raise SchemaError(_("must be 0 or more and less than 1000000000000"))


class KpiArgs(ReportArgs):
    valuable_amount = fields.Decimal(
        load_default=Decimal("100000"), places=2, as_string=True, validate=_zero_or_more,
        metadata={"description": "won amount (in one currency, 0 or more) that makes a "
                                 "customer valuable"})


def kpis(user: User, args: dict) -> list[dict]:
    """One row per owner (sorted by name); see the module docstring."""
    report_settings()
    stages = db.session.execute(select(Stage.id, Stage.outcome)).all()
    won_ids = [s.id for s in stages if s.outcome == "won"]
    lost_ids = [s.id for s in stages if s.outcome == "lost"]
    rows: dict[int | None, dict] = defaultdict(_empty_row)
    _closed_deals(user, args, won_ids, lost_ids, rows)
    _punctuality(user, args, rows)
    labels = names(User, set(rows))
    result = []
    for owner_id, row in rows.items():
        row.update(owner_id=owner_id, name=labels.get(owner_id, ""),
                   conversion_rate=ratio(row["won"], row["won"] + row["lost"]),
                   punctuality=ratio(row["tasks_on_time"], row["tasks_due"]))
        row["customer_value"] = [
            {"currency": c, "won_amount": money(amount), "customers": n,
             "average": money(amount / n if n else 0)}
            for c, (amount, n) in sorted(row["customer_value"].items())]
        result.append(row)
    return sorted(result, key=lambda r: (r["name"], r["owner_id"] or 0))


def _empty_row() -> dict:
    return {"new_customers": 0, "won": 0, "lost": 0, "valuable_customers_lost": 0,
            "tasks_due": 0, "tasks_on_time": 0, "customer_value": {}}


def _closed_deals(user, args, won_ids, lost_ids, rows) -> None:
    """One grouped scan of the deals closed in the period: won deals by owner
    and currency (count, amount, distinct customers, of them new ones), lost
    deals by owner (count, distinct valuable customers)."""
    is_won = Deal.stage_id.in_(won_ids)
    earlier = aliased(Deal)
    first_win = ~select(earlier.id).where(  # id, not *: the index answers it alone
        earlier.customer_id == Deal.customer_id, earlier.stage_id.in_(won_ids),
        earlier.deleted_at.is_(None), earlier.closed_at < Deal.closed_at).exists()
    won = aliased(Deal)
    big = exists(select(won.currency).where(
        won.customer_id == Deal.customer_id, won.stage_id.in_(won_ids), won.deleted_at.is_(None))
        .group_by(won.currency).having(func.sum(won.amount) >= args["valuable_amount"]))
    grade_a = select(Customer.id).where(Customer.id == Deal.customer_id, Customer.grade == "A")
    valuable = or_(grade_a.exists(), big)
    keys = (Deal.owner_id, case((is_won, 1), else_=0), case((is_won, Deal.currency)))
    counted = Deal.customer_id.distinct()
    for owner_id, won_flag, currency, n, amount, customers, new, precious in db.session.execute(
            report_deals(user, args, *keys, func.count(), func.sum(Deal.amount),
                         func.count(counted),
                         func.count(case((and_(is_won, first_win), Deal.customer_id)).distinct()),
                         func.count(case((and_(~is_won, valuable), Deal.customer_id)).distinct()),
                         period_on=Deal.closed_at)
            .where(Deal.stage_id.in_(won_ids + lost_ids)).group_by(*keys)):
        row = rows[owner_id]
        if won_flag:
            row["won"] += n
            row["new_customers"] += new  # a customer's first win is one deal, one currency
            row["customer_value"][currency] = (Decimal(str(amount or 0)), customers)
        else:
            row["lost"] += n
            row["valuable_customers_lost"] = precious


def _punctuality(user, args, rows) -> None:
    """Tasks due in the period (and already due): how many were done in time."""
    on_time = func.sum(case((and_(Activity.done_at.is_not(None),
                                  Activity.done_at <= Activity.due_at), 1), else_=0))
    query = scoped(select(Activity.owner_id, func.count(), on_time)
                   .join(User, User.id == Activity.owner_id), User, user,
                   owner_attr="id", team_attr="team_id")
    query = query.where(Activity.kind == "task", Activity.deleted_at.is_(None),
                        Activity.due_at.is_not(None), Activity.due_at <= utcnow())
    if args.get("owner_id"):
        query = query.where(Activity.owner_id == args["owner_id"])
    if args.get("team_id"):
        query = query.where(User.team_id == args["team_id"])
    for owner_id, due, done in db.session.execute(
            in_period(query, Activity.due_at, args).group_by(Activity.owner_id)):
        rows[owner_id]["tasks_due"] = due
        rows[owner_id]["tasks_on_time"] = int(done or 0)
