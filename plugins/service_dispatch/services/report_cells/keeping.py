"""Keeping the report cells in step with the work orders and their revisits
(see the package's docstring): what an order adds to its cells
(``contributions``), adding a difference to them (``apply``, ``move``) from
the ORM flush hooks and around bulk statements, and adding everything up
again (``rebuild``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from core.api import add_to_cells, db

from ...models import CLOSED, ReportCell, Revisit, WorkOrder

#: what an order adds to its cells is decided by these columns alone
COLUMNS = (
    WorkOrder.id,
    WorkOrder.created_at,
    WorkOrder.product,
    WorkOrder.status,
    WorkOrder.deleted_at,
    WorkOrder.respond_by,
    WorkOrder.responded_at,
    WorkOrder.resolve_by,
    WorkOrder.completed_at,
    WorkOrder.reopen_count,
    WorkOrder.repeat_of_id,
    WorkOrder.engineer_id,
    WorkOrder.checked_in_at,
    WorkOrder.checked_out_at,
    WorkOrder.labour_minutes,
    Revisit.score,
)
KEYS = ("kind", "day", "product", "status", "engineer_id")
MEASURES = (
    "orders",
    "response_met",
    "response_breached",
    "resolution_met",
    "resolution_breached",
    "responded",
    "respond_ms",
    "resolve_ms",
    "first_fix",
    "repeat",
    "score_1",
    "score_2",
    "score_3",
    "score_4",
    "score_5",
    "on_site_ms",
)
RESOLVED = ("completed", "closed")
_AT = {name: i for i, name in enumerate(MEASURES)}
_BEFORE = "service_dispatch_report_cells_before"
_ORDER_NAMES = tuple(c.key for c in COLUMNS if c.class_ is WorkOrder)


def pending(status: str, responded_at, respond_by, resolve_by) -> bool:
    """Python's ``PENDING_SQL``: a deadline of the order may still pass."""
    return (responded_at is None and status != "cancelled" and respond_by is not None) or (
        status not in CLOSED and resolve_by is not None
    )


def ms(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds() * 1000)


def contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: measures}`` that the order ``rows`` (``COLUMNS``) add up
    to, in the day's cell and again in the month's; deleted orders add
    nothing, pending ones only their visit."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for row in rows:
        if row.deleted_at is not None:
            continue
        if row.engineer_id is not None and row.checked_in_at is not None:
            on_site = (
                ms(row.checked_in_at, row.checked_out_at)
                if row.checked_out_at is not None
                else (row.labour_minutes or 0) * 60_000
            )
            for key in _day_and_month("visit", row.checked_in_at, None, None, row.engineer_id):
                cells[key][0] += 1
                cells[key][_AT["on_site_ms"]] += on_site
        if not pending(row.status, row.responded_at, row.respond_by, row.resolve_by):
            measures = _order_measures(row)
            for key in _day_and_month("order", row.created_at, row.product, row.status, None):
                for name, value in measures.items():
                    cells[key][_AT[name]] += value
    return cells


def _day_and_month(kind: str, at: datetime, *rest) -> tuple[tuple, tuple]:
    """The keys of the day's cell (``kind``) and the month's (``kind_mo``)."""
    day = at.date()
    return (kind, day, *rest), (f"{kind}_mo", day.replace(day=1), *rest)


def _order_measures(row) -> dict[str, int]:
    """What a settled order counts (``services.reports``' definitions, with
    no deadline left to pass)."""
    responded, done = row.responded_at, row.completed_at
    resolved = row.status in RESOLVED and done is not None
    respond_by, resolve_by = row.respond_by, row.resolve_by
    return {
        "orders": 1,
        "response_met": responded is not None
        and respond_by is not None
        and responded <= respond_by,
        "response_breached": responded is not None
        and respond_by is not None
        and responded > respond_by,
        "resolution_met": resolved and resolve_by is not None and done <= resolve_by,
        "resolution_breached": resolved and resolve_by is not None and done > resolve_by,
        "responded": responded is not None,
        "respond_ms": ms(row.created_at, responded) if responded is not None else 0,
        "resolve_ms": ms(row.created_at, done) if resolved else 0,
        "first_fix": row.status in RESOLVED and row.reopen_count == 0 and row.repeat_of_id is None,
        "repeat": row.repeat_of_id is not None,
        **{f"score_{n}": row.score == n for n in range(1, 6)},
    }


def order_rows(where, session: Any = None) -> list[Any]:
    """The ``COLUMNS`` of the orders matching ``where``."""
    return list(
        (session or db.session)
        .execute(
            select(*COLUMNS)
            .select_from(WorkOrder)
            .outerjoin(Revisit, Revisit.work_order_id == WorkOrder.id)
            .where(where)
        )
        .all()
    )


def rows_of(ids: Iterable[int], session: Any = None) -> list:
    ids = sorted(set(ids))
    return [
        row
        for chunk in range(0, len(ids), 500)
        for row in order_rows(WorkOrder.id.in_(ids[chunk : chunk + 500]), session)
    ]


def apply(old: dict[tuple, list[int]], new: dict[tuple, list[int]], session: Any = None) -> None:
    """Add ``new - old`` to the cells (core's ``add_to_cells``: upserts in
    key order, so that two transactions lock the cells they share in the
    same order); cells left with no order are deleted."""
    changed = []
    zero = [0] * len(MEASURES)
    for key in old.keys() | new.keys():
        delta = [a - b for a, b in zip(new.get(key, zero), old.get(key, zero), strict=True)]
        if any(delta):
            changed.append(_row(cell_key(key), key, delta))
    table = ReportCell.__table__
    add_to_cells(
        table, changed, keys=("key",), measures=MEASURES, drop_when="orders", session=session
    )


def cell_key(key: tuple) -> str:
    return "|".join("" if part is None else str(part) for part in key)


def _row(text_key: str, key: tuple, measures: list[int]) -> dict:
    return {
        "key": text_key,
        **dict(zip(KEYS, key, strict=True)),
        **dict(zip(MEASURES, measures, strict=True)),
    }


def cell_rows(cells: dict[tuple, list[int]]) -> list[dict]:
    """The table rows of ``cells`` (for an insert into an empty table)."""
    return [_row(cell_key(key), key, measures) for key, measures in cells.items()]


def move(before: list, after: list, session: Any = None) -> None:
    """The orders' rows were ``before`` and are ``after``: add the difference."""
    apply(contributions(before), contributions(after), session)


def rebuild(session: Any = None) -> int:
    """Add every order up again from scratch (after a load with plain SQL,
    or to check the cells); returns the number of cells."""
    session = session or db.session
    session.execute(delete(ReportCell))
    rows = cell_rows(
        contributions(
            session.execute(
                select(*COLUMNS)
                .select_from(WorkOrder)
                .outerjoin(Revisit, Revisit.work_order_id == WorkOrder.id)
                .execution_options(yield_per=10_000)
            )
        )
    )
    for chunk in range(0, len(rows), 5_000):
        session.execute(ReportCell.__table__.insert(), rows[chunk : chunk + 5_000])
    return len(rows)


# --------------------------------------------------------------- the hooks


def _touched(session: Session) -> set[int]:
    """The ids of the orders this flush changes as the cells see them: new
    (0: read after the flush), deleted or with a changed column of
    ``COLUMNS``, or whose revisit is new, deleted or scored again."""
    ids: set[int] = set()
    changed = [(obj, True) for obj in (*session.new, *session.deleted)]
    for obj, whole in (*changed, *((obj, False) for obj in session.dirty)):
        if isinstance(obj, WorkOrder):
            history: Any = inspect(obj).attrs
            if whole or any(history[name].history.has_changes() for name in _ORDER_NAMES):
                ids.add(obj.id or 0)
        elif isinstance(obj, Revisit):
            history = inspect(obj).attrs
            if whole or any(history[n].history.has_changes() for n in ("work_order_id", "score")):
                moved: Any = history["work_order_id"].history  # its order and the former one
                ids.update(v for v in (obj.work_order_id, *moved.deleted) if v)
    return ids


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left by a flush that failed
    ids = _touched(session)
    if ids:
        new = [obj for obj in session.new if isinstance(obj, WorkOrder)]
        session.info[_BEFORE] = (rows_of(ids - {0}, session), ids - {0}, new)


@event.listens_for(Session, "after_flush")
def _add_difference(session: Session, _context) -> None:
    if _BEFORE not in session.info:
        return
    before, ids, new = session.info.pop(_BEFORE)
    ids |= {obj.id for obj in new if obj.id is not None}
    move(before, rows_of(ids, session), session)


@event.listens_for(Session, "do_orm_execute")
def _around_bulk(state: ORMExecuteState):
    """A bulk ``UPDATE``/``DELETE`` of orders or revisits (the merge's
    re-pointing, a purge) bypasses the flush: read the rows it touches
    before and after it, and move their contributions."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    model = state.bind_mapper.class_
    if model not in (WorkOrder, Revisit):
        return None
    column = WorkOrder.id if model is WorkOrder else Revisit.work_order_id
    where = getattr(state.statement, "whereclause", None)
    query = select(column) if where is None else select(column).where(where)
    ids = set(state.session.scalars(query))
    if not ids:
        return None
    before = rows_of(ids, state.session)
    result = state.invoke_statement()
    move(before, rows_of(ids, state.session), state.session)
    return result
