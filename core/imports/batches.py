"""An import from upload to the last batch.

:func:`upload` checks and stores the file and starts a job (``uploaded``)
with a suggested mapping; :func:`configure` sets the mapping and what a
duplicate does (``mapped``), saving the mapping by name if asked;
:func:`preview` checks every row and writes nothing; :func:`start` queues
the run (``queued``). The run is :func:`run_batch` on the job queue, one
batch of :data:`BATCH` rows after another, each one transaction: a row
that fails is rolled back to its savepoint and goes to the error file,
never half written; each record created or updated is remembered (with
its values before an update) for undo. A batch done is not run twice.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from marshmallow import Schema, fields, validate
from sqlalchemy import CursorResult, func, select, update

from core.attachments.storage import folder
from core.errors import StateError, TrellisError, ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.imports.bulk import check_rows, import_batch
from core.imports.dedupe import CheckedRow, flag_repeats
from core.imports.files import Table, read_table
from core.imports.importers import importer_of
from core.imports.mapping import check_mapping, mapping_named, save_mapping, suggest
from core.jobs import enqueue
from core.models import ImportJob, ImportJobError, ImportJobItem, User, utcnow
from core.models.imports import DUPLICATE_ACTIONS
from core.services.base import load

#: rows per batch (one transaction, one job)
BATCH = 500
#: the job that runs one batch
RUN = "core.import_batch"
#: the job that undoes an import (:mod:`core.imports.undo`)
UNDO = "core.import_undo"
#: how long one job goes on with the next batches before queueing the rest
SLICE_SECONDS = 20.0
#: an import waiting or running untouched this long has lost its worker
STALLED_AFTER = timedelta(minutes=10)
#: rows a preview lists (those with an error, a match or a repeat first)
PREVIEW_ROWS = 200


class ConfigureInput(Schema):
    """The mapping step as the API and the page send it."""

    mapping = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Length(max=60)),
    )
    mapping_name = fields.String(validate=validate.Length(min=1, max=120))
    save_as = fields.String(validate=validate.Length(min=1, max=120))
    on_duplicate = fields.String(validate=validate.OneOf(DUPLICATE_ACTIONS))
    line_actions = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,9}$")),
        values=fields.String(validate=validate.OneOf(DUPLICATE_ACTIONS)),
    )


def path_of(job: ImportJob) -> Path:
    return folder("core") / job.stored_name


#: the table last read, by its stored file's name (one at a time)
_last_table: dict[str, Table] = {}


def table_of(job: ImportJob) -> Table:
    """The job's file, read; the last one read is kept, so the batches of
    one import (the CLI asks for them one at a time, a worker slice after
    slice) parse the file once, not once per batch."""
    kept = _last_table.get(job.stored_name)
    if kept is None:
        kept = read_table(path_of(job).read_bytes(), job.filename)
        _last_table.clear()
        _last_table[job.stored_name] = kept
    return kept


def upload(data: bytes, filename: str, target: str, actor: User) -> ImportJob:
    """Check ``data`` and store it as a new job for ``target`` with a
    mapping suggested from its header; a 422 naming ``file`` or ``target``."""
    importer = importer_of(target)
    table = read_table(data, filename)
    stored = f"import-{uuid.uuid4().hex}.{table.kind}"
    path = folder("core") / stored
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
    try:
        with transaction():
            job = ImportJob(
                target=importer.name,
                filename=Path(filename.replace("\\", "/")).name[:200] or "import",
                stored_name=stored,
                file_kind=table.kind,
                size=len(data),
                encoding=table.encoding,
                columns=table.columns,
                total_rows=len(table.rows),
                mapping=suggest(table.columns, importer),
                on_duplicate="skip",
                line_actions={},
                status="uploaded",
                processed=0,
                created=0,
                updated=0,
                skipped=0,
                failed=0,
                created_by_id=actor.id,
            )
            db.session.add(job)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def configure(job: ImportJob, payload: dict[str, Any], actor: User) -> ImportJob:
    """Set the mapping (given, or a saved one by ``mapping_name``), what a
    duplicate does, and the action of single lines; save the mapping as
    ``save_as`` if given. Only before the run (409 after)."""
    if job.status not in ("uploaded", "mapped"):
        raise StateError({"status": [_("this import has started; its mapping is fixed")]})
    data = load(ConfigureInput(), payload)
    importer = importer_of(job.target)
    mapping = data.get("mapping")
    if data.get("mapping_name"):
        saved = mapping_named(job.target, data["mapping_name"])
        if saved is None:
            raise ValidationError({"mapping_name": [_("no mapping is saved under this name")]})
        mapping = saved.mapping
    clean = check_mapping(mapping if mapping is not None else job.mapping, job.columns, importer)
    if data.get("save_as"):
        save_mapping({"name": data["save_as"], "mapping": clean}, importer, actor)
    with transaction():
        job.mapping = clean
        job.on_duplicate = data.get("on_duplicate", job.on_duplicate)
        if "line_actions" in data:
            job.line_actions = data["line_actions"]
        job.status = "mapped"
    return job


@dataclass
class Preview:
    """What the run would do: counts by action, and the rows worth a look."""

    total: int = 0
    errors: int = 0
    matches: int = 0
    repeats: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    rows: list[CheckedRow] = field(default_factory=list)


def preview(job: ImportJob, actor: User | None, table: Table | None = None) -> Preview:
    """Check every row against the mapping: per-row errors, the records
    they duplicate, the repeats within the file. Nothing is written (the
    job may be one never stored, with its file's ``table``: a dry run)."""
    importer = importer_of(job.target)
    check_mapping(job.mapping, job.columns, importer)
    found = Preview()
    seen: dict[str, int] = {}
    plain: list[CheckedRow] = []
    rows = (table or table_of(job)).rows
    with db.session.no_autoflush:
        for start in range(0, len(rows), BATCH):
            for row in check_rows(job, importer, rows[start : start + BATCH], actor):
                flag_repeats(row, importer, seen)
                found.total += 1
                found.actions[row.action] = found.actions.get(row.action, 0) + 1
                found.errors += row.values is None
                found.matches += row.match is not None
                found.repeats += row.repeats is not None
                notable = row.values is None or row.match is not None or row.repeats is not None
                listed = found.rows if notable else plain
                if len(listed) < PREVIEW_ROWS:  # a million rows are counted, not kept
                    listed.append(row)
    found.rows = (found.rows + plain)[:PREVIEW_ROWS]
    return found


def start(job: ImportJob, actor: User, *, queue: bool = True) -> ImportJob:
    """Queue the run of a mapped import (409 in any other state); without
    ``queue`` the caller runs the batches itself (the CLI, with its progress)."""
    if job.status != "mapped":
        raise StateError({"status": [_("map the columns first; an import runs once")]})
    check_mapping(job.mapping, job.columns, importer_of(job.target))
    with transaction():
        job.status = "queued"
    if queue:
        enqueue(RUN, job_id=job.id, start=0)
    return job


def run_batch(job_id: int, start: int, chain: bool = True) -> str:
    """Import the job's rows from ``start`` in batches of :data:`BATCH`,
    each one transaction (so the progress shows after each); after
    :data:`SLICE_SECONDS` the rest is queued as a new job, so one large
    import does not hold the worker. Without ``chain``, one batch only (the
    CLI's progress bar). The job's counters say how far it got: a batch
    already done is not run again."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "running") or job.processed != start:
        return "nothing to do"
    actor = db.session.get(User, job.created_by_id)
    began = time.monotonic()
    try:
        importer = importer_of(job.target)
        rows = table_of(job).rows
        while True:
            with transaction():
                if not _claim(job_id, start):
                    break  # another worker ran this batch (a resumed job raced the first)
                job.status = "running"
                job.started_at = job.started_at or utcnow()
                import_batch(job, importer, rows[start : start + BATCH], actor)
                start += BATCH
                if start >= job.total_rows:
                    job.status, job.finished_at = "done", utcnow()
            if job.status != "running" or not chain:
                break
            if time.monotonic() - began > SLICE_SECONDS:
                enqueue(RUN, job_id=job.id, start=start)
                break
    except TrellisError as exc:
        _fail(job_id, str(exc))
        return f"failed: {exc}"
    except Exception as exc:
        _fail(job_id, _("the import stopped: %(error)s", error=str(exc)[:300]))
        raise
    return f"{job.processed} of {job.total_rows} rows"


def _claim(job_id: int, start: int) -> bool:
    """Take the batch at ``start`` in this transaction: the row's lock holds
    any other worker at the same point until this one commits, and then its
    ``processed`` no longer matches. So a batch is written once, however
    many jobs race for it."""
    claimed = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job_id,
            ImportJob.processed == start,
            ImportJob.status.in_(("queued", "running")),
        )
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1


def resume_stalled(now: datetime | None = None) -> str:
    """Queue again the imports whose worker stopped (a crash, a restart):
    waiting or running, untouched for :data:`STALLED_AFTER`. Each batch is
    claimed (:func:`_claim`), so one still under way is not written twice."""
    since = (now or utcnow()) - STALLED_AFTER
    stalled = db.session.execute(
        select(ImportJob.id, ImportJob.processed, ImportJob.status, ImportJob.created_by_id).where(
            ImportJob.status.in_(("queued", "running", "undoing")), ImportJob.updated_at < since
        )
    ).all()
    for job_id, processed, status, user_id in stalled:
        if status == "undoing":  # an undo is one transaction: it starts again
            enqueue(UNDO, job_id=job_id, user_id=user_id)
        else:
            enqueue(RUN, job_id=job_id, start=processed)
    return f"{len(stalled)} stalled imports queued again"


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    if job is not None:
        job.status, job.error, job.finished_at = "failed", message[:500], utcnow()
        db.session.commit()


def error_rows(job: ImportJob) -> list[ImportJobError]:
    """The rows that failed, by line: the error file's."""
    return list(
        db.session.scalars(
            select(ImportJobError)
            .where(ImportJobError.job_id == job.id)
            .order_by(ImportJobError.line, ImportJobError.id)
        )
    )


def items_count(job: ImportJob) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(ImportJobItem).where(ImportJobItem.job_id == job.id)
        )
        or 0
    )
