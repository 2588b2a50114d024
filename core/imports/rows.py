"""One row of an import, on its own: checked, then created, updated or
skipped in a savepoint, or failed — its writes and the events they emitted
taken back, its line in the error file. Every row goes this way except the
new customers of a batch, which :mod:`core.imports.bulk` writes together
(and which come back here when the database refuses the batch)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from core.errors import TrellisError, ValidationError
from core.events import savepoint
from core.extensions import db
from core.i18n import _
from core.imports.dedupe import CheckedRow, check_row
from core.imports.importers import Importer, current_values
from core.models import ImportJob, ImportJobError, ImportJobItem, User


def import_row(
    job: ImportJob, importer: Importer, line: int, cells: list[str | None], actor: User | None
) -> None:
    """One row, in a savepoint: created, updated, skipped, or failed (its
    writes and the events they emitted taken back, its line in the error file)."""
    try:
        with savepoint():
            row = check_row(job, importer, line, cells, actor)
            action = write_row(job, importer, row, actor)
    except TrellisError as exc:
        errors = getattr(exc, "errors", None)
        row = CheckedRow(line, cells, None, errors if isinstance(errors, dict) else {})
        failed_row(job, line, cells, row.message or str(exc))
        return
    except (IntegrityError, DataError) as exc:  # the database refused what the checks let by
        failed_row(job, line, cells, refused(exc))
        return
    if action == "error":
        failed_row(job, line, cells, row.message)
    elif action == "skip":
        job.skipped += 1
    elif action == "update":
        job.updated += 1
    elif action == "create":
        job.created += 1


def refused(exc: DBAPIError) -> str:
    """The error file's message for a row the database refused."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
    return _("the database refused this row: %(error)s", error=reason)


def failed_row(job: ImportJob, line: int, cells: list[str | None], message: str) -> None:
    job.failed += 1
    db.session.add(ImportJobError(job_id=job.id, line=line, cells=cells, message=message))


def write_row(job: ImportJob, importer: Importer, row: CheckedRow, actor: User | None) -> str:
    """Do what the row's action says; the action done (``skip`` when an
    update changes nothing)."""
    if row.action == "error" or row.values is None:
        return "error"
    if row.action == "skip":
        return "skip"
    if row.action == "create":
        record = importer.create(row.values, actor)
        db.session.flush()
        remember(job, importer, row.line, record, "create", None)
        return "create"
    record = row.match
    if not importer.visible(record, actor):
        raise ValidationError(
            {"_row": [_("it matches a record you may not change; choose skip or create")]}
        )
    changes = _changes(importer, record, row.values)
    if not changes:
        return "skip"
    before = current_values(record, list(changes))
    importer.update(record, changes, actor)
    db.session.flush()
    remember(job, importer, row.line, record, "update", before)
    return "update"


def _changes(importer: Importer, record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the record's; a list field's new values
    are added to those it has."""
    now = current_values(record, [k for k in values if hasattr(record, k)])
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in now:
            continue
        if key in importer.list_fields:
            value = list(dict.fromkeys([*(now[key] or []), *value]))
        if value != now[key]:
            changes[key] = value
    return changes


def remember(
    job: ImportJob,
    importer: Importer,
    line: int,
    record: Any,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    db.session.add(
        ImportJobItem(
            job_id=job.id,
            line=line,
            record_type=importer.name,
            record_id=record.id,
            action=action,
            before=before,
            version=getattr(record, "version", None),
        )
    )
