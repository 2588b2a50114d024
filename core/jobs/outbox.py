"""The job outbox: a job is written to the database with the write that
queues it, and handed to the queue (Huey, on Redis or SQLite) after the commit.

Why: handing a job straight to Redis inside a request has two ways to go
wrong. Redis is down, and the job is lost (or the request fails); or the
request's transaction rolls back after the job went, and the job works on a
change that never happened. The outbox closes both: :func:`stage` adds a
``job_outbox`` row to the caller's transaction, so the job exists exactly
when the write does, and once it commits :func:`hand_over` relays the row —
gives it to Huey and deletes it. When Huey refuses (Redis down) the row
stays, with its attempts and last error, and is retried:

- by the job worker: :func:`relay_waiting` is a periodic task, every
  minute, that relays the rows whose backoff is over — and when the queue
  takes them, every waiting row;
- by the next enqueue: once the queue takes the new job, a batch of the
  waiting rows goes with it.

Relays may race (several workers, several app servers): each first leases
the rows it takes in one short transaction — ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, SQLite's single writer elsewhere — so two relays
never take the same row, and no database lock is held while Redis is
talked to. A relay that dies mid-way lets its rows go when the lease ends;
that one case may hand a job over twice, so jobs stay idempotent (as
:class:`~core.declarations.Job` asks).

A caller with no transaction of its own — a command, a job, a request
that writes nothing — gets its job written and relayed at once, in a
transaction of the outbox's own.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Row, delete, event, func, insert, inspect, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from core.events import in_transaction
from core.extensions import db
from core.models.base import utcnow
from core.models.outbox import JobOutbox

log = logging.getLogger(__name__)
#: Huey's name of the worker's periodic relay
RELAY_TASK = "trellis.outbox.relay"
#: rows a relay takes at a time
BATCH = 100
#: how long a relay holds the rows it took before another may take them
LEASE = timedelta(minutes=5)
#: the first retry's wait after the queue refused; it doubles up to the last
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=15)
#: session.info keys: rows staged in the session's transaction; writes it holds
_STAGED = "trellis_outbox_staged"
_WROTE = "trellis_outbox_wrote"


@dataclass(frozen=True)
class Relayed:
    """What a relay did: rows handed to the queue, rows the queue refused
    (they wait), and the refusal."""

    sent: int = 0
    refused: int = 0
    error: str | None = None

    def __add__(self, other: Relayed) -> Relayed:
        error = other.error if other.error is not None else self.error
        return Relayed(self.sent + other.sent, self.refused + other.refused, error)


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    #: seconds since the oldest waiting row was written (None: nothing waits)
    oldest_age_seconds: float | None


def stage(code: str, kwargs: dict[str, Any], meta: dict[str, Any] | None) -> None:
    """Put job ``code`` in the outbox: in the caller's transaction when it
    has one (relayed after the commit), else written and relayed at once."""
    values = {"code": code, "kwargs": kwargs, "meta": meta, "attempts": 0}
    session = db.session()
    if _in_a_transaction(session):
        row = JobOutbox(**values, next_attempt_at=utcnow())
        session.add(row)
        session.info.setdefault(_STAGED, []).append(row)
        return
    with db.engine.begin() as conn:
        row_id = conn.execute(
            insert(JobOutbox).values(**values, next_attempt_at=utcnow()).returning(JobOutbox.id)
        ).scalar_one()
    hand_over([row_id])


def _in_a_transaction(session: Session) -> bool:
    """Whether the caller has a unit of work the job must share: a service
    transaction is open, or the session holds writes not yet committed."""
    return bool(
        in_transaction()
        or session.info.get(_WROTE)
        or session.new
        or session.dirty
        or session.deleted
    )


def hand_over(ids: Sequence[int]) -> Relayed:
    """Relay the rows ``ids`` just committed; when the queue takes them, a
    batch of the rows waiting from before as well. Never raises: the
    caller's write is committed whatever happens here."""
    try:
        done = relay(ids)
        if done.sent and done.error is None:
            done += relay(ignore_backoff=True)
    except Exception:  # noqa: BLE001 - the jobs wait for the worker's relay
        log.exception("job outbox: relaying failed; the jobs wait for the worker")
        return Relayed()
    return done


def relay_waiting(now: datetime | None = None) -> Relayed:
    """The worker's relay: every row whose backoff is over and, when the
    queue takes them, every other waiting row."""
    done = _drain(now, ignore_backoff=False)
    if done.sent and done.error is None:
        done += _drain(now, ignore_backoff=True)
    if done.sent or done.error:
        log.info("job outbox: %s handed to the queue, %s waiting", done.sent, done.refused)
    return done


def _drain(now: datetime | None, *, ignore_backoff: bool) -> Relayed:
    done = Relayed()
    while True:
        batch = relay(now=now, ignore_backoff=ignore_backoff)
        done += batch
        if batch.error is not None or batch.sent < BATCH:
            return done


def relay(
    ids: Sequence[int] | None = None, *, now: datetime | None = None, ignore_backoff: bool = False
) -> Relayed:
    """Take up to :data:`BATCH` free rows (of ``ids``, or any), due at
    ``now`` unless ``ignore_backoff``, hand them to the queue in order, and
    settle them: delete those it took, put off the rest after a refusal."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    rows = _lease(token, now, ids, ignore_backoff)
    if not rows:
        return Relayed()
    task = current_app.extensions["trellis_jobs"].task
    sent: list[int] = []
    error = None
    for row in rows:
        try:
            task(row.code, row.kwargs, row.meta)
        except Exception as exc:  # noqa: BLE001 - the queue is out of reach: the rest wait too
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("job outbox: the queue refused %s: %s; it waits", row.code, error)
            break
        sent.append(row.id)
    _settle(token, now, rows, sent, error)
    return Relayed(len(sent), len(rows) - len(sent), error)


def _free(now: datetime) -> Any:
    return or_(JobOutbox.leased_until.is_(None), JobOutbox.leased_until <= now)


def _lease(
    token: str, now: datetime, ids: Sequence[int] | None, ignore_backoff: bool
) -> Sequence[Row]:
    """Mark the rows this relay takes as its own (one UPDATE: the rows a
    racing relay holds are skipped or, once it commits, no longer free)."""
    where = [_free(now)]
    if ids is not None:
        where.append(JobOutbox.id.in_(ids))
    if not ignore_backoff:
        where.append(JobOutbox.next_attempt_at <= now)
    pick = (
        select(JobOutbox.id)
        .where(*where)
        .order_by(JobOutbox.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    with db.engine.begin() as conn:
        conn.execute(
            update(JobOutbox)
            .where(JobOutbox.id.in_(pick.scalar_subquery()), _free(now))
            .values(leased_until=now + LEASE, leased_by=token)
            .execution_options(synchronize_session=False)
        )
        return conn.execute(
            select(
                JobOutbox.id, JobOutbox.code, JobOutbox.kwargs, JobOutbox.meta, JobOutbox.attempts
            )
            .where(JobOutbox.leased_by == token)
            .order_by(JobOutbox.id)
        ).all()


def _settle(
    token: str, now: datetime, rows: Sequence[Row], sent: list[int], error: str | None
) -> None:
    mine = JobOutbox.leased_by == token
    with db.engine.begin() as conn:
        if sent:
            conn.execute(delete(JobOutbox).where(JobOutbox.id.in_(sent), mine))
        refused: dict[int, list[int]] = {}
        for row in rows[len(sent) :]:
            refused.setdefault(row.attempts + 1, []).append(row.id)
        for attempts, ids in refused.items():
            conn.execute(
                update(JobOutbox)
                .where(JobOutbox.id.in_(ids), mine)
                .values(
                    attempts=attempts,
                    last_error=error,
                    next_attempt_at=now + backoff(attempts),
                    leased_until=None,
                    leased_by=None,
                )
            )


def backoff(attempts: int) -> timedelta:
    """How long a row the queue refused ``attempts`` times waits for the worker."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def stats(now: datetime | None = None) -> OutboxStats:
    """How many jobs wait in the outbox, and how long the oldest has."""
    pending, oldest = db.session.execute(select(func.count(), func.min(JobOutbox.created_at))).one()
    age = None if oldest is None else max(0.0, ((now or utcnow()) - oldest).total_seconds())
    return OutboxStats(pending, None if age is None else round(age, 1))


# The session's side: note its writes, relay its staged rows after the commit.


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: not committed yet
        return
    staged = session.info.pop(_STAGED, None)
    if staged:
        # the keys flushed rows got (read without loading: the commit expired them)
        ids = [state.identity[0] for state in map(inspect, staged) if state.identity]
        if ids:
            hand_over(ids)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: start afresh
        session.info.pop(_STAGED, None)
        session.info.pop(_WROTE, None)
