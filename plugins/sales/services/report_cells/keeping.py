"""Keeping the report cells in step with the deals (see the package's
docstring): what a deal adds to its cells (``contributions``), adding a
difference to them (``apply``, ``move``) from the ORM flush hooks or around
a bulk statement (``recounted``), and adding everything up again
(``rebuild``); the customers' wins and KPI rows are counted again in
:mod:`.customers`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select, true
from sqlalchemy.orm import Session

from core.api import db

from ...models import CustomerKpi, CustomerWins, Deal, ReportCell, Stage
from . import hooks
from .customers import _wins, kpi_facts, kpi_rows, refresh_customers
from .writing import cents, upsert

#: what a deal adds to its cells is decided by these columns alone
COLUMNS = (
    Deal.id,
    Deal.created_at,
    Deal.pipeline_id,
    Deal.stage_id,
    Deal.furthest_position,
    Deal.currency,
    Deal.lost_reason,
    Deal.expected_close,
    Deal.closed_at,
    Deal.amount,
    Deal.owner_id,
    Deal.team_id,
    Deal.deleted_at,
    Deal.customer_id,
)
KEYS = (
    "kind",
    "month",
    "pipeline_id",
    "stage_id",
    "furthest_position",
    "currency",
    "lost_reason",
    "target_month",
    "owner_id",
    "team_id",
)
MEASURES = ("deals", "amount_cents", "cycle_seconds", "closed")


def month_of(value: date | datetime | None) -> date | None:
    return date(value.year, value.month, 1) if value is not None else None


def contributions(rows: Iterable, outcomes: dict[int, str]) -> dict[tuple, list[int]]:
    """``{cell key: [deals, amount_cents, cycle_seconds, closed]}`` that the
    deal ``rows`` (``COLUMNS``) add up to; deleted deals add nothing."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (
        _id,
        created,
        pipeline_id,
        stage_id,
        furthest,
        currency,
        reason,
        expected,
        closed_at,
        amount,
        owner_id,
        team_id,
        deleted_at,
        _customer_id,
    ) in rows:
        if deleted_at is not None:
            continue
        outcome = outcomes.get(stage_id, "open")
        month = month_of(created)
        target = {"open": month_of(expected), "won": month_of(closed_at)}.get(outcome)
        cycle = max(0, int((closed_at - created).total_seconds())) if closed_at else 0
        _add(
            cells[
                (
                    "deal",
                    month,
                    pipeline_id,
                    stage_id,
                    furthest,
                    currency,
                    reason,
                    target,
                    None,
                    None,
                )
            ],
            cents(amount),
            cycle,
            closed_at is not None,
        )
        if outcome == "open":
            _add(
                cells[
                    (
                        "open",
                        month,
                        pipeline_id,
                        stage_id,
                        None,
                        currency,
                        None,
                        None,
                        owner_id,
                        team_id,
                    )
                ],
                cents(amount),
                0,
                False,
            )
    return cells


def _add(cell: list[int], amount_cents: int, cycle: int, closed: bool) -> None:
    cell[0] += 1
    cell[1] += amount_cents
    cell[2] += cycle
    cell[3] += closed


def outcomes(session: Session | None = None) -> dict[int, str]:
    return dict((session or db.session).execute(select(Stage.id, Stage.outcome)).all())


def deal_rows(where, session: Session | None = None) -> list:
    return (session or db.session).execute(select(*COLUMNS).where(where)).all()


def apply(
    old: dict[tuple, list[int]], new: dict[tuple, list[int]], session: Session | None = None
) -> None:
    """Add ``new - old`` to the cells (upserts in key order, so that two
    transactions lock the cells they share in the same order); cells left
    with no deal are deleted."""
    changed = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key, (0, 0, 0, 0)), new.get(key, (0, 0, 0, 0))
        delta = [a - b for a, b in zip(after, before, strict=False)]
        if any(delta):
            changed[cell_key(key)] = (key, delta)
    if not changed:
        return
    session = session or db.session
    table = ReportCell.__table__
    for text_key in sorted(changed):
        key, delta = changed[text_key]
        upsert(
            session,
            table,
            _row(text_key, key, delta),
            table.c.key,
            lambda new: {m: table.c[m] + new[m] for m in MEASURES},
        )
    session.execute(delete(table).where(table.c.key.in_(list(changed)), table.c.deals == 0))


def _row(text_key: str, key: tuple, measures: list[int]) -> dict:
    return {
        "key": text_key,
        **dict(zip(KEYS, key, strict=False)),
        **dict(zip(MEASURES, measures, strict=False)),
    }


def cell_key(key: tuple) -> str:
    return "|".join("" if part is None else str(part) for part in key)


def recounted(where):
    """Run a bulk statement over the deals matching ``where`` (``UPDATE``
    or ``DELETE``, which the flush hooks cannot see) and move their
    contributions with them."""
    return hooks.recounted(DEALS, where)


def rebuild() -> int:
    """Add every deal up again from scratch (after a load with plain SQL,
    or to check the cells), every other kept row (``hooks.KEPT``: the
    payments and contracts) and the customers' wins and KPI rows too;
    returns the number of cells."""
    db.session.execute(delete(ReportCell))
    rows = [row for kept in hooks.KEPT for row in cell_rows(kept.counted())]
    for chunk in range(0, len(rows), 5_000):
        db.session.execute(ReportCell.__table__.insert(), rows[chunk : chunk + 5_000])
    db.session.execute(delete(CustomerKpi))
    db.session.execute(delete(CustomerWins))
    wins = _wins(db.session, true())
    kpis = kpi_rows(db.session, true(), wins)
    for table, values in ((CustomerWins, list(wins.values())), (CustomerKpi, kpis)):
        for chunk in range(0, len(values), 5_000):
            db.session.execute(table.__table__.insert(), values[chunk : chunk + 5_000])
    return len(rows)


def cell_rows(cells: dict[tuple, list[int]]) -> list[dict]:
    """The table rows of ``cells`` (for an insert into an empty table)."""
    return [_row(cell_key(key), key, measures) for key, measures in cells.items()]


def move(before: list, after: list, session: Session, stages: dict | None = None) -> None:
    """The deals' rows were ``before`` and are ``after``: add the difference
    to the cells, and count the customers of the closed deals that changed
    again (their wins and KPI rows)."""
    stages = stages or outcomes(session)
    apply(contributions(before, stages), contributions(after, stages), session)
    old, new = {row.id: row for row in before}, {row.id: row for row in after}
    refresh_customers(
        {
            row.customer_id
            for deal_id in old.keys() | new.keys()
            if kpi_facts(old.get(deal_id), stages) != kpi_facts(new.get(deal_id), stages)
            for row in (old.get(deal_id), new.get(deal_id))
            if row is not None
        },
        session,
    )


def _counted() -> dict:
    """Every live deal's contributions, from scratch."""
    return contributions(
        db.session.execute(select(*COLUMNS).execution_options(yield_per=10_000)), outcomes()
    )


#: the deals, kept by the flush hooks of :mod:`.hooks`
DEALS = hooks.keep(Deal, COLUMNS, move, _counted)
