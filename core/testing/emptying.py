"""Emptying the test database after a test, as quickly as the database
allows, into the state a new database's tables are in.

``TRUNCATE`` of every table (with ``RESTART IDENTITY``) is the obvious way,
and on PostgreSQL the slow one: it gives each of some two hundred tables and
indexes new files, a few tenths of a second a test — minutes a run. Only the
tables that hold rows are emptied here, with ``DELETE``, and what a new (or
truncated) table has besides no rows is put back: its sequences start again,
and the planner knows nothing of it (``reltuples = -1``: never analysed), so
a query is planned as on a new database whatever the tests before it wrote;
a table that grew to ten pages is vacuumed back to none first (below that,
PostgreSQL plans a table as ten pages long either way). A role without the
rights for that (a superuser's) truncates the tables that hold rows.

On PostgreSQL the emptying keeps one connection to each database open for
the worker's run (checked before each use): a new one — a server process
forked, SQLAlchemy's first-connect queries — cost more than the emptying of
a test that wrote nothing, twice a test. An idle connection holds no lock,
and the database is dropped with ``FORCE`` at the end.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import NullPool

#: the worker's PostgreSQL engines for emptying, by URL: one connection each
_ENGINES: dict[str, Engine] = {}
#: whether the role of a PostgreSQL URL is a superuser (it does not change)
_SUPERUSER: dict[str, bool] = {}


def _engine(url: str) -> Engine:
    if not url.startswith("postgresql"):
        return create_engine(url, poolclass=NullPool)  # SQLite: connecting is a file open
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    return _ENGINES[url]


def close_connections() -> None:
    """Close the connections the emptying keeps (before a database is dropped)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def empty_tables(url: str) -> None:
    """Empty every table of the database at ``url`` but ``alembic_version``."""
    engine = _engine(url)
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            _empty_sqlite_tables(conn)
        engine.dispose()
        return
    with engine.connect() as conn:
        with conn.begin():
            grown = _empty_pg_tables(conn, url)
            if grown == []:  # nothing to vacuum: the planner's view in the same transaction
                conn.exec_driver_sql(_PG_NEVER_ANALYSED)
        if grown:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for name in grown:  # VACUUM: never in a transaction
                conn.exec_driver_sql(f'VACUUM "{name}"')
            conn.exec_driver_sql(_PG_NEVER_ANALYSED)


def _holding_rows(conn: Connection, names: list[str]) -> list[str]:
    """Which of the tables ``names`` hold a row (one query per hundred tables)."""
    found: list[str] = []
    for start in range(0, len(names), 100):
        query = " UNION ALL ".join(
            f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{name}")'
            for i, name in enumerate(names[start : start + 100], start)
        )
        found += [names[i] for i in conn.exec_driver_sql(query).scalars()]
    return found


#: the tables of the connection's schema (``inspect().get_table_names()``'s)
_PG_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname <> 'alembic_version'
ORDER BY c.relname
"""
#: each sequence a table's column owns (serial, identity) that has been used,
#: started again — what ``TRUNCATE … RESTART IDENTITY`` does to them
_PG_RESTART_SEQUENCES = """
SELECT setval(s.seqrelid, s.seqstart, false)
FROM pg_sequence s
JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass
    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND t.relname <> 'alembic_version'
    AND pg_sequence_last_value(s.seqrelid) IS NOT NULL
"""
#: the tables (of those named) ten pages long or longer
_PG_GROWN = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname = ANY(%(names)s)
    AND pg_relation_size(c.oid) >= 10 * current_setting('block_size')::int
"""
#: every table and index of the schema (but ``alembic_version``'s) as the
#: planner sees a new one: never vacuumed nor analysed
_PG_NEVER_ANALYSED = """
UPDATE pg_class c SET relpages = 0, reltuples = -1, relallvisible = 0
FROM pg_namespace n
WHERE n.oid = c.relnamespace AND n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'i')
    AND (c.relpages, c.reltuples, c.relallvisible) IS DISTINCT FROM (0, -1, 0)
    AND c.relname <> 'alembic_version' AND NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE i.indexrelid = c.oid AND t.relname = 'alembic_version'
    )
"""


def _empty_pg_tables(conn: Connection, url: str) -> list[str] | None:
    """A superuser's way: DELETE from the tables that hold rows, foreign keys
    unchecked (every one of them is emptied), and restart their sequences;
    return the tables that grew to ten pages (to vacuum). Another role's: the
    tables that hold rows truncated (None)."""
    full = _holding_rows(conn, list(conn.exec_driver_sql(_PG_TABLES).scalars()))
    conn.exec_driver_sql(_PG_RESTART_SEQUENCES).all()
    if url not in _SUPERUSER:
        _SUPERUSER[url] = conn.exec_driver_sql("SHOW is_superuser").scalar() == "on"
    if not _SUPERUSER[url]:
        if full:
            tables = ", ".join(f'"{name}"' for name in full)
            conn.exec_driver_sql(f"TRUNCATE {tables} CASCADE")
        return None
    if not full:
        return []
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    for name in full:
        conn.exec_driver_sql(f'DELETE FROM "{name}"')
    return list(conn.exec_driver_sql(_PG_GROWN, {"names": full}).scalars())


def _empty_sqlite_tables(conn: Connection) -> None:
    """DELETE from the tables that hold rows, foreign keys off. A full-text
    (virtual) table and its shadow tables empty with the table they index,
    through its triggers; deleting them corrupts it."""
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # before any write: a no-op in a transaction
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' "
        "ESCAPE '~' AND name <> 'alembic_version' ORDER BY name"
    ).all()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    names = [n for n, _sql in rows if not any(n == v or n.startswith(f"{v}_") for v in virtual)]
    for name in _holding_rows(conn, names):
        conn.exec_driver_sql(f'DELETE FROM "{name}"')
