"""The SLA watchlist of the service reports (``services.reports``): the open
orders past their next deadline (*overdue*) and those due within
``risk_hours`` (*at risk*), read by the index on ``WorkOrder.due_at``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from core.api import Customer, User, db

from ..models import WorkOrder, next_deadline
from .access import filtered_orders

LIST_SIZE = 50


def sla_state(order: WorkOrder, now: datetime, hours: int = 2) -> str | None:
    """``overdue`` past its next deadline, ``at_risk`` within ``hours`` of it, else None."""
    deadline = next_deadline(order)
    if deadline is None:
        return None
    if deadline[1] < now:
        return "overdue"
    return "at_risk" if deadline[1] < now + timedelta(hours=hours) else None


def watchlist(user: User | None, args: dict, now: datetime) -> dict:
    """The open orders past their next deadline and those due within
    ``risk_hours``: the counts, and the most pressing ``LIST_SIZE`` of each."""
    soon = now + timedelta(hours=args.get("risk_hours", 2))
    # ranges of the index on ``due_at`` (the next deadline, kept on every
    # write; NULL once done with, so only open orders are in it)
    sides = {
        "overdue": WorkOrder.due_at < now,
        "at_risk": and_(WorkOrder.due_at >= now, WorkOrder.due_at < soon),
    }
    counts = {
        side: db.session.scalar(
            filtered_orders(user, args, select(func.count()).select_from(WorkOrder)).where(term)
        )
        for side, term in sides.items()
    }
    rows = {
        side: db.session.execute(
            filtered_orders(user, args, select(*WATCH_COLUMNS))
            .where(term)
            .order_by(WorkOrder.due_at, WorkOrder.id)
            .limit(LIST_SIZE)
        ).all()
        if counts[side]
        else []
        for side, term in sides.items()
    }
    # the names afterwards, by id: joined in, the planner may start from the customers
    shown = rows["overdue"] + rows["at_risk"]
    names = {
        key: dict(
            db.session.execute(
                select(model.id, model.name).where(
                    model.id.in_(sorted({getattr(r, key) for r in shown} - {None}))
                )
            ).all()
        )
        for key, model in (("customer_id", Customer), ("engineer_id", User))
    }
    return {
        "overdue_count": counts["overdue"],
        "at_risk_count": counts["at_risk"],
        "overdue": [watch_row(r, names) for r in rows["overdue"]],
        "at_risk": [watch_row(r, names) for r in rows["at_risk"]],
    }


#: what a watchlist row shows (columns, not whole orders: a lighter load)
WATCH_COLUMNS = (
    WorkOrder.id,
    WorkOrder.number,
    WorkOrder.title,
    WorkOrder.status,
    WorkOrder.priority,
    WorkOrder.customer_id,
    WorkOrder.engineer_id,
    WorkOrder.responded_at,
    WorkOrder.respond_by,
    WorkOrder.resolve_by,
)


def watch_row(order, names: dict) -> dict:
    """A watchlist row from a row of ``WATCH_COLUMNS`` and the customers' and
    engineers' names by id."""
    kind, at = next_deadline(order)
    return {
        "id": order.id,
        "number": order.number,
        "title": order.title,
        "status": order.status,
        "priority": order.priority,
        "customer_name": names["customer_id"].get(order.customer_id, ""),
        "engineer_id": order.engineer_id,
        "engineer_name": names["engineer_id"].get(order.engineer_id),
        "deadline": kind,
        "due_at": at,
    }
