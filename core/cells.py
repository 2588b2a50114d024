"""Kept sums ("report cells"): adding to counters in the writing transaction.

A report over millions of rows answers fast when it reads sums kept as the
rows are written — a count and an amount per day and department, per month
and agent — instead of the rows. Each plugin keeps its own cell tables
(their keys are its report's dimensions); :func:`add_to_cells` is the one
write they share: each row's measures are *added* to the cell its key
names, the cell created at its first row, in one statement per chunk,
alike on SQLite and PostgreSQL (``INSERT … ON CONFLICT DO UPDATE``).

The rows are written in key order, so that two transactions that touch
the same cells lock them in the same order and cannot deadlock; a cell
whose ``drop_when`` measure falls to zero or below (its last row taken
back) is deleted, so an empty cell is never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, delete, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.extensions import db

#: rows per statement
CHUNK = 500


def add_to_cells(
    table: Table,
    rows: Iterable[dict[str, Any]],
    *,
    keys: Sequence[str],
    measures: Sequence[str],
    drop_when: str | None = None,
    session: Any = None,
) -> None:
    """Add each row's ``measures`` to the cell of ``table`` its ``keys``
    name (a unique index over ``keys`` must exist); a row's other columns
    are written when its cell is created. Rows of one key are not summed
    first: pass one row per cell. ``drop_when``: delete the touched cells
    whose value of that measure is zero or less afterwards."""
    ordered = sorted(rows, key=lambda row: tuple(_sortable(row[k]) for k in keys))
    if not ordered:
        return
    session = session or db.session
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(ordered), CHUNK):
        statement = insert(table).values(ordered[start : start + CHUNK])
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c[k] for k in keys],
                set_={m: table.c[m] + statement.excluded[m] for m in measures},
            )
        )
    if drop_when is None:
        return
    taken = [row for row in ordered if row[drop_when] <= 0]
    key_columns = tuple_(*(table.c[k] for k in keys))
    for start in range(0, len(taken), CHUNK):
        chunk = [tuple(row[k] for k in keys) for row in taken[start : start + CHUNK]]
        session.execute(delete(table).where(key_columns.in_(chunk), table.c[drop_when] <= 0))


def _sortable(value: Any) -> tuple:
    """A key part that sorts beside any other (None first)."""
    return (value is not None, value)
