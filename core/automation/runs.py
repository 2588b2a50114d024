"""Running rules: a run written with the change, run after it commits.

:func:`core.events.emit` calls :func:`stage` (registered with
:func:`~core.events.on_emit`) for every event: an ``automation_run`` row
(``queued``) is added for each active rule on the event — a
``field_changed`` rule only when its field changed to its value — in the
caller's transaction, so a rolled-back change runs nothing. The
``core.run_automation`` job runs them once it commits (as
:mod:`core.webhooks` sends its deliveries): it claims a run (one ``UPDATE …
WHERE status is waiting AND due``), evaluates the conditions on the record
as it is then, and runs the actions in one transaction with the run's log.
An action that raises undoes the run's writes; the run is retried after 1,
2, 4 … minutes (``core.retry_automation``, every minute) and is ``failed``
after :data:`MAX_ATTEMPTS`, shown to the admin, who may retry it by hand.

Loops: the actions' own writes emit events, and the runs they stage carry
``depth`` + 1; one deeper than :data:`MAX_DEPTH` is logged ``skipped: loop``
and not run. A rule is never run again on the record its own run is
changing (``skipped: own change``).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from core.automation.actions import all_actions
from core.automation.base import RunContext
from core.automation.conditions import holds
from core.automation.records import entity_of
from core.automation.triggers import changed_to, event_info, record_of
from core.errors import ConflictError
from core.events import on_emit, read_once, transaction
from core.extensions import db
from core.i18n import _
from core.jobs import enqueue
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
BATCH = 200
#: session.info: the run whose actions are writing now; runs to start after the commit
_CONTEXT = "trellis_automation_run"
_AFTER_COMMIT = "trellis_automation_after_commit"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1 min, 2, 4 … capped."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 16), MAX_BACKOFF)


@on_emit
def stage(event_name: str, kwargs: dict[str, Any]) -> list[AutomationRun]:
    """Add a run of ``event_name`` for each active rule on it."""
    rules = [r for r in _active_rules() if r.event == event_name and changed_to(r.trigger, kwargs)]
    if not rules:
        return []
    record = record_of(event_info(event_name), kwargs)
    record_type = record.__tablename__ if record is not None else None
    record_id = record.id if record is not None else None
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
        runs.append(run)
    db.session.add_all(runs)
    db.session.flush()
    start_after_commit([r.id for r in runs if r.status == "queued"])
    return runs


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
    if not ids:
        return
    if current_app.config["TRELLIS_JOBS"] == "immediate":
        # the job would run now, in a session of its own that cannot see these rows yet
        db.session.info.setdefault(_AFTER_COMMIT, []).extend(ids)
    else:
        enqueue(RUN, run_ids=ids)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    ids = session.info.pop(_AFTER_COMMIT, None)
    if ids:
        enqueue(RUN, run_ids=ids)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def run_job(run_ids: list[int]) -> str:
    """The job: run each of ``run_ids`` that is due; what came of them."""
    outcomes = [execute(run_id) for run_id in run_ids]
    return f"{outcomes.count('done')} of {len(run_ids)} automation runs done"


def _claim(run_id: int, now: datetime) -> bool:
    claimed = db.session.scalar(
        update(AutomationRun)
        .where(
            AutomationRun.id == run_id,
            AutomationRun.status.in_(WAITING),
            AutomationRun.next_attempt_at <= now,
        )
        .values(
            status="running",
            attempts=AutomationRun.attempts + 1,
            next_attempt_at=now + LEASE,
            updated_at=now,
        )
        .returning(AutomationRun.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed is not None


def execute(run_id: int, now: datetime | None = None) -> str:
    """Run ``run_id`` once if it is due: ``done``, ``retry``, ``failed``,
    ``skipped`` or ``nothing to run`` (not due, or another worker has it)."""
    now = now or utcnow()
    if not _claim(run_id, now):
        return "nothing to run"
    run = db.session.get(AutomationRun, run_id, populate_existing=True)
    assert run is not None  # just claimed
    rule = run.rule
    started = time.monotonic()
    if not rule.active or rule.deleted_at is not None:
        return _finish(run, "skipped", None, [], _("the rule is switched off"), started)
    record = _record(run)
    if run.record_type is not None and record is None:
        return _finish(run, "done", False, [], _("the record no longer exists"), started)
    db.session.info[_CONTEXT] = {
        "depth": run.depth,
        "rule_id": rule.id,
        "record": [run.record_type, run.record_id],
    }
    results: list[dict[str, Any]] = []
    try:
        with transaction():
            matched = holds(rule.conditions, record) if record is not None else True
            if matched:
                _run_actions(rule, run, record, results)
            _settle(run, "done", matched, results, None, started)
    except Exception as exc:  # an action failed: its run's writes are undone
        db.session.rollback()
        return _failed(run_id, results, exc, started)
    finally:
        db.session.info.pop(_CONTEXT, None)
    return "done"


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


def _record(run: AutomationRun) -> Any:
    if run.record_type is None or run.record_id is None:
        return None
    entity = entity_of(run.record_type)
    record = db.session.get(entity.model, run.record_id) if entity is not None else None
    if getattr(record, "deleted_at", None) is not None:
        return None  # in the recycle bin: no rule acts on it
    return record


def _settle(
    run: AutomationRun,
    status: str,
    matched: bool | None,
    results: list[dict[str, Any]],
    error: str | None,
    started: float,
) -> None:
    run.status, run.matched, run.results = status, matched, results
    run.error = error[:500] if error else None
    run.duration_ms = round((time.monotonic() - started) * 1000)
    run.finished_at = utcnow()
    run.next_attempt_at = run.finished_at


def _finish(
    run: AutomationRun,
    status: str,
    matched: bool | None,
    results: list[dict[str, Any]],
    error: str | None,
    started: float,
) -> str:
    _settle(run, status, matched, results, error, started)
    db.session.commit()
    return status


def _failed(run_id: int, results: list[dict[str, Any]], exc: Exception, started: float) -> str:
    run = db.session.get(AutomationRun, run_id, populate_existing=True)
    assert run is not None
    final = run.attempts >= MAX_ATTEMPTS
    undone = [{**r, "undone": True} if r["ok"] else r for r in results]
    _settle(
        run, "failed" if final else "retry", True, undone, str(exc) or type(exc).__name__, started
    )
    if not final:
        run.next_attempt_at = utcnow() + backoff(run.attempts)
    db.session.commit()
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
    outcomes = [execute(run_id, now) for run_id in ids]
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
