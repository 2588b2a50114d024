"""An RFM run: every scored customer's recency, frequency, monetary, their
quintile scores, RFM segment and churn score, written set-based.

A run goes in four steps, each a few statements whatever the number of
customers (so it works alike on SQLite and PostgreSQL):

1. **stage** — one ``INSERT … SELECT`` groups every plugin's money events
   (``core.api.money_rows``) by customer: the last event, the events and
   their sum in the window, the events of the window's first and second
   half; it joins the customer (live ones only: last contact) and the facts
   that mean ``open_complaints`` and ``satisfaction``.
2. **cut points** — per score, the values at the quintile positions (one
   sorted pass each, ``ROW_NUMBER()``).
3. **score** — one ``UPDATE`` per range of customer ids (progress is kept
   after each): R, F, M, the segment from R and F (:data:`.grid.GRID`) and
   the churn score, from the row's own columns.
4. **switch** — its segment snapshot is stored and the run marked done in
   one commit (readers switch to it); then the day's earlier snapshot, the
   snapshots past ``runs_kept`` and the previous run's rows are deleted.

**Who is scored**: a live customer with at least one money event before
the run's ``as_of`` (a customer who never paid has nothing to score).

**Quintile rule, ties included**: a customer's score is
``1 + ⌊5 × L / N⌋``, ``N`` the customers scored and ``L`` those with a
strictly worse value (a longer recency, a lower frequency or monetary) —
the quintile of SQL's ``RANK()``. Equal values always get the same score,
the lowest their tie reaches: when most customers bought once, they all
get F 1 and the next value up jumps. With cut points ``c_k``, the value at
position ``⌈(k−1)·N/5⌉`` (1-based, worst first), the score is 1 plus the
number of cut points the value is strictly better than.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from core.api import (
    Customer,
    UTCDateTime,
    customer_facts,
    db,
    instance_timezone,
    money_rows,
    utcnow,
)

from ...models import RfmRun, RfmScore, RfmSnapshot
from ...schemas.rfm import rfm_settings as settings
from .. import churn
from .grid import GRID

log = logging.getLogger(__name__)
#: customer ids per scoring ``UPDATE`` (progress is kept after each)
CHUNK = 50_000
#: rows per ``DELETE`` of old rows
DELETE_CHUNK = 200_000


def day_end(now: datetime) -> datetime:
    """The end of ``now``'s day in the instance's time zone (its next local
    midnight), in UTC: a run's ``as_of``, the same for every run of a day."""
    zone = ZoneInfo(instance_timezone())
    local = now.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone) + timedelta(days=1)
    return midnight.astimezone(ZoneInfo("UTC"))


def whole_days(since: Any, until: datetime) -> Any:
    """SQL: the whole days from ``since`` (a column) to ``until``, rounded
    down — counted in seconds, so no floating point rounds a day away."""
    at = literal(until, UTCDateTime())
    if db.engine.dialect.name == "postgresql":
        seconds = extract("epoch", at - since)
        return cast(func.floor(seconds / 86400), Integer)
    epoch = cast(func.strftime("%s", at), Integer) - cast(func.strftime("%s", since), Integer)
    return epoch // 86400


def compute(run: RfmRun) -> RfmRun:
    """Score every customer for ``run`` (a queued run); on failure the
    run's rows are removed and the run is marked failed with the error."""
    run.status, run.started_at = "running", utcnow()
    db.session.commit()
    try:
        _stage(run)
        _score(run, _cut_points(run))
        _switch(run)
    except Exception as exc:  # the run log shows why; nothing of the run is left
        log.exception("RFM run %s failed", run.id)
        db.session.rollback()
        _remove_rows(run.id)
        run.status, run.finished_at, run.error = "failed", utcnow(), str(exc)[:2000]
        db.session.commit()
        return run
    try:
        _prune(run)
    except Exception:  # the run stands; what is left is deleted after the next one
        log.exception("RFM run %s: deleting old rows failed", run.id)
        db.session.rollback()
    return run


def _fact_values(meaning: str, combine: Any) -> Any:
    """A subquery ``(customer_id, value)`` of the facts that mean
    ``meaning``, several facts combined by ``combine``; ``None`` if none."""
    parts = []
    for fact in customer_facts().values():
        if fact.meaning == meaning:
            values = fact.values().subquery()
            parts.append(select(values.c[0].label("customer_id"), values.c[1].label("value")))
    if not parts:
        return None
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    grouped = select(rows.c.customer_id, combine(rows.c.value).label("value"))
    return grouped.group_by(rows.c.customer_id).subquery()


def _stage(run: RfmRun) -> None:
    """Step 1: one row per scored customer, with everything but the scores."""
    events = money_rows(until=run.as_of)
    if events is not None:
        ev = events.subquery()
        start = run.as_of - timedelta(days=run.window_days)
        middle = run.as_of - timedelta(days=run.window_days / 2)
        in_window = ev.c.occurred_at >= start
        grouped = (
            select(
                ev.c.customer_id,
                func.max(ev.c.occurred_at).label("last_at"),
                func.count().label("events"),
                func.sum(case((in_window, 1), else_=0)).label("frequency"),
                func.sum(case((in_window, ev.c.amount), else_=0)).label("monetary"),
                func.sum(case((and_(in_window, ev.c.occurred_at < middle), 1), else_=0)).label(
                    "early"
                ),
                func.sum(case((ev.c.occurred_at >= middle, 1), else_=0)).label("late"),
            )
            .group_by(ev.c.customer_id)
            .subquery()
        )
        complaints = _fact_values("open_complaints", func.sum)
        satisfaction = _fact_values("satisfaction", func.min)
        now = utcnow()
        columns = {
            "run_id": literal(run.id, Integer),
            "customer_id": grouped.c.customer_id,
            "last_event_at": grouped.c.last_at,
            "recency_days": whole_days(grouped.c.last_at, run.as_of),
            "events": grouped.c.events,
            "frequency": grouped.c.frequency,
            "monetary": func.coalesce(grouped.c.monetary, 0),
            "early": grouped.c.early,
            "late": grouped.c.late,
            "contact_days": case(
                (Customer.last_contacted_at.is_(None), None),
                else_=whole_days(Customer.last_contacted_at, run.as_of),
            ),
            "open_complaints": func.coalesce(complaints.c.value, 0)
            if complaints is not None
            else literal(0),
            "satisfaction": satisfaction.c.value if satisfaction is not None else None,
            "churn_score": literal(0),
            "created_at": literal(now, UTCDateTime()),
            "updated_at": literal(now, UTCDateTime()),
        }
        columns = {k: v for k, v in columns.items() if v is not None}
        source = grouped.join(Customer, Customer.id == grouped.c.customer_id)
        if complaints is not None:
            source = source.outerjoin(complaints, complaints.c.customer_id == Customer.id)
        if satisfaction is not None:
            source = source.outerjoin(satisfaction, satisfaction.c.customer_id == Customer.id)
        rows = select(*(v.label(k) for k, v in columns.items())).select_from(source)
        rows = rows.where(Customer.deleted_at.is_(None))
        db.session.execute(insert(RfmScore).from_select(list(columns), rows))
    mine = select(func.count(), func.coalesce(func.sum(RfmScore.events), 0)).where(
        RfmScore.run_id == run.id
    )
    run.customers, run.events = (int(v) for v in db.session.execute(mine).one())
    run.total, run.done = run.customers, 0
    db.session.commit()


def _cut_points(run: RfmRun) -> dict[str, list[Any]]:
    """Step 2: per score, the four values at the quintile positions, worst first."""
    n = run.customers
    if n == 0:
        return {}
    positions = [math.ceil((k - 1) * n / 5) for k in range(2, 6)]
    cuts = {}
    for name, column, worst_first in (
        ("r", RfmScore.recency_days, RfmScore.recency_days.desc()),
        ("f", RfmScore.frequency, RfmScore.frequency),
        ("m", RfmScore.monetary, RfmScore.monetary),
    ):
        ranked = select(
            column.label("value"), func.row_number().over(order_by=worst_first).label("n")
        ).where(RfmScore.run_id == run.id)
        ranked = ranked.subquery()
        found = dict(
            db.session.execute(
                select(ranked.c.n, ranked.c.value).where(ranked.c.n.in_(set(positions)))
            ).all()
        )
        cuts[name] = [found[p] for p in positions]
    return cuts


def score_expressions(cuts: dict[str, list[Any]]) -> dict[str, Any]:
    """SQL for R, F and M: 1 plus the cut points the row's value is better than."""
    better = {
        "r": lambda cut: RfmScore.recency_days < cut,
        "f": lambda cut: RfmScore.frequency > cut,
        "m": lambda cut: RfmScore.monetary > cut,
    }
    return {
        name: sum((case((is_better(cut), 1), else_=0) for cut in cuts[name]), literal(1))
        for name, is_better in better.items()
    }


def segment_expression(r: Any, f: Any) -> Any:
    """SQL: the segment of the scores ``r`` and ``f`` (expressions), from :data:`.grid.GRID`."""
    return case({rr * 10 + ff: code for (rr, ff), code in GRID.items()}, value=r * 10 + f)


def _score(run: RfmRun, cuts: dict[str, list[Any]]) -> None:
    """Step 3: the scores, a range of customer ids at a time."""
    if not run.customers:
        return
    low, high = db.session.execute(
        select(func.min(RfmScore.customer_id), func.max(RfmScore.customer_id)).where(
            RfmScore.run_id == run.id
        )
    ).one()
    scores = score_expressions(cuts)
    segment = segment_expression(scores["r"], scores["f"])  # one UPDATE a row: each costs
    risk = churn.score_expression(settings()["no_contact_days"])
    for start in range(low, high + 1, CHUNK):
        chunk = and_(
            RfmScore.run_id == run.id,
            RfmScore.customer_id >= start,
            RfmScore.customer_id < start + CHUNK,
        )
        done = db.session.execute(
            update(RfmScore).where(chunk).values(**scores, segment=segment, churn_score=risk),
            execution_options={"synchronize_session": False},
        ).rowcount
        run.done += done
        db.session.commit()


def _switch(run: RfmRun) -> None:
    """Step 4: keep the run's snapshot and switch readers to it (one commit)."""
    db.session.execute(
        insert(RfmSnapshot).from_select(
            ["run_id", "customer_id", "segment"],
            select(RfmScore.run_id, RfmScore.customer_id, RfmScore.segment).where(
                RfmScore.run_id == run.id
            ),
        )
    )
    run.kept, run.status, run.finished_at = True, "done", utcnow()
    run.done = run.total
    db.session.commit()


def _prune(run: RfmRun) -> None:
    """Then drop what is old: the day's earlier snapshot, the snapshots past
    ``runs_kept``, the previous run's rows — a range at a time."""
    same_day = select(RfmRun.id).where(
        RfmRun.id != run.id, RfmRun.as_of == run.as_of, RfmRun.kept.is_(True)
    )
    replaced = list(db.session.scalars(same_day))
    kept = db.session.scalars(
        select(RfmRun.id)
        .where(RfmRun.kept.is_(True), RfmRun.id.not_in(replaced))
        .order_by(RfmRun.as_of.desc(), RfmRun.id.desc())
    ).all()
    for old in [*replaced, *kept[settings()["runs_kept"] :]]:
        _delete_chunked(RfmSnapshot, RfmSnapshot.run_id == old, RfmSnapshot.customer_id)
        db.session.execute(update(RfmRun).where(RfmRun.id == old).values(kept=False))
        db.session.commit()
    _delete_chunked(RfmScore, RfmScore.run_id != run.id, RfmScore.id)


def _delete_chunked(model: Any, where: Any, key: Any) -> None:
    """``DELETE`` the rows of ``model`` matching ``where``, a range of
    ``key`` at a time, each range committed."""
    low, high = db.session.execute(select(func.min(key), func.max(key)).where(where)).one()
    if low is None:
        return
    for start in range(low, high + 1, DELETE_CHUNK):
        db.session.execute(
            delete(model).where(where, key >= start, key < start + DELETE_CHUNK),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


def _remove_rows(run_id: int) -> None:
    """A failed run's rows, gone."""
    db.session.execute(delete(RfmScore).where(RfmScore.run_id == run_id))
    db.session.execute(delete(RfmSnapshot).where(RfmSnapshot.run_id == run_id))
