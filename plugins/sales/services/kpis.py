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

Someone who sees every deal and asks for all of them over all time (no
period, pipeline, owner, team or source) gets the deal figures from each
owner's closed deals added up per customer in advance (``CustomerKpi``,
kept with the deals by ``report_cells``): the same figures, counted over a
row per owner and customer instead of every closed deal.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from core.api import Activity, Customer, User, db, translator, utcnow

from ..models import CustomerKpi, CustomerWins, Deal, Stage
from . import report_cells
from .access import binned_customers, visible_user_ids
from .report_cells import cents
from .reports import (
    ReportArgs,
    decimal,
    in_period,
    money,
    names,
    ratio,
    report_deals,
    report_settings,
)
from .validation import Money

_, _l = translator("sales")


class KpiArgs(ReportArgs):
    valuable_amount = Money(
        load_default=Decimal("100000"),
        metadata={
            "description": "won amount (in one currency, 0 or more) that makes a customer valuable"
        },
    )


def kpis(user: User, args: dict) -> list[dict]:
    """One row per owner (sorted by name); see the module docstring."""
    report_settings()
    stages = db.session.execute(select(Stage.id, Stage.outcome)).all()
    won_ids = [s.id for s in stages if s.outcome == "won"]
    lost_ids = [s.id for s in stages if s.outcome == "lost"]
    rows: dict[int | None, dict] = defaultdict(_empty_row)
    if all_time_for_everyone(user, args):
        _closed_deals_counted(args, rows)
    else:
        _closed_deals(user, args, won_ids, lost_ids, rows)
    _punctuality(user, args, rows)
    labels = names(User, set(rows))
    result = []
    for owner_id, row in rows.items():
        row.update(
            owner_id=owner_id,
            name=labels.get(owner_id, ""),
            conversion_rate=ratio(row["won"], row["won"] + row["lost"]),
            punctuality=ratio(row["tasks_on_time"], row["tasks_due"]),
        )
        row["customer_value"] = [
            {
                "currency": c,
                "won_amount": money(amount),
                "customers": n,
                "average": money(amount / n if n else 0),
            }
            for c, (amount, n) in sorted(row["customer_value"].items())
        ]
        result.append(row)
    return sorted(result, key=lambda r: (r["name"], r["owner_id"] or 0))


def _empty_row() -> dict:
    return {
        "new_customers": 0,
        "won": 0,
        "lost": 0,
        "valuable_customers_lost": 0,
        "tasks_due": 0,
        "tasks_on_time": 0,
        "customer_value": {},
    }


def all_time_for_everyone(user: User, args: dict) -> bool:
    """Whether ``user`` sees every deal and asks for the KPIs of all of them
    over all time: then ``CustomerKpi`` answers (it holds every pipeline's
    deals together, and no period)."""
    plan = report_cells.plan(user, args)
    return plan is not None and plan.months == (None, None) and not args.get("pipeline_id")


def _closed_deals_counted(args, rows) -> None:
    """``_closed_deals`` over all time, from ``CustomerKpi``: its rows are
    the first grouping's rows over all time, and hold whether a customer's
    first win is among them and how much the customer won at best. The
    rows of customers in the recycle bin are left out (by customer, as
    ``access.visible_deals`` leaves out their deals); grade A is asked of the
    customer now."""
    kpi = CustomerKpi
    grade_a = kpi.customer_id.in_(select(Customer.id).where(Customer.grade == "A"))
    valuable = and_(
        kpi.won.is_(False), or_(kpi.best_won_cents >= cents(args["valuable_amount"]), grade_a)
    )
    by = (kpi.owner_id, kpi.won, kpi.currency)
    for (
        owner_id,
        won_flag,
        currency,
        n,
        amount_cents,
        customers,
        new_ones,
        precious,
    ) in db.session.execute(
        select(
            *by,
            func.sum(kpi.deals),
            func.sum(kpi.amount_cents),
            func.count(),
            func.sum(kpi.first_win),
            func.sum(case((valuable, 1), else_=0)),
        )
        .where(kpi.customer_id.not_in(binned_customers()))
        .group_by(*by)
    ):
        _add_closed(
            rows[owner_id],
            won_flag,
            currency,
            n,
            Decimal(int(amount_cents or 0)) / 100,
            customers,
            new_ones,
            precious,
        )


def _add_closed(row, won_flag, currency, n, amount, customers, new_ones, precious) -> None:
    """Add one owner's closed deals (won in one currency, or lost) to their row."""
    if won_flag:
        row["won"] += int(n)
        row["new_customers"] += int(new_ones or 0)
        row["customer_value"][currency] = (decimal(amount), customers)
    else:
        row["lost"] += int(n)
        row["valuable_customers_lost"] = int(precious or 0)


def _closed_deals(user, args, won_ids, lost_ids, rows) -> None:
    """The deals closed in the period, grouped twice: first by owner,
    outcome, currency (of won deals) and customer — one row per customer of
    each figure, with the customer's earliest close in it — then without
    the customer: won deals by owner and currency (count, amount, customers,
    of them new ones), lost deals by owner (count, valuable customers).
    Whether a customer's first win is among them and whether a customer is
    valuable are read from ``CustomerWins`` (one row per customer, kept with
    the deals): a customer's first win is the won deal closed at its
    ``first_won_at``."""
    is_won = case((Deal.stage_id.in_(won_ids), 1), else_=0)
    keys = (
        Deal.owner_id.label("owner_id"),
        is_won.label("won"),
        case((Deal.stage_id.in_(won_ids), Deal.currency)).label("currency"),
        Deal.customer_id.label("customer_id"),
    )
    per_customer = (
        report_deals(
            user,
            args,
            *keys,
            func.count().label("n"),
            func.sum(Deal.amount).label("amount"),
            func.min(Deal.closed_at).label("first_closed"),
            period_on=Deal.closed_at,
        )
        .where(Deal.stage_id.in_(won_ids + lost_ids))
        .group_by(*keys)
        .subquery()
    )
    c, wins = per_customer.c, CustomerWins
    new = and_(c.won == 1, wins.first_won_at == c.first_closed)
    grade_a = c.customer_id.in_(select(Customer.id).where(Customer.grade == "A"))
    valuable = and_(c.won == 0, or_(wins.best_won_cents >= cents(args["valuable_amount"]), grade_a))
    by = (c.owner_id, c.won, c.currency)
    for (
        owner_id,
        won_flag,
        currency,
        n,
        amount,
        customers,
        new_ones,
        precious,
    ) in db.session.execute(
        select(
            *by,
            func.sum(c.n),
            func.sum(c.amount),
            func.count(),
            func.sum(case((new, 1), else_=0)),
            func.sum(case((valuable, 1), else_=0)),
        )
        .select_from(per_customer)
        .outerjoin(wins, wins.customer_id == c.customer_id)
        .group_by(*by)
    ):
        _add_closed(rows[owner_id], won_flag, currency, n, amount, customers, new_ones, precious)


def _punctuality(user, args, rows) -> None:
    """Tasks due in the period (and already due): how many were done in time."""
    on_time = func.sum(
        case((and_(Activity.done_at.is_not(None), Activity.done_at <= Activity.due_at), 1), else_=0)
    )
    query = select(Activity.owner_id, func.count(), on_time).where(
        Activity.owner_id.in_(visible_user_ids(user)),
        Activity.kind == "task",
        Activity.deleted_at.is_(None),
        Activity.due_at.is_not(None),
        Activity.due_at <= utcnow(),
    )
    if args.get("owner_id"):
        query = query.where(Activity.owner_id == args["owner_id"])
    if args.get("team_id"):
        query = query.where(
            Activity.owner_id.in_(select(User.id).where(User.team_id == args["team_id"]))
        )
    for owner_id, due, done in db.session.execute(
        in_period(query, Activity.due_at, args).group_by(Activity.owner_id)
    ):
        rows[owner_id]["tasks_due"] = due
        rows[owner_id]["tasks_on_time"] = int(done or 0)
