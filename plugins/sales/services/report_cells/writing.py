"""What the keeping writes with: money in minor units, and an upsert that
reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def cents(amount) -> int:
    """A money amount (Decimal, or a float from SQLite's sums) in minor units."""
    return int((Decimal(str(amount or 0)) * 100).to_integral_value())


def upsert(session: Session, table, values: dict, unique, changes) -> None:
    """``INSERT ... ON CONFLICT (unique) DO UPDATE SET changes(excluded)``, the
    same on SQLite and PostgreSQL (each dialect has its own construct)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(values)
    session.execute(
        statement.on_conflict_do_update(index_elements=[unique], set_=changes(statement.excluded))
    )
