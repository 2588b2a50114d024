"""Undoing an import as a whole, in one transaction: the records it created
go to the recycle bin (soft delete, through the target's own service), the
records it updated get back exactly the values they had before.

Undo is refused (409) when a record the import wrote was changed since —
edited, deleted or merged by anyone, or written again by a later import:
its ``version`` is no longer the one the import left. Undoing then would
throw that later work away without anyone seeing it; the 409 names the
records, and whoever undoes decides by hand.

An undo runs on the job queue (``core.import_undo``), as the import did: a
large one outlasts a request. :func:`undo` checks it and marks the import
``undoing`` (one conditional UPDATE, so it is asked for once); the job
checks again and undoes; if it is refused then (a record changed in
between, a plugin's veto), the import keeps its state and ``undo_error``
says why. An undo whose worker stopped is queued again
(:func:`~core.imports.batches.resume_stalled`).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from core.errors import StateError, TrellisError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.imports.batches import UNDO
from core.imports.importers import importer_of
from core.jobs import enqueue_after_commit
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
    """Ask for the undo of a finished import; it runs on the job queue
    (409 if the import is not finished, was undone or is being undone, or a
    record it wrote changed since: :func:`changed_since`)."""
    if job.status not in ("done", "failed") or job.undone_at is not None:
        raise StateError({"status": [_("only a finished import can be undone, once")]})
    _refuse_if_changed(job)
    claimed = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job.id,
            ImportJob.status.in_(("done", "failed")),
            ImportJob.undone_at.is_(None),
        )
        .values(status="undoing", undo_error=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:  # another request asked first
        db.session.rollback()
        raise StateError({"status": [_("only a finished import can be undone, once")]})
    with transaction():
        enqueue_after_commit(UNDO, job_id=job.id, user_id=actor.id if actor else None)
    db.session.refresh(job)
    return job


def run_undo(job_id: int, user_id: int | None) -> str:
    """The job: undo import ``job_id`` in one transaction, or leave it as it
    was with ``undo_error`` saying why not."""
    # the row held until this undo commits: a second job for it (a resumed
    # one) waits, then finds it undone
    job = db.session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status != "undoing":
        db.session.rollback()
        return "nothing to undo"
    actor = db.session.get(User, user_id) if user_id is not None else None
    try:
        _refuse_if_changed(job)
        items = _items(job)
        held = _load([(item.record_type, item.record_id) for item in items])  # noqa: F841
        # no flush before each record's checks (a plugin's veto reads its
        # own tables, not the records undone before it): one flush a record
        with transaction(), db.session.no_autoflush:
            for item in reversed(items):
                importer = importer_of(item.record_type)
                record = _record(item.record_type, item.record_id)
                if item.action == "create":
                    importer.delete(record, actor)
                else:
                    importer.update(record, dict(item.before or {}), actor)
            job.status, job.undone_at = "undone", utcnow()
    except TrellisError as exc:
        db.session.rollback()
        found = db.session.get(ImportJob, job_id, populate_existing=True, with_for_update=True)
        assert found is not None
        if found.status == "undoing":
            found.status = "failed" if found.error else "done"
            found.undo_error = _refusal(exc)[:500]
        db.session.commit()
        return f"undo refused: {_refusal(exc)}"
    return f"{len(items)} records undone"


def _refuse_if_changed(job: ImportJob) -> None:
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


def _refusal(exc: TrellisError) -> str:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return "; ".join(str(m) for messages in errors.values() for m in messages)
    return str(exc)


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
