"""Keeping the report cells in step with the deals (see the package's
docstring): what a deal adds to its cells (``contributions``), adding a
difference to them (``apply``, ``move``) from the ORM flush hooks or around
a bulk statement (``recounted``), and adding everything up again
(``rebuild``); the customers' wins and KPI rows are counted again in
:mod:`.customers`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import delete, event, inspect, select, true
from sqlalchemy.orm import Session

from core.api import db

from ...models import CustomerKpi, CustomerWins, Deal, ReportCell, Stage
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
_BEFORE = "sales_report_cells_before"


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


@contextmanager
def recounted(where):
    """Run a bulk statement over the deals matching ``where`` (``UPDATE``
    or ``DELETE``, which the flush hooks cannot see) and move their
    contributions with them."""
    stages = outcomes()
    before = deal_rows(where)
    yield
    ids = [row.id for row in before]
    after = [
        row
        for chunk in range(0, len(ids), 500)
        for row in deal_rows(Deal.id.in_(ids[chunk : chunk + 500]))
    ]
    move(before, after, db.session, stages)


def rebuild() -> int:
    """Add every deal up again from scratch (after a load with plain SQL,
    or to check the cells), the customers' wins and KPI rows too; returns
    the number of cells."""
    db.session.execute(delete(ReportCell))
    cells = contributions(
        db.session.execute(select(*COLUMNS).execution_options(yield_per=10_000)), outcomes()
    )
    rows = cell_rows(cells)
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


_NAMES = tuple(column.key for column in COLUMNS)


def _touched(session: Session) -> list[Deal]:
    """The deals this flush adds or deletes, and those whose report columns changed."""
    touched = [obj for obj in (*session.new, *session.deleted) if isinstance(obj, Deal)]
    for obj in session.dirty:
        if isinstance(obj, Deal) and any(
            inspect(obj).attrs[name].history.has_changes() for name in _NAMES
        ):
            touched.append(obj)
    return touched


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left by a flush that failed
    deals = _touched(session)
    if deals:
        ids = [d.id for d in deals if d.id is not None]
        session.info[_BEFORE] = (deal_rows(Deal.id.in_(ids), session) if ids else [], deals)


@event.listens_for(Session, "after_flush")
def _add_difference(session: Session, _context) -> None:
    before, deals = session.info.pop(_BEFORE, ([], []))
    if deals:
        after = deal_rows(Deal.id.in_([d.id for d in deals if d.id is not None]), session)
        move(before, after, session)


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
