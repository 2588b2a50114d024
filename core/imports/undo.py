"""Undoing an import as a whole, in one transaction: the records it created
go to the recycle bin (soft delete, through the target's own service), the
records it updated get back exactly the values they had before.

Undo is refused (409) when a record the import wrote was changed since —
edited, deleted or merged by anyone, or written again by a later import:
its ``version`` is no longer the one the import left. Undoing then would
throw that later work away without anyone seeing it; the 409 names the
records, and whoever undoes decides by hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.errors import StateError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.imports.importers import importer_of
from core.models import ImportJob, ImportJobItem, User, utcnow

#: how many changed records the refusal names at most
NAMED = 20


def changed_since(job: ImportJob) -> list[tuple[str, int]]:
    """``(record type, id)`` of each record the import wrote that changed since."""
    latest: dict[tuple[str, int], ImportJobItem] = {}
    for item in _items(job):
        latest[(item.record_type, item.record_id)] = item  # a record written twice: its last
    held = _load(list(latest))  # noqa: F841 (the session keeps only what is referenced)
    changed = []
    for (record_type, record_id), item in latest.items():
        record = _record(record_type, record_id)
        if record is None or getattr(record, "version", None) != item.version:
            changed.append((record_type, record_id))
    return changed


def undo(job: ImportJob, actor: User | None) -> ImportJob:
    """Undo a finished import (409 if it is not finished, was undone, or a
    record it wrote changed since: :func:`changed_since`)."""
    if job.status not in ("done", "failed") or job.undone_at is not None:
        raise StateError({"status": [_("only a finished import can be undone, once")]})
    changed = changed_since(job)
    if changed:
        names = ", ".join(f"{kind} {record_id}" for kind, record_id in changed[:NAMED])
        raise StateError(
            {
                "status": [
                    _("records changed since the import: %(records)s; undo refused", records=names)
                ]
            }
        )
    items = _items(job)
    held = _load([(item.record_type, item.record_id) for item in items])  # noqa: F841
    # no flush before each record's checks (a plugin's veto reads its own
    # tables, not the records undone before it): one flush a record, not two
    with transaction(), db.session.no_autoflush:
        for item in reversed(items):
            importer = importer_of(item.record_type)
            record = _record(item.record_type, item.record_id)
            if item.action == "create":
                importer.delete(record, actor)
            else:
                importer.update(record, dict(item.before or {}), actor)
        job.status, job.undone_at = "undone", utcnow()
    return job


def _items(job: ImportJob) -> list[ImportJobItem]:
    return list(
        db.session.scalars(
            select(ImportJobItem).where(ImportJobItem.job_id == job.id).order_by(ImportJobItem.id)
        )
    )


def _load(records: list[tuple[str, int]], chunk: int = 500) -> list[Any]:
    """Read the records into the session a chunk at a time (not one query
    each); hold the list while they are used: the session's identity map
    keeps an unchanged record only as long as something refers to it."""
    loaded: list[Any] = []
    by_type: dict[str, list[int]] = {}
    for record_type, record_id in records:
        by_type.setdefault(record_type, []).append(record_id)
    for record_type, ids in by_type.items():
        model: Any = importer_of(record_type).model
        for first in range(0, len(ids), chunk):
            part = ids[first : first + chunk]
            loaded.extend(db.session.scalars(select(model).where(model.id.in_(part))))
    return loaded


def _record(record_type: str, record_id: int) -> Any:
    return db.session.get(importer_of(record_type).model, record_id)
