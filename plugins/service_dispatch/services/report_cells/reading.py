"""Reading the report cells: whether they may answer a report (``applies``:
only for a user who sees every order and chose no narrowing filter), the
sums over a period's cells (``order_cells``, ``visit_cells``), and what is
read from the orders beside them: the pending orders (``pending_orders``)
and the orders of customers in the recycle bin, to take off again
(``binned_orders``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select, text

from core.api import Customer, User, first_of_next_month, sees_all

from ...models import PENDING_SQL, ReportCell, WorkOrder
from .keeping import MEASURES

#: the report filters that narrow the orders; with any of them, no cells
NARROWING = ("engineer_id", "team_id", "category", "priority")
#: ``PENDING_SQL`` over the work orders (the words of the partial index
#: ``ix_service_dispatch_work_order_pending``, so that SQLite can use it)
PENDING = text(f"({PENDING_SQL.format(t=f'{WorkOrder.__tablename__}.')})")
#: its contrary (no part of it is ever NULL)
SETTLED = text(f"NOT ({PENDING_SQL.format(t=f'{WorkOrder.__tablename__}.')})")


def applies(user: User | None, args: dict) -> bool:
    """Whether the cells may answer ``user`` over ``args``: the user sees
    every order and chose no engineer, team, category or priority."""
    return sees_all(user) and not any(args.get(k) for k in NARROWING)


def spans(first: date, last: date) -> list[tuple[str, date, date]]:
    """The days ``first`` … ``last`` as the cells hold them: the whole months
    in it (``("_mo", first of the first, first of the last)``) and the days
    around them (``("", first day, last day)``)."""
    start = first if first.day == 1 else first_of_next_month(first)
    after = first_of_next_month(last)
    end = after if after - timedelta(days=1) == last else last.replace(day=1)
    if start >= end:
        return [("", first, last)]
    days = [("", first, start - timedelta(days=1))] if first < start else []
    days += [("", end, last)] if end <= last else []
    return [("_mo", start, end - timedelta(days=1)), *days]


def _in(kind: str, first: date, last: date):
    """Where the cells of ``kind`` cover the days ``first`` … ``last``."""
    cell = ReportCell
    return or_(
        *(
            and_(cell.kind == kind + suffix, cell.day >= lo, cell.day <= hi)
            for suffix, lo, hi in spans(first, last)
        )
    )


def order_cells(first: date, last: date) -> Select:
    """``(product, status, *MEASURES)`` (all but the visits' ``on_site_ms``)
    summed over the order cells of the days ``first`` … ``last``."""
    cell = ReportCell
    return (
        select(
            cell.product,
            cell.status,
            *(func.sum(getattr(cell, m)) for m in MEASURES if m != "on_site_ms"),
        )
        .where(_in("order", first, last))
        .group_by(cell.product, cell.status)
    )


def visit_cells(first: date, last: date) -> Select:
    """``(engineer_id, visits, on-site ms)`` over the visit cells of the days
    ``first`` … ``last``."""
    cell = ReportCell
    return (
        select(cell.engineer_id, func.sum(cell.orders), func.sum(cell.on_site_ms))
        .where(_in("visit", first, last))
        .group_by(cell.engineer_id)
    )


def binned_orders(query: Select) -> Select:
    """``query`` narrowed to the live orders of customers in the recycle bin:
    counted in the cells, seen by no one, so a report from the cells takes
    them off again (few, found through the customer's index)."""
    return query.where(
        WorkOrder.deleted_at.is_(None),
        WorkOrder.customer_id.in_(select(Customer.id).where(Customer.deleted_at.is_not(None))),
    )


def settled(query: Select) -> Select:
    """``query`` narrowed to the orders whose figures are in the cells."""
    return query.where(SETTLED)


def pending_orders(query: Select) -> Select:
    """``query`` narrowed to the orders whose figures are not in the cells."""
    return query.where(PENDING)
