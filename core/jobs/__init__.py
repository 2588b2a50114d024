"""One small job interface for background work, on Huey.

Where the queue lives follows the settings:

- ``TRELLIS_JOBS=immediate`` (tests): a job runs as soon as it is enqueued,
  in the caller's thread, in a fresh application context.
- otherwise, with ``TRELLIS_REDIS_URL``: Huey's Redis storage; run a
  separate ``trellis worker``.
- otherwise: Huey's SQLite storage in ``instance/jobs.sqlite3``; ``trellis
  run`` (and ``trellis serve``) start the one worker for you.

Jobs are :class:`~core.declarations.Job` declarations, core's below and the
plugins' from ``trellis_jobs``. Huey sees a single task, ``trellis.job``,
which looks the job up by code and runs it inside the app; periodic jobs are
Huey periodic tasks, so only the consumers' schedulers queue them, and each
run first claims its slot (:mod:`core.ops.claims`): however many consumers
and cron'd ``trellis jobs run-due`` an instance has, a slot runs once.

Outside immediate mode a job goes through the outbox (:mod:`core.jobs.outbox`):
:func:`enqueue` writes it to the ``job_outbox`` table in the caller's
transaction, and once that commits a relay hands it to Huey. A rolled-back
write queues nothing; a committed one keeps its job while Redis is down,
and the worker's relay (every minute) or the next enqueue hands it over.

:func:`enqueue_after_commit` queues a job for rows its caller has just
written: the job starts only once they commit, and not at all if their
transaction (or the savepoint they were written in) rolls back. Through the
outbox when a queue runs; in immediate mode after the commit, since a job
run at once, in a session of its own, could not see the rows yet.

A job queued during a request carries the request's id, and the worker's
log lines about it show that id (:mod:`core.ops.logs`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from redis import ConnectionPool
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.declarations import Job
from core.errors import PluginError, TrellisError
from core.extensions import db
from core.i18n import _, _l
from core.jobs import outbox
from core.models.base import utcnow
from core.ops.claims import claim, release, slot_of
from core.ops.logs import current_request_id, set_request_id
from core.ops.metrics import counting_job
from core.registry import current_registry

log = logging.getLogger(__name__)
QUEUE_FILE = "jobs.sqlite3"
MINUTES_PER_DAY = 24 * 60
#: how long handing a job to Redis waits for a connection: a Redis out of
#: reach (a dropped route, not only a refused port) must not hold a request
REDIS_CONNECT_TIMEOUT = 2.0
#: session.info (immediate mode): jobs to run once the session commits, each
#: with the (innermost) transaction it was queued in
_AFTER_COMMIT = "trellis_jobs_after_commit"


def _follow_ups() -> str:
    from core.followups import run_due

    report = run_due()
    return f"{report.plans} plans, {report.created} tasks created"


def _recycle() -> str:
    from core.services.pool import recycle_due

    report = recycle_due()
    return f"{report.recycled} returned to the pool, {report.reminded} owners reminded"


CORE_JOBS = [
    Job("core.follow_ups", _l("Create due follow-up tasks"), _follow_ups, every_minutes=15),
    Job(
        "core.pool_recycle",
        _l("Return neglected customers to the pool and remind owners"),
        _recycle,
        every_minutes=60,
    ),
]


def check_job(job: Job) -> None:
    every = job.every_minutes
    if every is not None and (
        isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MINUTES_PER_DAY
    ):
        raise PluginError(f"job {job.code!r}: every_minutes must be 1..{MINUTES_PER_DAY}")


def queue_name(app: Flask) -> str:
    """Instances sharing one Redis keep apart: the queue is named for the database."""
    digest = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
    return f"trellis-{digest}"


def init_jobs(app: Flask, jobs: dict[str, Job]) -> Huey:
    """Build the app's queue and register its one task and the periodic jobs."""
    mode = app.config["TRELLIS_JOBS"]
    name = queue_name(app)
    if mode == "immediate":
        huey: Huey = MemoryHuey(name, immediate=True, results=False)
    elif app.config["TRELLIS_REDIS_URL"]:
        pool = ConnectionPool.from_url(
            app.config["TRELLIS_REDIS_URL"], socket_connect_timeout=REDIS_CONNECT_TIMEOUT
        )
        huey = RedisHuey(name, connection_pool=pool, results=False)
    else:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(Path(app.instance_path) / QUEUE_FILE), results=False)

    def run_job(code: str, kwargs: dict, meta: dict | None = None) -> None:
        # ``meta`` (the request id) is optional: tasks queued before it existed have none
        with app.app_context():
            set_request_id((meta or {}).get("request_id"))
            job = jobs.get(code)
            if job is None:  # its plugin was disabled after it was queued
                log.warning("job %s: no such job any more, dropped", code)
                return
            with counting_job(code):
                outcome = job.run(**kwargs)
            log.info("job %s done%s", code, f": {outcome}" if outcome else "")

    def run_periodic(job: Job) -> None:
        with app.app_context():
            outcome = run_in_slot(job, utcnow())
            if outcome is None:
                log.info("job %s: this slot was run by another process", job.code)
            else:
                log.info("job %s done%s", job.code, f": {outcome}" if outcome else "")

    def relay_outbox() -> None:
        with app.app_context():
            outbox.relay_waiting()

    task = huey.task(name="trellis.job")(run_job)
    for job in jobs.values():
        if job.every_minutes:
            _periodic(huey, job, run_periodic)
    if mode != "immediate":  # each worker's scheduler queues it every minute; relays may race
        huey.periodic_task(lambda moment: True, name=outbox.RELAY_TASK)(relay_outbox)
    app.extensions["trellis_jobs"] = JobQueue(huey, task)
    return huey


@dataclass(frozen=True)
class JobQueue:
    huey: Huey
    task: Any  # Huey's TaskWrapper for ``trellis.job``


def _periodic(huey: Huey, job: Job, run_periodic) -> None:
    every = cast(int, job.every_minutes)  # called for periodic jobs only

    def due(moment: datetime) -> bool:
        return (moment.hour * 60 + moment.minute) % every == 0

    def run() -> None:
        run_periodic(job)

    huey.periodic_task(due, name=f"trellis.every.{job.code}")(run)


def run_in_slot(job: Job, now: datetime) -> str | None:
    """Run periodic ``job`` for the slot ``now`` falls in, unless another
    process has claimed it: the job's outcome ("" if it says nothing), or
    None when the slot was someone else's. A failed run gives the slot back."""
    slot = slot_of(cast(int, job.every_minutes), now)
    if not claim(job.code, slot):
        return None
    try:
        with counting_job(job.code):
            return job.run() or ""
    except BaseException:
        db.session.rollback()  # the failed run's writes, before the claim is given back
        release(job.code, slot)
        raise


def queue() -> Huey:
    return current_app.extensions["trellis_jobs"].huey


def enqueue(code: str, **kwargs: Any) -> None:
    """Queue job ``code`` with JSON-serialisable ``kwargs``.

    Inside a ``with transaction():`` block, or with writes of the caller's
    pending in the session, the job joins them: it is queued when they
    commit, and not at all if they roll back. Otherwise it is queued at
    once. Either way it waits in the outbox while the queue (Redis) is out
    of reach. In immediate mode (tests) it runs now."""
    meta = _meta(code, kwargs)
    if current_app.config["TRELLIS_JOBS"] == "immediate":
        current_app.extensions["trellis_jobs"].task(code, kwargs, meta)
    else:
        outbox.stage(code, kwargs, meta)


def enqueue_after_commit(code: str, **kwargs: Any) -> None:
    """Queue job ``code`` once the caller's transaction commits — the job
    of rows just written (``run_ids=…``, ``delivery_ids=…``): nothing is
    queued if the transaction rolls back, or the savepoint
    (``begin_nested``) the call was made in does.

    With a queue the job goes through the outbox with the caller's writes
    (as :func:`enqueue` inside a transaction); in immediate mode (tests) it
    runs right after the commit, when its own session can see the rows."""
    meta = _meta(code, kwargs)
    if current_app.config["TRELLIS_JOBS"] != "immediate":
        outbox.stage(code, kwargs, meta)
        return
    session = db.session()
    current = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_AFTER_COMMIT, []).append((current, code, kwargs, meta))


def _meta(code: str, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """Refuse an unknown job or kwargs JSON cannot hold; the request's id to carry."""
    if code not in current_registry().jobs:
        raise TrellisError(_("No such job: %(code)s", code=code))
    try:
        json.dumps(kwargs)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"job {code!r}: kwargs must be JSON-serialisable ({exc})") from None
    request_id = current_request_id()
    return {"request_id": request_id} if request_id else None


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its jobs wait for the commit
        return
    waiting = session.info.pop(_AFTER_COMMIT, None)
    if waiting:
        task = current_app.extensions["trellis_jobs"].task
        for _tx, code, kwargs, meta in waiting:
            task(code, kwargs, meta)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Forget the jobs queued in the transaction rolled back or any inside it."""
    waiting = session.info.get(_AFTER_COMMIT)
    if waiting:
        waiting[:] = [job for job in waiting if not _within(job[0], rolled_back)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (and run), rolled back or closed
        session.info.pop(_AFTER_COMMIT, None)


def run_all_periodic(now: datetime | None = None) -> list[tuple[str, str | None]]:
    """Run every periodic job once for the slot ``now`` (default: this
    minute) falls in (``trellis jobs run-due``, cron): (code, outcome), the
    outcome None for a job whose slot another process has run."""
    now = now or utcnow()
    return [
        (job.code, run_in_slot(job, now))
        for job in current_registry().jobs.values()
        if job.every_minutes
    ]


def uses_embedded_worker(app: Flask) -> bool:
    """A single-machine install: ``trellis run``/``serve`` start the worker themselves."""
    return app.config["TRELLIS_JOBS"] != "immediate" and not app.config["TRELLIS_REDIS_URL"]
