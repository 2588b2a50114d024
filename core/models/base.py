"""Columns every table shares, and those of records that people edit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, TypeDecorator, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


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


class SoftDeleteMixin:
    """Deleting sets ``deleted_at``; the row stays until purged."""

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
