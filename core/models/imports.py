"""Imports: a file brought in as records, what it wrote, and saved mappings.

An :class:`ImportJob` is one uploaded file (CSV, XLSX or vCard) for one
target (``customers``, ``contacts`` or a plugin's importer): its columns,
the mapping of columns to the target's fields, what to do with a row that
matches an existing record, and the progress of the run. Each record the
run created or updated is an :class:`ImportJobItem` (with the values it had
before an update), so the import can be undone as a whole; each row that
failed is an :class:`ImportJobError`, the error file's line. An
:class:`ImportMapping` is a mapping saved under a name, per target.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime

#: uploaded → mapped → queued → running → done | failed; done | failed →
#: undoing → undone (or back, with ``undo_error``, if the undo is refused)
JOB_STATES = (*("uploaded", "mapped", "queued", "running", "done", "failed", "undoing", "undone"),)
#: what a row that matches an existing record does
DUPLICATE_ACTIONS = ("create", "update", "skip")


class ImportJob(TimestampMixin, Model):
    """One uploaded file for one target, and how far its import got."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_created_by", "created_by_id", "id"),)

    target: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    #: the file under ``uploads/core/`` (a random name)
    stored_name: Mapped[str] = mapped_column(String(60))
    file_kind: Mapped[str] = mapped_column(String(8))  # csv | xlsx | vcard
    size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(30))
    #: the file's column names, in order
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    #: column name -> target field (a column not named is left out)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: what a row matching an existing record does: create, update or skip
    on_duplicate: Mapped[str] = mapped_column(String(8), default="skip")
    #: the action chosen for single lines (line as text -> action)
    line_actions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="uploaded")
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why the last undo was refused when it ran (the import is as it was)
    undo_error: Mapped[str | None] = mapped_column(String(500))

    created_by = relationship("User", foreign_keys=[created_by_id])


class ImportJobItem(TimestampMixin, Model):
    """A record an import created or updated: for an update, the values its
    changed fields had before (``before``, as the target's input takes
    them); ``version`` is the record's version right after the import, so
    undo can tell whether someone changed it since."""

    __tablename__ = "import_job_item"
    __table_args__ = (Index("ix_import_job_item_job", "job_id", "id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))  # create | update
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int | None] = mapped_column(Integer)


class ImportJobError(TimestampMixin, Model):
    """A row the import could not write: its line, its cells and why."""

    __tablename__ = "import_job_error"
    __table_args__ = (Index("ix_import_job_error_job", "job_id", "line"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[str | None]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)


class ImportMapping(TimestampMixin, Model):
    """A mapping of column names to a target's fields, saved under a name."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("target", "name"),)

    target: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
