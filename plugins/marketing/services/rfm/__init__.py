"""RFM scores (recency, frequency, monetary) and the runs that compute them.

- :mod:`.grid` — the RFM segments and the R×F table that maps scores to them
- :mod:`.run` — one run, set-based: stage, cut points, scores, finish
- :mod:`.reads` — what pages and the API read, through core's scoped query

This module starts runs: :func:`start_run` for "run now" (a manager, from
the page or ``POST /api/v1/marketing/rfm/runs``) queues a run and the job
that computes it; :func:`run_job` is the job (``marketing.rfm``), daily and
on demand. One run at a time: a run that has not moved for
:data:`STALE_AFTER` (its worker died) is marked failed when the next starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from core.api import ConflictError, User, db, enqueue, money_rows, translator, utcnow

from ...models import RfmRun, RfmScore, RfmSnapshot
from ...schemas.rfm import rfm_settings as settings
from .run import compute, day_end

_, _l = translator("marketing")

JOB = "marketing.rfm"
#: a queued or running run this long untouched is taken for dead
STALE_AFTER = timedelta(hours=1)


def active_run() -> RfmRun | None:
    """The run queued or under way, if any (runs gone stale are marked failed)."""
    now = utcnow()
    for run in db.session.scalars(select(RfmRun).where(RfmRun.status.in_(("queued", "running")))):
        if run.updated_at < now - STALE_AFTER:
            run.status, run.finished_at = "failed", now
            run.error = _("The run stopped without finishing (its worker ended).")
            db.session.commit()
        else:
            return run
    return None


def _new_run(actor: User | None, now: datetime | None) -> RfmRun:
    if active_run() is not None:
        raise ConflictError(_("An RFM run is already under way."), kind="rfm-run-active")
    run = RfmRun(
        status="queued",
        as_of=day_end(now or utcnow()),
        window_days=settings()["window_days"],
        started_by_id=actor.id if actor else None,
    )
    db.session.add(run)
    db.session.commit()
    return run


def start_run(actor: User | None, now: datetime | None = None) -> RfmRun:
    """Queue a run of the day ``now`` falls in (default today) and its job;
    409 while another run is under way."""
    run = _new_run(actor, now)
    enqueue(JOB, run_id=run.id)
    db.session.refresh(run)  # in immediate mode (tests) the job has run already
    return run


def run_job(run_id: int | None = None) -> str:
    """The job: compute queued run ``run_id``, or (the daily run) a new run
    of today. Running it for a run already done changes nothing."""
    if run_id is None:
        try:
            run = _new_run(None, None)
        except ConflictError:
            return "an RFM run is already under way"
    else:
        found = db.session.get(RfmRun, run_id)
        if found is None or found.status != "queued":
            return f"RFM run {run_id}: nothing to do"
        run = found
    compute(run)
    return f"RFM run {run.id} {run.status}: {run.customers} customers, {run.events} events"


def first_run() -> RfmRun | None:
    """The demo's first run, computed at once (``trellis init --demo`` has no
    worker yet) when some plugin declares money events; ``None`` otherwise."""
    if money_rows() is None or active_run() is not None:
        return None
    db.session.flush()
    return compute(_new_run(None, None))


def purge_customer(customer_id: int) -> None:
    """A customer purged for good takes its scores and snapshots along
    (``trellis_purge_records``, in the purge's transaction)."""
    db.session.execute(delete(RfmScore).where(RfmScore.customer_id == customer_id))
    db.session.execute(delete(RfmSnapshot).where(RfmSnapshot.customer_id == customer_id))
