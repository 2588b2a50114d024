"""A periodic job runs at most once per scheduled slot, across every
process of an instance.

Each Huey consumer's scheduler queues the periodic jobs, and ``trellis jobs
run-due`` may be run by cron on several servers; whoever gets to a slot
first runs it. A slot is the scheduled minute a run stands for (for a job
every 15 minutes, 10:15 covers 10:15–10:29, UTC). Claiming is inserting
(job code, slot) into ``job_claim``, whose unique key lets exactly one
insert win on SQLite and PostgreSQL alike — the database is the one
store every process shares in every set-up, Redis or not. A run that fails
gives its claim back, so a retry or another process may run the slot.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.ops.models import JobClaim

#: claims older than this are deleted when the same job claims a new slot
KEEP_CLAIMS = timedelta(days=7)


def process_name() -> str:
    """``host:pid``, how a claim or a heartbeat names who wrote it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def slot_of(every_minutes: int, now: datetime) -> datetime:
    """The slot ``now`` falls in for a job run every ``every_minutes``: the
    minutes of the (UTC) day divisible by it, as Huey's schedule has them."""
    now = now.astimezone(UTC)
    minute = now.hour * 60 + now.minute
    start = minute - minute % every_minutes
    return now.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)


def claim(code: str, slot: datetime) -> bool:
    """Claim ``slot`` of job ``code``: True for the one process that gets it."""
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(JobClaim).values(code=code, slot=slot, claimed_by=process_name()))
            conn.execute(
                delete(JobClaim).where(JobClaim.code == code, JobClaim.slot < slot - KEEP_CLAIMS)
            )
    except IntegrityError:
        return False
    return True


def release(code: str, slot: datetime) -> None:
    """Give a claim back (its run failed)."""
    with db.engine.begin() as conn:
        conn.execute(delete(JobClaim).where(JobClaim.code == code, JobClaim.slot == slot))
