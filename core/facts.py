"""What plugins know of each customer, and the money customers bring.

Segments, RFM scores, churn risk and automation rules ask the same
questions of every industry — "won amount at least 10,000", "a paid visit in
the last year" — but only the plugins hold the answers. They declare them
(``trellis_customer_facts``, ``trellis_money_events``); these two readers
hand them to whoever asks, so an analysis plugin depends on no industry
plugin and an industry plugin on no analysis plugin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, union_all

from core.declarations import CustomerFact
from core.models import User
from core.registry import current_registry


def customer_facts(user: User | None = None) -> dict[str, CustomerFact]:
    """The facts plugins declared, by key; with ``user``, only those the
    user holds the permission to ask."""
    facts = current_registry().customer_facts
    if user is None:
        return dict(facts)
    return {k: f for k, f in facts.items() if f.permission is None or user.can(f.permission)}


def money_rows(
    since: datetime | None = None, until: datetime | None = None, keys: Any = None
) -> Any:
    """One select over every plugin's money events (or those in ``keys``):
    columns ``kind`` (the event's key), ``customer_id``, ``occurred_at`` and
    ``amount``, for ``since <= occurred_at < until`` when given. ``None``
    when no enabled plugin declares money events."""
    parts = []
    for key, event in current_registry().money_events.items():
        if keys is not None and key not in keys:
            continue
        rows = event.rows().subquery()
        customer_id, occurred_at, amount = list(rows.c)[:3]
        part = select(
            literal(key).label("kind"),
            customer_id.label("customer_id"),
            occurred_at.label("occurred_at"),
            amount.label("amount"),
        )
        if since is not None:
            part = part.where(occurred_at >= since)
        if until is not None:
            part = part.where(occurred_at < until)
        parts.append(part)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)
