"""Who sees which work orders — the plugin's one place for it.

Every list, detail, board, page and API route goes through core's scoped
query helper with the order's engineer as its owner: an engineer (a role
with scope ``own``) sees the orders assigned to them, a dispatcher or
manager with scope ``team`` those of their teams, scope ``all`` every one.
An order the user may not see is a 404, never a 403. The orders of a
customer in the recycle bin (回收站) are out of sight for everyone — lists,
board, schedule, reports, exports, the order and its files — until the
customer is restored.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import Customer, NotFoundError, User, db, scoped, search_match, translator

from ..models import WorkOrder

_, _l = translator("service_dispatch")


def visible_orders(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: the work orders) restricted to those ``user`` may see."""
    query = select(WorkOrder) if query is None else query
    return scoped(query, WorkOrder, user, owner_attr="engineer_id", customer_attr="customer_id")


def filtered_orders(user: User | None, args: dict, query: Select | None = None) -> Select:
    """``query`` over the orders ``user`` may see, narrowed by the report filters
    (``engineer_id``, ``team_id``, ``category``, ``priority``); deleted orders left out."""
    query = visible_orders(user, query).where(WorkOrder.deleted_at.is_(None))
    for key in ("engineer_id", "team_id", "category", "priority"):
        if args.get(key):
            query = query.where(getattr(WorkOrder, key) == args[key])
    return query


def visible_order(order_id: int, user: User | None) -> WorkOrder:
    order = db.session.scalar(visible_orders(user).where(WorkOrder.id == order_id))
    if order is None:
        raise NotFoundError(_("work order %(id)s not found", id=order_id))
    return order


def search_orders(user: User | None, args: dict) -> Select:
    """The orders of the work orders list (page, API and CSV export alike):
    those ``user`` may see, narrowed by ``status``, ``priority``,
    ``engineer_id`` and ``customer_id``, and ``q`` — part of the number, the
    title or the customer's name."""
    query = visible_orders(user)
    for key in ("status", "priority", "engineer_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(WorkOrder, key) == args[key])
    if args.get("q"):
        query = query.where(
            search_match(WorkOrder, args["q"], user)
            | WorkOrder.customer_id.in_(
                select(Customer.id).where(search_match(Customer, args["q"], user))
            )
        )
    return query


def visible_order_ids(user: User | None, ids: list[int]) -> set[int]:
    """Which of the orders ``ids`` ``user`` may open (none without ``service.order.read``)."""
    if user is None or not user.can("service.order.read"):
        return set()
    return set(
        db.session.scalars(visible_orders(user, select(WorkOrder.id)).where(WorkOrder.id.in_(ids)))
    )
