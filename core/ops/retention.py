"""Logs that would otherwise grow for ever, kept for ``TRELLIS_KEEP_LOGS_DAYS``
(90 by default): the nightly ``core.purge_logs`` job deletes

- the **runs of automation rules** that finished before then — except a
  date rule's, which stand guard against running a rule twice on a record
  for one date, kept for :data:`DATE_RUNS_DAYS` (longer than the days a
  missed date is caught up);
- the **webhook deliveries** delivered or failed before then (a pending
  one is never deleted);
- the **files of imports** finished, undone or abandoned (uploaded and
  never run) before then: the import stays listed with its counters, its
  error rows and what undo needs; an abandoned one is marked ``failed``,
  since its file is gone.

The audit log, the timeline and the records themselves are never purged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, or_, select

from core.automation.schedules import DATE
from core.declarations import Job
from core.extensions import db
from core.i18n import _, _l
from core.imports.batches import path_of
from core.models import AutomationRule, AutomationRun, ImportJob, WebhookDelivery, utcnow

#: how long a date rule's runs are kept whatever the setting: a year of
#: catch-up (:data:`core.automation.schedules.MAX_CATCH_UP_DAYS`) and a month
DATE_RUNS_DAYS = 395
FINISHED_RUNS = ("done", "skipped", "failed")
FINISHED_DELIVERIES = ("delivered", "failed")
#: imports whose file is no longer read: finished, undone — or never run
IDLE_IMPORTS = ("done", "failed", "undone", "uploaded", "mapped")


def purge_logs(now: datetime | None = None) -> str:
    """The job: delete what :mod:`this module <core.ops.retention>` says; what it deleted."""
    now = now or utcnow()
    before = now - timedelta(days=current_app.config["TRELLIS_KEEP_LOGS_DAYS"])
    runs = _purge_runs(before, now - timedelta(days=DATE_RUNS_DAYS))
    deliveries = _count(
        db.session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.status.in_(FINISHED_DELIVERIES), WebhookDelivery.updated_at < before
            )
        )
    )
    files = _purge_import_files(before)
    db.session.commit()
    return f"{runs} automation runs, {deliveries} webhook deliveries, {files} import files deleted"


def _purge_runs(before: datetime, date_runs_before: datetime) -> int:
    date_rules = select(AutomationRule.id).where(AutomationRule.event == DATE)
    return _count(
        db.session.execute(
            delete(AutomationRun).where(
                AutomationRun.status.in_(FINISHED_RUNS),
                AutomationRun.finished_at < before,
                or_(
                    AutomationRun.rule_id.not_in(date_rules),
                    AutomationRun.finished_at < date_runs_before,
                ),
            )
        )
    )


def _purge_import_files(before: datetime) -> int:
    idle = list(
        db.session.scalars(
            select(ImportJob).where(
                ImportJob.status.in_(IDLE_IMPORTS),
                ImportJob.updated_at < before,
                ImportJob.stored_name != "",
            )
        )
    )
    removed = 0
    for job in idle:
        path = path_of(job)
        if path.exists():
            path.unlink()
            removed += 1
        if job.status in ("uploaded", "mapped"):
            job.status, job.finished_at = "failed", utcnow()
            job.error = _("not run in %(days)d days; its file was deleted", days=_days())
        job.stored_name = ""  # no file any more
    return removed


def _days() -> int:
    return int(current_app.config["TRELLIS_KEEP_LOGS_DAYS"])


def _count(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


RETENTION_JOBS = [
    Job(
        "core.purge_logs",
        _l("Delete old automation runs, webhook deliveries and import files"),
        purge_logs,
        every_minutes=24 * 60,
    )
]
