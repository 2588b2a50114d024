"""Keeping the index in step: the ORM's writes, and a rebuild for the rest.

Every flush that inserts, changes or deletes a searchable record rewrites
that record's document in the same transaction (:func:`_after_flush`), so a
failed write leaves the index as it was, and a record is findable the moment
it is committed. Rows written around the ORM (a bulk load, a migration's
data step) are indexed by :func:`rebuild` — ``trellis search rebuild``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from core.declarations import Searchable
from core.extensions import db
from core.models.search import SearchDocument
from core.registry import current_registry
from core.search.ddl import FIELDS
from core.search.tokens import document_terms

#: records indexed per statement by a rebuild
BATCH = 2000


def _values(value: Any) -> Iterable[str | None]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [None if value is None else str(value)]


def document(item: Searchable, values: Iterable[Any]) -> dict[str, Any]:
    """The ``search_document`` row of one record, from its fields' values in order."""
    row: dict[str, Any] = {"kind": item.kind}
    for column, value in zip(FIELDS, values, strict=False):
        row[column] = document_terms(_values(value)) or None
    return row


def _changed(obj: Any, item: Searchable) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in item.fields)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if not has_app_context() or "trellis" not in current_app.extensions:
        return
    models = current_registry().searchable_models
    if not models:
        return
    written: dict[str, list[tuple[int, dict]]] = {}
    removed: dict[str, list[int]] = {}
    for obj in list(session.new) + list(session.dirty):
        item = models.get(type(obj))
        if item is not None and (obj in session.new or _changed(obj, item)):
            values = [getattr(obj, name) for name in item.fields]
            written.setdefault(item.kind, []).append((obj.id, document(item, values)))
    for obj in session.deleted:
        item = models.get(type(obj))
        if item is not None:
            removed.setdefault(item.kind, []).append(obj.id)
    if written or removed:
        _store(session.connection(), written, removed)


def _store(
    conn: Any, written: dict[str, list[tuple[int, dict]]], removed: dict[str, list[int]]
) -> None:
    for kind, rows in written.items():
        removed.setdefault(kind, []).extend(record_id for record_id, _ in rows)
    for kind, ids in removed.items():
        conn.execute(
            delete(SearchDocument).where(
                SearchDocument.kind == kind, SearchDocument.record_id.in_(ids)
            )
        )
    documents = [{**doc, "record_id": rid} for batch in written.values() for rid, doc in batch]
    if documents:
        conn.execute(insert(SearchDocument), [_row(doc) for doc in documents])


def _row(doc: dict[str, Any]) -> dict[str, Any]:
    """Every column named, so that one executemany serves rows with empty fields."""
    return {column: doc.get(column) for column in _COLUMNS}


_COLUMNS = ("kind", "record_id", *FIELDS)


def rebuild(
    kinds: Iterable[str] | None = None, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Index every record of each kind anew (all declared kinds by default);
    ``progress(kind, n)`` after each batch of ``n``. Returns records per kind.
    One transaction per kind: a failed rebuild leaves that kind's index as it was."""
    reg = current_registry().searchables
    chosen = list(reg) if kinds is None else list(kinds)
    counts: dict[str, int] = {}
    for kind in chosen:
        item = reg[kind]
        model: Any = item.model
        columns = [getattr(model, name) for name in item.fields]
        total = 0
        with db.engine.begin() as conn:
            conn.execute(delete(SearchDocument).where(SearchDocument.kind == kind))
            last = 0
            while True:
                rows = conn.execute(
                    select(model.id, *columns)
                    .where(model.id > last)
                    .order_by(model.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                docs = [{**document(item, row[1:]), "record_id": row[0]} for row in rows]
                conn.execute(insert(SearchDocument), [_row(doc) for doc in docs])
                last = rows[-1][0]
                total += len(rows)
                if progress:
                    progress(kind, len(rows))
        counts[kind] = total
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return counts
