"""The tables of :mod:`core.ops`: job claims and worker heartbeats.

Both live in the database because it is the one store every process of an
instance shares in every set-up — one machine on SQLite, or several app
servers and workers on PostgreSQL with Redis beside them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime


class JobClaim(TimestampMixin, Model):
    """One run of a periodic job: the first process to insert (code, slot)
    runs it; the unique key turns every other process away. (No queue name
    in the key: the table is the instance's own, and two servers whose
    database URLs are spelt differently still share it.)"""

    __tablename__ = "job_claim"
    __table_args__ = (UniqueConstraint("code", "slot"),)

    code: Mapped[str] = mapped_column(String(100))
    #: the scheduled minute this run stands for (UTC)
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ``host:pid`` of the process that ran it
    claimed_by: Mapped[str] = mapped_column(String(200))


class WorkerHeartbeat(TimestampMixin, Model):
    """A job worker's latest sign of life, one row per worker process."""

    __tablename__ = "worker_heartbeat"
    __table_args__ = (UniqueConstraint("queue", "worker"),)

    queue: Mapped[str] = mapped_column(String(64))
    #: ``host:pid``
    worker: Mapped[str] = mapped_column(String(200))
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


#: core owns these tables (the app factory records it; migrations create them)
OPS_TABLES = (JobClaim.__tablename__, WorkerHeartbeat.__tablename__)
