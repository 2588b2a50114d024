"""The job worker's heartbeat: a row per worker process in
``worker_heartbeat``, its ``beat_at`` renewed every
:data:`BEAT_SECONDS`; ``/readyz`` calls the worker stale when the newest
beat of the instance's queue is older than :data:`STALE_SECONDS`.

It is written to the database, not to Redis nor a file, because the
database is what every process of every set-up reaches: app servers on
other machines than the worker read it, it outlives a Redis restart, and
``/readyz`` checks the database anyway.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, insert, select, update

from core.extensions import db
from core.models.base import utcnow
from core.ops.claims import process_name
from core.ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)
BEAT_SECONDS = 30
STALE_SECONDS = 180
#: rows of workers gone this long are deleted by the next beat
FORGET_AFTER = timedelta(days=1)


def beat(queue: str, worker: str | None = None, at: datetime | None = None) -> None:
    """Record that ``worker`` (this process) of ``queue`` is alive at ``at`` (now)."""
    worker = worker or process_name()
    at = at or utcnow()
    with db.engine.begin() as conn:
        mine = (WorkerHeartbeat.queue == queue) & (WorkerHeartbeat.worker == worker)
        if not conn.execute(update(WorkerHeartbeat).where(mine).values(beat_at=at)).rowcount:
            conn.execute(insert(WorkerHeartbeat).values(queue=queue, worker=worker, beat_at=at))
        conn.execute(
            delete(WorkerHeartbeat).where(
                WorkerHeartbeat.queue == queue, WorkerHeartbeat.beat_at < at - FORGET_AFTER
            )
        )


def last_beat(queue: str) -> datetime | None:
    """The newest beat of any worker of ``queue``."""
    return db.session.scalar(
        select(func.max(WorkerHeartbeat.beat_at)).where(WorkerHeartbeat.queue == queue)
    )


def start_beating(app: Flask, queue: str) -> threading.Event:
    """Beat now and then every :data:`BEAT_SECONDS` in a daemon thread, until
    the returned event is set. A beat that fails (the database away) is
    logged and tried again at the next one."""
    stop = threading.Event()
    with app.app_context():
        beat(queue)

    def loop() -> None:
        while not stop.wait(BEAT_SECONDS):
            try:
                with app.app_context():
                    beat(queue)
            except Exception:  # noqa: BLE001 - the next beat tries again
                log.exception("worker heartbeat failed")

    threading.Thread(target=loop, name="trellis-heartbeat", daemon=True).start()
    return stop
