"""What the search box finds in service dispatch: work orders by number,
title or customer — the ones the user may open, as the list shows them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import joinedload

from core.api import SearchHit, SearchSection, User, db, search_rank, translator

from ..models import WorkOrder
from ..services import lifecycle
from ..services.access import search_orders

_, _l = translator("service_dispatch")


def section(query: str, user: User, limit: int) -> SearchSection | None:
    if not user.can("service.order.read"):
        return None
    orders = db.session.scalars(
        search_orders(user, {"q": query})
        .where(WorkOrder.deleted_at.is_(None))
        .options(joinedload(WorkOrder.customer))
        .order_by(search_rank(WorkOrder, query), WorkOrder.id.desc())
        .limit(limit)
    ).all()
    hits = tuple(
        SearchHit(
            f"{o.number} {o.title}",
            url_for("service_dispatch.order_page", order_id=o.id),
            f"{o.customer.name} · {lifecycle.STATE_LABELS.get(o.status, o.status)}",
        )
        for o in orders
    )
    return SearchSection(_l("Work orders"), hits, order=30) if hits else None
