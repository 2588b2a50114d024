"""What the RFM pages and API read: the latest finished run, its segment
counts, its customers with their scores, movement between two runs, the run
log. Every customer-level answer goes through core's scoped query, so a rep
counts and lists only their own customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from core.api import Customer, NotFoundError, User, db, scoped, translator, visible_customer_ids

from ...models import RfmRun, RfmScore, RfmSnapshot
from .grid import SEGMENTS

_, _l = translator("marketing")
#: runs the run log shows
RUNS_SHOWN = 30


def latest_run() -> RfmRun | None:
    """The newest finished run: the one whose scores are current."""
    return db.session.scalar(
        select(RfmRun)
        .where(RfmRun.status == "done")
        .order_by(RfmRun.finished_at.desc(), RfmRun.id.desc())
        .limit(1)
    )


def runs(limit: int = RUNS_SHOWN) -> list[RfmRun]:
    """The run log, newest first."""
    return list(db.session.scalars(select(RfmRun).order_by(RfmRun.id.desc()).limit(limit)))


def kept_runs() -> list[RfmRun]:
    """The finished runs whose segment snapshots are kept, newest first."""
    return list(
        db.session.scalars(
            select(RfmRun)
            .where(RfmRun.kept.is_(True), RfmRun.status == "done")
            .order_by(RfmRun.as_of.desc(), RfmRun.id.desc())
        )
    )


def scored(run: RfmRun, user: User | None, members: Select | None = None) -> Select:
    """The :class:`RfmScore` rows of ``run`` whose customer ``user`` may
    see; with ``members`` (a select of customer ids) only those customers."""
    query = (
        select(RfmScore)
        .join(Customer, Customer.id == RfmScore.customer_id)
        .where(RfmScore.run_id == run.id)
    )
    if members is not None:
        query = query.where(RfmScore.customer_id.in_(members))
    return scoped(query, Customer, user)


def with_customers(query: Select) -> Select:
    """``query`` of scores loading each one's customer and its owner along (a page's worth)."""
    return query.options(selectinload(RfmScore.customer).selectinload(Customer.owner))


def segment_counts(
    run: RfmRun | None, user: User | None, members: Select | None = None
) -> dict[str, int]:
    """How many of the customers ``user`` sees are in each RFM segment
    (every segment listed, best first)."""
    counts = dict.fromkeys(SEGMENTS, 0)
    if run is None:
        return counts
    query = scored(run, user, members).with_only_columns(RfmScore.segment, func.count())
    for segment, count in db.session.execute(query.group_by(RfmScore.segment)):
        if segment in counts:
            counts[segment] = count
    return counts


def customer_score(customer_id: int) -> RfmScore | None:
    """The customer's row of the latest run (the caller checked the customer is visible)."""
    run = latest_run()
    if run is None:
        return None
    return db.session.scalar(
        select(RfmScore).where(RfmScore.run_id == run.id, RfmScore.customer_id == customer_id)
    )


def scores_of(customer_id: int) -> Select:
    """A select of the customer's row of the latest finished run (empty
    without one): the customer tab is listed when it finds a row."""
    latest = (
        select(RfmRun.id)
        .where(RfmRun.status == "done")
        .order_by(RfmRun.finished_at.desc(), RfmRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(RfmScore.id).where(RfmScore.customer_id == customer_id, RfmScore.run_id == latest)


def kept_run(run_id: int) -> RfmRun:
    """A finished run whose snapshot is kept; ``NotFoundError`` otherwise."""
    run = db.session.get(RfmRun, run_id)
    if run is None or not run.kept or run.status != "done":
        raise NotFoundError(_("RFM run %(id)s not found, or its snapshot was not kept", id=run_id))
    return run


def movement(from_run: RfmRun, to_run: RfmRun, user: User | None) -> dict[tuple[str, str], int]:
    """``{(from segment, to segment): customers}`` for the customers ``user``
    sees; ``"none"`` where a customer was not scored at one of the runs."""
    a = select(RfmSnapshot.customer_id, RfmSnapshot.segment).where(
        RfmSnapshot.run_id == from_run.id
    )
    b = select(RfmSnapshot.customer_id, RfmSnapshot.segment).where(RfmSnapshot.run_id == to_run.id)
    a, b = a.subquery(), b.subquery()
    seen = visible_customer_ids(user)
    kept = select(
        func.coalesce(a.c.segment, "none").label("source"),
        b.c.segment.label("target"),
        b.c.customer_id.label("customer_id"),
    ).select_from(b.outerjoin(a, a.c.customer_id == b.c.customer_id))
    gone = (
        select(
            a.c.segment.label("source"),
            literal("none").label("target"),
            a.c.customer_id.label("customer_id"),
        )
        .select_from(a.outerjoin(b, b.c.customer_id == a.c.customer_id))
        .where(b.c.customer_id.is_(None))
    )
    moves = union_all(kept, gone).subquery()
    query = (
        select(moves.c.source, moves.c.target, func.count())
        .where(moves.c.customer_id.in_(seen))
        .group_by(moves.c.source, moves.c.target)
    )
    return {(source, target): count for source, target, count in db.session.execute(query)}


def movement_rows(moves: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    """The matrix as a list, best segments first, ``none`` last."""
    order = {code: n for n, code in enumerate([*SEGMENTS, "none"])}
    return [
        {"from_segment": s, "to_segment": t, "count": c}
        for (s, t), c in sorted(moves.items(), key=lambda i: (order[i[0][0]], order[i[0][1]]))
    ]
