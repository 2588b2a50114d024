"""What plugins know of each customer, the money customers bring, and the
steps of their journey.

Segments, RFM scores, churn risk and automation rules ask the same
questions of every industry — "won amount at least 10,000", "a paid visit in
the last year" — but only the plugins hold the answers. They declare them
(``trellis_customer_facts``, ``trellis_money_events``,
``trellis_journey_steps``); the readers here hand them to whoever asks, so
an analysis plugin depends on no industry plugin and an industry plugin on
no analysis plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import literal, select, union_all

if TYPE_CHECKING:
    from core.models import User


@dataclass(frozen=True)
class CustomerFact:
    """Something a plugin knows about each customer, which segment and rule
    conditions may ask (``trellis_customer_facts``): a deal's won amount,
    the open work orders, the policies in force, the last visit.

    ``key`` is unique and starts with the plugin's name (``sales.won_amount``).
    ``kind`` decides the comparisons: ``number`` (at least / at most),
    ``date`` (within / older than N days, or none) or ``choice`` (one of
    ``choices``, pairs of value and label). ``values()`` returns a select of
    two columns — the customer's id and the fact's value — with at most one
    row per customer, over every customer (the caller adds the scope);
    a customer without a row has ``missing`` (``0`` for a count, ``None``
    for a date). ``permission`` is what a user must hold to ask it.
    ``meaning`` tells analysis that knows no plugin what the fact is, from
    :data:`FACT_MEANINGS` (churn risk reads the open complaints), or ``""``.
    """

    key: str
    label: Any
    kind: str
    values: Callable[[], Any]
    missing: Any = None
    permission: str | None = None
    choices: tuple[tuple[str, Any], ...] = ()
    meaning: str = ""


#: the kinds of value a fact may have (``CustomerFact.kind``)
FACT_KINDS = ("number", "date", "choice")
#: what a fact may mean to analysis that knows no plugin (``CustomerFact.meaning``)
FACT_MEANINGS = {
    "open_complaints": "a number: the customer's complaints not yet closed",
    "satisfaction": "a number from 0 to 10: the customer's latest satisfaction score",
    "last_purchase": "a date: when the customer last bought or paid",
}


@dataclass(frozen=True)
class MoneyEvent:
    """A kind of money a customer brings (``trellis_money_events``): won
    deals, paid work orders, premiums paid, paid visits — what RFM and
    customer value add up.

    ``key`` is unique and starts with the plugin's name (``sales.won_deal``).
    ``rows()`` returns a select of three columns — ``customer_id``,
    ``occurred_at`` (UTC) and ``amount`` (in the instance's currency; a
    refund is negative) — over every customer and all time; the reader adds
    the period (see :func:`money_rows`). ``permission`` is what a user must
    hold to see these amounts (a journey or report shown to them).
    """

    key: str
    label: Any
    rows: Callable[[], Any]
    permission: str | None = None


@dataclass(frozen=True)
class JourneyStep:
    """A step of the customer journey (客户旅程) a plugin knows
    (``trellis_journey_steps``): the first lead, the first deal won, the
    first work order, the first claim, the first visit.

    ``key`` is unique and starts with the plugin's name (``sales.won``).
    ``reached()`` returns a select of two columns — the customer's id and
    when the customer first reached the step (UTC) — with at most one row
    per customer, over every customer (the caller adds the scope).
    ``order`` places the step among the others; the steps every industry
    shares are *known* 0, *contacted* 10, *bought* 50 and *bought again*
    90 (a lead is about 20, a deal 30, a visit 40, a won deal 45, a work
    order 60, a renewal 70, a claim 75). ``permission`` is what a user must
    hold to see the step (it reveals the plugin's records).
    """

    key: str
    label: Any
    reached: Callable[[], Any]
    order: int
    permission: str | None = None


def _registry() -> Any:
    # core.registry imports these declarations; the registry object is the app's
    return current_app.extensions["trellis"]


def money_events(user: User | None = None) -> dict[str, MoneyEvent]:
    """The kinds of money plugins declared, by key (their labels for a
    report); with ``user``, only those whose amounts the user may see."""
    events = _registry().money_events
    if user is None:
        return dict(events)
    return {k: e for k, e in events.items() if e.permission is None or user.can(e.permission)}


def customer_facts(user: User | None = None) -> dict[str, CustomerFact]:
    """The facts plugins declared, by key; with ``user``, only those the
    user holds the permission to ask."""
    facts = _registry().customer_facts
    if user is None:
        return dict(facts)
    return {k: f for k, f in facts.items() if f.permission is None or user.can(f.permission)}


def journey_steps(user: User | None = None) -> dict[str, JourneyStep]:
    """The journey steps plugins declared, by key, in their ``order``; with
    ``user``, only those whose permission the user holds."""
    steps = sorted(_registry().journey_steps.values(), key=lambda s: (s.order, s.key))
    return {
        s.key: s for s in steps if user is None or s.permission is None or user.can(s.permission)
    }


def money_rows(
    since: datetime | None = None,
    until: datetime | None = None,
    keys: Any = None,
    user: User | None = None,
) -> Any:
    """One select over every plugin's money events (or those in ``keys``;
    with ``user``, those whose permission the user holds): columns ``kind``
    (the event's key), ``customer_id``, ``occurred_at`` and ``amount``, for
    ``since <= occurred_at < until`` when given. ``None`` when no event is
    left. The rows are every customer's: put them under a scoped query."""
    parts = []
    for key, event in _registry().money_events.items():
        if keys is not None and key not in keys:
            continue
        if user is not None and event.permission and not user.can(event.permission):
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
