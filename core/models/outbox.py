"""The job outbox: jobs queued in a transaction, waiting to be handed to
the job queue (Huey, on Redis or SQLite) once that transaction commits.

A row is written by :func:`core.jobs.enqueue` in the caller's transaction,
so a rolled-back write queues nothing and a committed one keeps its job
even when the queue is out of reach; the relay (:mod:`core.jobs.outbox`)
hands the rows to the queue and deletes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model
from core.models.base import TimestampMixin, UTCDateTime


class JobOutbox(TimestampMixin, Model):
    """One queued job not yet handed to the queue."""

    __tablename__ = "job_outbox"

    code: Mapped[str] = mapped_column(String(100))
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: what travels with the job besides its arguments: the request id
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: relays that found the queue out of reach
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the last refusal, by kind and message (no URL: the error's own words)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: the worker's relay leaves the row alone until then (backoff)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: a relay handing the row over holds it until then (a relay that died lets go)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: which relay holds it (a random token per relay run)
    leased_by: Mapped[str | None] = mapped_column(String(32), index=True)
