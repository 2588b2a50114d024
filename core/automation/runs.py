"""Running rules: a run written with the change, run after it commits.

:func:`core.events.emit` calls :func:`stage` (registered with
:func:`~core.events.on_emit`) for every event: an ``automation_run`` row is
added for each active rule on the event — a ``field_changed`` rule only when
its field changed to its value — in the caller's transaction, so a
rolled-back change runs nothing. When the event's record is at hand the
rule's conditions are checked on it there and then, on its new values: a run
whose conditions do not hold is written finished (``done``, not matched,
logged like any run) and queues nothing. The others are ``queued``, and the
``core.run_automation`` job runs them once the change commits (as
:mod:`core.webhooks` sends its deliveries).

The job runs a batch (:func:`run_batch`): it claims its runs still waiting
and due, and other queued runs due up to :data:`CHUNK`, in one ``UPDATE …
RETURNING`` (committed), loads their rules and records once and runs each
in a savepoint — the conditions checked again, on the record as it is now,
then the actions — and commits the batch once. An action that raises undoes
its run's writes only; the run is retried after 1, 2, 4 … minutes
(``core.retry_automation``, every minute), ``failed`` after
:data:`MAX_ATTEMPTS`, shown to the admin, who may retry it by hand.

Loops: the actions' own writes emit events, and the runs they stage carry
``depth`` + 1; one deeper than :data:`MAX_DEPTH` is logged ``skipped: loop``
and not run. A rule is never run again on the record its own run is
changing (``skipped: own change``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy import inspect as sa_inspect

from core.automation.actions import all_actions
from core.automation.base import RunContext
from core.automation.conditions import holds
from core.automation.records import entity_of
from core.automation.triggers import changed_to, event_info, record_of
from core.errors import ConflictError
from core.events import on_emit, read_once, savepoint, transaction
from core.extensions import db
from core.i18n import _
from core.jobs import enqueue_after_commit
from core.models import AutomationRule, AutomationRun, utcnow

RUN = "core.run_automation"
RETRY = "core.retry_automation"
#: how many automation runs may lead into one another before the next is skipped
MAX_DEPTH = 3
#: attempts of a run before it ends ``failed``
MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
#: how long a claimed run is its worker's before another may take it
LEASE = timedelta(minutes=5)
WAITING = ("queued", "retry", "running")
LOOP = "skipped: loop"
OWN_CHANGE = "skipped: own change"
#: due runs the periodic job takes at a time
BATCH = 200
#: runs claimed, run and committed together (on SQLite the batch holds the
#: database's write lock from its start to its commit)
CHUNK = 50
#: session.info: the run whose actions are writing now
_CONTEXT = "trellis_automation_run"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1 min, 2, 4 … capped."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 16), MAX_BACKOFF)


@on_emit
def stage(event_name: str, kwargs: dict[str, Any]) -> list[AutomationRun]:
    """Add a run of ``event_name`` for each active rule on it (finished at
    once when the record is at hand and the rule's conditions do not hold)."""
    rules = [r for r in _active_rules() if r.event == event_name and changed_to(r.trigger, kwargs)]
    if not rules:
        return []
    record = record_of(event_info(event_name), kwargs)
    record_type = record.__tablename__ if record is not None else None
    record_id = record.id if record is not None else None
    checkable = _checkable(record)
    running = db.session.info.get(_CONTEXT)
    depth = running["depth"] + 1 if running else 0
    now = utcnow()
    runs = []
    for rule in rules:
        run = AutomationRun(
            rule_id=rule.id,
            event=event_name,
            record_type=record_type,
            record_id=record_id,
            status="queued",
            depth=depth,
            attempts=0,
            next_attempt_at=now,
            results=[],
        )
        if (
            running
            and running["rule_id"] == rule.id
            and running["record"] == [record_type, record_id]
        ):
            run.status, run.error, run.finished_at = "skipped", OWN_CHANGE, now
        elif depth > MAX_DEPTH:
            run.status, run.error, run.finished_at = "skipped", LOOP, now
        elif checkable and rule.conditions and not _holds_now(rule, record):
            run.status, run.matched, run.finished_at, run.duration_ms = "done", False, now, 0
        runs.append(run)
    db.session.add_all(runs)
    db.session.flush()
    start_after_commit([r.id for r in runs if r.status == "queued"])
    return runs


def _checkable(record: Any) -> bool:
    """Whether a rule's conditions can be checked on ``record`` at staging:
    it is in the database (flushed) and not in the recycle bin."""
    if record is None or getattr(record, "deleted_at", None) is not None:
        return False
    state = sa_inspect(record)
    return bool(state.persistent and record.id is not None)


def _holds_now(rule: AutomationRule, record: Any) -> bool:
    """The conditions on the record's values in this transaction; a check
    that cannot be made here (it raises) counts as holding: the run decides."""
    try:
        return holds(rule.conditions, record)
    except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError):  # not the database
        return True  # the run evaluates it again and logs what fails


def _active_rules() -> list[AutomationRule]:
    """The active rules, read once per transaction (:func:`~core.events.read_once`)."""
    return read_once(
        "automation_rules",
        lambda: list(
            db.session.scalars(
                select(AutomationRule)
                .where(AutomationRule.active.is_(True), AutomationRule.deleted_at.is_(None))
                .order_by(AutomationRule.id)
            )
        ),
        AutomationRule,
    )


def start_after_commit(ids: list[int]) -> None:
    """Have runs ``ids`` run once the caller's transaction commits."""
    if ids:
        enqueue_after_commit(RUN, run_ids=ids)


def run_job(run_ids: list[int]) -> str:
    """The job: run each of ``run_ids`` that is due, and with them other
    queued runs already due (a backlog drains in batches, not a job a
    change); what came of them."""
    outcomes = run_batch(run_ids, others=True)
    return f"{outcomes.count('done')} of {len(outcomes)} automation runs done"


def execute(run_id: int, now: datetime | None = None) -> str:
    """Run ``run_id`` once if it is due: ``done``, ``retry``, ``failed``,
    ``skipped`` or ``nothing to run`` (not due, or another worker has it)."""
    outcomes = run_batch([run_id], now)
    return outcomes[0] if outcomes else "nothing to run"


def run_batch(
    run_ids: Iterable[int], now: datetime | None = None, *, others: bool = False
) -> list[str]:
    """Run those of ``run_ids`` that are due, :data:`CHUNK` at a time (with
    ``others``, the first batch filled up with the oldest other queued runs
    due): the outcome of each run claimed (``done``, ``retry``, ``failed``,
    ``skipped``)."""
    now = now or utcnow()
    ids = list(dict.fromkeys(run_ids))
    outcomes: list[str] = []
    for at in range(0, max(len(ids), 1 if others else 0), CHUNK):
        mine = ids[at : at + CHUNK]
        claimed = _claim(mine, now, CHUNK - len(mine) if others and at == 0 else 0)
        try:
            outcomes += _run_claimed(claimed, now)
        except Exception:
            _give_back(claimed)
            raise
    return outcomes


def _claim(run_ids: list[int], now: datetime, others: int = 0) -> list[int]:
    """Take the runs of ``run_ids`` still waiting and due, and up to
    ``others`` other queued runs due, in one UPDATE, committed."""
    which: ColumnElement[bool] = AutomationRun.id.in_(run_ids)
    if others > 0:
        oldest = (
            select(AutomationRun.id)
            .where(AutomationRun.status == "queued", AutomationRun.next_attempt_at <= now)
            .order_by(AutomationRun.next_attempt_at, AutomationRun.id)
            .limit(others)
            .with_for_update(skip_locked=True)
        )
        which = or_(which, AutomationRun.id.in_(oldest.scalar_subquery()))
    claimed = list(
        db.session.scalars(
            update(AutomationRun)
            .where(which, AutomationRun.status.in_(WAITING), AutomationRun.next_attempt_at <= now)
            .values(
                status="running",
                attempts=AutomationRun.attempts + 1,
                next_attempt_at=now + LEASE,
                updated_at=now,
            )
            .returning(AutomationRun.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return sorted(claimed)


def _give_back(ids: list[int]) -> None:
    """A batch that could not commit (the database refused it): its runs
    are due again at once, for the next ``core.retry_automation``, not
    after their lease. Their attempt counts; their writes were rolled back."""
    db.session.rollback()
    if not ids:
        return
    try:
        db.session.execute(
            update(AutomationRun)
            .where(AutomationRun.id.in_(ids), AutomationRun.status == "running")
            .values(next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the lease gives them back later
        db.session.rollback()


def _run_claimed(ids: list[int], now: datetime) -> list[str]:
    """Run the claimed runs ``ids``, each in a savepoint, and commit them together."""
    if not ids:
        return []
    with transaction():  # the actions' services join it: one commit for the batch
        # written first, so the batch's transaction holds the write lock before it
        # reads (on SQLite a transaction that read first may not write after another did)
        db.session.execute(
            update(AutomationRun)
            .where(AutomationRun.id.in_(ids))
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        runs = list(
            db.session.scalars(
                select(AutomationRun)
                .where(AutomationRun.id.in_(ids))
                .order_by(AutomationRun.id)
                .execution_options(populate_existing=True)
            )
        )
        rules = {
            r.id: r
            for r in db.session.scalars(
                select(AutomationRule).where(AutomationRule.id.in_({r.rule_id for r in runs}))
            )
        }
        records = _records(runs)
        return [_run_one(run, rules[run.rule_id], records) for run in runs]


def _records(runs: list[AutomationRun]) -> dict[tuple[str, int], Any]:
    """The runs' records not in the recycle bin, one query per record type."""
    wanted: dict[str, set[int]] = {}
    for run in runs:
        if run.record_type is not None and run.record_id is not None:
            wanted.setdefault(run.record_type, set()).add(run.record_id)
    found: dict[tuple[str, int], Any] = {}
    for record_type, record_ids in wanted.items():
        entity = entity_of(record_type)
        if entity is None:
            continue
        key = sa_inspect(entity.model).primary_key[0]
        for record in db.session.scalars(select(entity.model).where(key.in_(record_ids))):
            if getattr(record, "deleted_at", None) is None:
                found[(record_type, record.id)] = record
    return found


def _run_one(run: AutomationRun, rule: AutomationRule, records: dict[tuple[str, int], Any]) -> str:
    started = time.monotonic()
    if not rule.active or rule.deleted_at is not None:
        return _settle(run, "skipped", None, [], _("the rule is switched off"), started)
    record = None
    if run.record_type is not None and run.record_id is not None:
        record = records.get((run.record_type, run.record_id))
        if record is None:
            return _settle(run, "done", False, [], _("the record no longer exists"), started)
    db.session.info[_CONTEXT] = {
        "depth": run.depth,
        "rule_id": rule.id,
        "record": [run.record_type, run.record_id],
    }
    results: list[dict[str, Any]] = []
    try:
        with savepoint():
            matched = holds(rule.conditions, record) if record is not None else True
            if matched:
                _run_actions(rule, run, record, results)
    except Exception as exc:  # an action failed: this run's writes (and events) are undone
        return _failed(run, results, exc, started)
    finally:
        db.session.info.pop(_CONTEXT, None)
    return _settle(run, "done", matched, results, None, started)


def _run_actions(
    rule: AutomationRule, run: AutomationRun, record: Any, results: list[dict[str, Any]]
) -> None:
    known = all_actions()
    context = RunContext(rule, run)
    for item in rule.actions:
        action = known.get(item["type"])
        if action is None:  # its plugin was switched off since
            raise ValueError(_("no such action: %(name)s", name=item["type"]))
        try:
            detail = action.run(item.get("params") or {}, record, context)
        except Exception as exc:
            results.append({"type": item["type"], "ok": False, "detail": str(exc)[:500]})
            raise
        results.append({"type": item["type"], "ok": True, "detail": str(detail)[:500]})


def _settle(
    run: AutomationRun,
    status: str,
    matched: bool | None,
    results: list[dict[str, Any]],
    error: str | None,
    started: float,
) -> str:
    run.status, run.matched, run.results = status, matched, results
    run.error = error[:500] if error else None
    run.duration_ms = round((time.monotonic() - started) * 1000)
    run.finished_at = utcnow()
    run.next_attempt_at = run.finished_at
    return status


def _failed(
    run: AutomationRun, results: list[dict[str, Any]], exc: Exception, started: float
) -> str:
    final = run.attempts >= MAX_ATTEMPTS
    undone = [{**r, "undone": True} if r["ok"] else r for r in results]
    error = str(exc) or type(exc).__name__
    _settle(run, "failed" if final else "retry", True, undone, error, started)
    if not final:
        run.next_attempt_at = utcnow() + backoff(run.attempts)
    return run.status


def retry_due(now: datetime | None = None) -> str:
    """The periodic job: run every run that is due (a retry, a claim whose
    worker died, a job that never ran)."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(AutomationRun.id)
            .where(AutomationRun.status.in_(WAITING), AutomationRun.next_attempt_at <= now)
            .order_by(AutomationRun.next_attempt_at, AutomationRun.id)
            .limit(BATCH)
        )
    )
    db.session.rollback()
    outcomes = run_batch(ids, now)
    return f"{outcomes.count('done')} of {len(ids)} due automation runs done"


def retry_run(run: AutomationRun) -> AutomationRun:
    """Run a failed run again, by hand (409 unless it is ``failed``): one
    more attempt now; if that fails it stays failed."""
    if run.status != "failed":
        raise ConflictError(_("Only a failed run can be retried."))
    with transaction():
        run.status = "retry"
        run.next_attempt_at = utcnow()
        run.finished_at = None
        db.session.flush()
        start_after_commit([run.id])
    return run
