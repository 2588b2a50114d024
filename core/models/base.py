"""Columns every table shares, and those of records that people edit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, Integer, Table, TypeDecorator, event, func, text
from sqlalchemy.orm import Mapped, Mapper, declared_attr, mapped_column


def utcnow() -> datetime:
    """The current time as an aware UTC ``datetime``: what every
    ``UTCDateTime`` column stores and compares against."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite stores no offset; without this, values read back would be naive
    on SQLite and aware on PostgreSQL, and comparisons would break only in
    production.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime; pass an aware (UTC) datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    """``id``, ``created_at``, ``updated_at`` — on every table."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now(), nullable=False
    )


class VersionedMixin:
    """Optimistic locking: each UPDATE checks and bumps ``version``.

    SQLAlchemy adds ``WHERE version = <read value>`` to every UPDATE, so two
    concurrent writers cannot both win; services also compare the version a
    client sent (see :func:`core.services.base.check_version`).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


#: what ``ix_<table>_deleted_at`` holds: only the deleted rows
DELETED_ROWS = "deleted_at IS NOT NULL"


class SoftDeleteMixin:
    """Deleting sets ``deleted_at``; the row stays until purged."""

    # Indexed by ``ix_<table>_deleted_at``, partial on ``deleted_at IS NOT
    # NULL`` (see _index_deleted_rows): only the recycle bin and the purge look
    # for deleted rows, and a full index, every key NULL for the live rows,
    # lures SQLite into using it for ``deleted_at IS NULL`` instead of a
    # table's far narrower status indexes.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@event.listens_for(SoftDeleteMixin, "after_mapper_constructed", propagate=True)
def _index_deleted_rows(mapper: Mapper, class_: type) -> None:
    """Attach the partial ``deleted_at`` index to each soft-deletable table
    as its class is mapped (before ``create_all`` and migration checks read
    the metadata); a table that declares its own index of that name, or a
    subclass sharing its parent's table, keeps the one it has."""
    table = mapper.local_table
    if not isinstance(table, Table) or "deleted_at" not in table.c:
        return
    name = f"ix_{table.name}_deleted_at"
    if any(index.name == name for index in table.indexes):
        return
    Index(
        name,
        table.c.deleted_at,
        sqlite_where=text(DELETED_ROWS),
        postgresql_where=text(DELETED_ROWS),
    )
