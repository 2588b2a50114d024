"""Every row of the plugin's tables that belongs to one patient — found, not
listed, so that a table added to ``MODELS`` later is exported, merged and
purged with the patient without a change here.

A model with a ``customer_id`` column holds the customer's rows; a model
with a foreign key to a table already gathered holds the rows that point at
those (a prescription's lines, a visit's diagnoses, a follow-up plan's
steps). Shared tables (departments, the formulary, the price list) point at
no patient and stay out."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select

from core.api import db, repoint

from ...models import MODELS


def _owned() -> list[Any]:
    return [model for model in MODELS if "customer_id" in model.__table__.c]


def patient_rows(customer_id: int) -> dict[str, list[Any]]:
    """Table name -> the rows of the customer, oldest first."""
    found: dict[str, list[Any]] = {}
    for model in _owned():
        found[model.__tablename__] = _rows(model, model.customer_id == customer_id)
    pending = [model for model in MODELS if model.__tablename__ not in found]
    grew = True
    while grew:  # the children of gathered rows, then theirs
        grew = False
        for model in list(pending):
            links = [
                column.in_([row.id for row in found[fk.column.table.name]])
                for column in model.__table__.c
                for fk in column.foreign_keys
                if fk.column.table.name in found
            ]
            if links:
                found[model.__tablename__] = _rows(model, or_(*links))
                pending.remove(model)
                grew = True
    return found


def _rows(model: Any, where: Any) -> list[Any]:
    return list(db.session.scalars(select(model).where(where).order_by(model.id)))


def move_patient_rows(survivor_id: int, merged_id: int, *, keep: tuple = ()) -> int:
    """Point every row of the merged customer at the survivor (merge),
    except in the models of ``keep`` (which the caller merges itself); the
    children follow their parents."""
    return sum(
        repoint(model, "customer_id", merged_id, survivor_id)
        for model in _owned()
        if model not in keep
    )


def purge_patient_rows(customer_id: int) -> int:
    """Delete every row of the customer, children before the rows they point
    at (the tables in reverse dependency order); the number deleted."""
    ids = {name: [row.id for row in rows] for name, rows in patient_rows(customer_id).items()}
    deleted = 0
    for table in reversed(db.metadata.sorted_tables):
        if ids.get(table.name):
            result = db.session.execute(delete(table).where(table.c.id.in_(ids[table.name])))
            deleted += cast(CursorResult[Any], result).rowcount
    return deleted
