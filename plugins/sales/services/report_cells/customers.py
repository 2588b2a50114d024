"""Keeping what the KPIs ask per customer (see the package's docstring),
counted again from the customer's deals whenever a closed deal of theirs
changes (``refresh_customers``): the customer's wins (``CustomerWins``) and
each owner's closed deals of the customer (``CustomerKpi``) — the rows the
all-time KPIs count instead of every closed deal."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from core.api import Customer, db

from ...models import CustomerKpi, CustomerWins, Deal, Stage
from .writing import cents, upsert

#: customers counted again per statement (under any database's parameter limit)
CHUNK = 500


def kpi_facts(row, stages: dict) -> tuple | None:
    """What a deal row (``COLUMNS``) tells its customer's rows: nothing
    unless it is a live closed deal (so new and edited open deals leave the
    customer unlocked); of a lost deal only its owner (its row holds no
    currency, amount or date)."""
    if row is None or row.deleted_at is not None:
        return None
    outcome = stages.get(row.stage_id)
    if outcome == "lost":
        return row.customer_id, row.owner_id, outcome
    if outcome == "won":
        return row.customer_id, row.owner_id, outcome, row.currency, row.amount, row.closed_at
    return None


def refresh_customers(customer_ids: Iterable[int], session: Session | None = None) -> None:
    """Count the closed deals of these customers again: their wins, then
    each owner's KPI rows of them (which read the wins).

    The customers' rows are locked first, so that two transactions changing
    deals of one customer count one after the other, each seeing the
    other's deals (PostgreSQL; SQLite has one writer at a time anyway). The
    lock is ``FOR NO KEY UPDATE``: a new deal already holds a key-share lock
    on its customer, and two of them asking for ``FOR UPDATE`` would
    deadlock."""
    session = session or db.session
    ids = sorted({i for i in customer_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(
            select(Customer.id).where(Customer.id.in_(chunk)).with_for_update(key_share=True)
        )
        wins = _refresh_wins(session, chunk)
        kpi = CustomerKpi.__table__
        session.execute(delete(kpi).where(kpi.c.customer_id.in_(chunk)))
        rows = kpi_rows(session, Deal.customer_id.in_(chunk), wins)
        if rows:
            session.execute(kpi.insert(), rows)


def _refresh_wins(session: Session, ids: list[int]) -> dict[int, dict]:
    wins = _wins(session, Deal.customer_id.in_(ids))
    table = CustomerWins.__table__
    session.execute(delete(table).where(table.c.customer_id.in_(set(ids) - set(wins))))
    for customer_id in sorted(wins):
        upsert(
            session,
            table,
            wins[customer_id],
            table.c.customer_id,
            lambda new: {c: new[c] for c in ("first_won_at", "best_won_cents")},
        )
    return wins


def _wins(session: Session, where) -> dict[int, dict]:
    """``{customer_id: row}`` of the customers (``where`` on the deals) with a won deal."""
    wins: dict[int, dict] = {}
    for customer_id, _currency, amount, first in session.execute(
        select(Deal.customer_id, Deal.currency, func.sum(Deal.amount), func.min(Deal.closed_at))
        .join(Stage, Stage.id == Deal.stage_id)
        .where(
            where, Stage.outcome == "won", Deal.deleted_at.is_(None), Deal.closed_at.is_not(None)
        )
        .group_by(Deal.customer_id, Deal.currency)
    ):
        row = wins.setdefault(
            customer_id,
            {"customer_id": customer_id, "first_won_at": first, "best_won_cents": cents(amount)},
        )
        row["first_won_at"] = min(row["first_won_at"], first)
        row["best_won_cents"] = max(row["best_won_cents"], cents(amount))
    return wins


def kpi_rows(session: Session, where, wins: dict[int, dict]) -> list[dict]:
    """The ``CustomerKpi`` rows of the live closed deals matching ``where``,
    given their customers' ``wins`` (``_wins``): grouped as the KPIs group a
    period's deals (owner, won or lost, the won deals' currency, customer);
    won deals hold the first win when their earliest close is the
    customer's first win."""
    won = Stage.outcome == "won"
    keys = (Deal.owner_id, won, case((won, Deal.currency)), Deal.customer_id)
    rows = []
    for owner_id, is_won, currency, customer_id, n, amount, first in session.execute(
        select(*keys, func.count(), func.sum(Deal.amount), func.min(Deal.closed_at))
        .join(Stage, Stage.id == Deal.stage_id)
        .where(where, Stage.outcome.in_(("won", "lost")), Deal.deleted_at.is_(None))
        .group_by(*keys)
    ):
        customer = wins.get(customer_id)
        rows.append(
            {
                "customer_id": customer_id,
                "owner_id": owner_id,
                "won": bool(is_won),
                "currency": currency,
                "deals": n,
                "amount_cents": cents(amount) if is_won else 0,
                "first_win": int(
                    bool(is_won)
                    and customer is not None
                    and first is not None
                    and first == customer["first_won_at"]
                ),
                "best_won_cents": None
                if is_won or customer is None
                else customer["best_won_cents"],
            }
        )
    return rows
