"""Writing millions of generated rows quickly, the plain way each database has.

- :func:`bulk_insert` — ``COPY ... FROM STDIN`` on PostgreSQL (psycopg's
  ``copy``), DB-API ``executemany`` of plain tuples on SQLite: no ORM, no
  per-value SQLAlchemy type processing.
- :func:`deferred_indexes` — drop the secondary indexes and triggers of the
  tables being loaded, and build them again afterwards: one sort per index
  instead of a B-tree insert per row and index (and on SQLite the search
  index's FTS5 table is rebuilt in one pass instead of row by row).
- :class:`Stored` — values in the form the database stores them (UTC
  timestamps, JSON text, booleans), so that generators hand over finished
  tuples.
- :func:`progress_bar` — rows done / total and rows/s on stderr, with
  click's bar (the one ``trellis search rebuild`` shows).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import click

from core.extensions import db

#: rows per ``executemany`` on SQLite, and between two progress reports
BATCH = 20_000


class Stored:
    """Values as ``dialect`` stores them: SQLAlchemy's ``DateTime`` text on
    SQLite (UTC, no offset, as ``UTCDateTime`` writes it), ``timestamptz``
    input text on PostgreSQL; JSON as ``json.dumps`` text; booleans as 1/0 on
    SQLite."""

    def __init__(self, dialect: str):
        self.postgresql = dialect == "postgresql"
        self._suffix = "+00" if self.postgresql else ""

    def time(self, value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + self._suffix

    @staticmethod
    def json(value: Any) -> str:
        return json.dumps(value)

    def boolean(self, value: bool) -> bool | int:
        return value if self.postgresql else int(value)


def bulk_insert(
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple],
    progress: Callable[[int], None] | None = None,
    stored: bool = False,
) -> int:
    """Insert an iterable of tuples the fastest plain way each database has:
    ``COPY ... FROM STDIN`` on PostgreSQL, DB-API executemany in batches on
    SQLite. With ``stored`` the tuples already hold what SQLite stores (see
    :class:`Stored`); without, datetimes, dates and decimals are converted
    here. ``progress(n)`` after every batch of ``n`` rows. Commits; returns
    the number of rows."""
    db.session.commit()
    raw = db.engine.raw_connection()
    _for_loading(raw.driver_connection)
    count = 0
    report = progress or (lambda _n: None)
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        if db.engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if count % BATCH == 0:
                        report(BATCH)
            report(count % BATCH)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            if not stored:
                rows = (tuple(_sqlite_value(v) for v in row) for row in rows)
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    report(len(batch))
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
            report(len(batch))
        raw.commit()
    finally:
        raw.close()
    return count


#: SQLite settings of a loading connection: no foreign key lookups per row, no
#: waiting for the disk (a crash loses a benchmark database anyway), room to
#: sort an index in memory
SQLITE_LOADING = (
    "PRAGMA foreign_keys=OFF",  # the generators' rows are valid by construction (tested)
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-262144",
    "PRAGMA temp_store=MEMORY",
)


def _for_loading(connection: Any) -> None:
    """Set :data:`SQLITE_LOADING` on a DB-API connection (PostgreSQL: nothing).
    The loader disposes of the pool afterwards, so that no connection the
    benchmark measures with keeps them."""
    if db.engine.dialect.name == "sqlite":
        for pragma in SQLITE_LOADING:
            connection.execute(pragma)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _secondary(conn: Any, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(DROP, CREATE) statements of every index and trigger on ``tables`` that
    no primary key or unique constraint needs, and on PostgreSQL of their
    foreign keys (checked row by row while loading, in one pass when added
    back — as ``pg_restore`` orders it). The CREATEs run in list order."""
    if db.engine.dialect.name == "postgresql":
        found = conn.exec_driver_sql(
            "SELECT 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%(tables)s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) "
            "UNION ALL SELECT "
            "format('ALTER TABLE %%I DROP CONSTRAINT %%I', t.relname, c.conname), "
            "format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname, "
            "pg_get_constraintdef(c.oid)) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(%(tables)s) ORDER BY 1",
            {"tables": list(tables)},
        )
    else:
        marks = ", ".join("?" * len(tables))
        found = conn.exec_driver_sql(
            "SELECT 'DROP ' || upper(type) || ' ' || name, sql FROM sqlite_master "
            "WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY 1",
            tuple(tables),
        )
    # the foreign keys (ALTER TABLE) last: every index is back when they are checked
    return sorted(
        ((drop, create) for drop, create in found), key=lambda s: s[1].startswith("ALTER")
    )


@contextmanager
def deferred_indexes(
    tables: tuple[str, ...], say: Callable[[str], None] = lambda _s: None
) -> Iterator[None]:
    """Load ``tables`` without their secondary indexes, triggers (and on
    PostgreSQL foreign keys); build them again on the way out (on an error
    too), then bring SQLite's search index table up to date with its content
    in one pass."""
    db.session.commit()  # the session's reads would block the DROPs on PostgreSQL
    with db.engine.begin() as conn:
        dropped = _secondary(conn, tables)
        for drop, _create in dropped:
            conn.exec_driver_sql(drop)
    try:
        yield
    finally:
        started, cpu = time.perf_counter(), time.process_time()
        with db.engine.begin() as conn:
            _for_loading(conn.connection.driver_connection)
            if db.engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            for _drop, create in dropped:
                conn.exec_driver_sql(create)
            if "search_document" in tables and db.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        say(
            f"  {len(dropped)} indexes, triggers and foreign keys built in "
            f"{time.perf_counter() - started:.1f} s "
            f"(this process's CPU {time.process_time() - cpu:.1f} s)"
        )


@contextmanager
def progress_bar(total: int, label: str, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A function ``advance(n)`` that moves a bar of ``total`` rows on
    stderr, showing rows done / total and the rate so far."""
    if not enabled:
        yield lambda _n: None
        return
    started = time.perf_counter()
    done = [0]
    with click.progressbar(
        length=total,
        label=label,
        show_pos=True,
        show_percent=True,
        item_show_func=lambda rate: rate,
        file=sys.stderr,
    ) as bar:

        def advance(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.perf_counter() - started, 1e-9)
            bar.update(n, f"{rate:,.0f} rows/s")

        yield advance
