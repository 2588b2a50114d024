"""The job ``insurance.persistency`` (daily): marks each issued term-1
policy kept or not on the day its inception + 13 months (``p13``) and +
25 months (``p25``) is reached — once: a mark is never changed.

Kept: the lineage's latest issued term (same number, highest ``term_no``)
is in force or in grace and paid to at least inception + N months − 1 day.
A policy cancelled in its cooling-off period is marked not kept (the
reports leave it out of every cohort anyway). A day the job missed is made
up on the next run, judged on the book as it then stands.

The marks are written with one UPDATE per batch, not through the ORM: they
are the job's, not a user's edit, and must not make a user's open form
stale (the row's ``version`` stays). The report's cohort cells
(``report_cells.cohort``) move in the same transaction: the report cells'
bulk hook reads the batch before and after its UPDATE."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from core.api import add_months, db, transaction

from ..models import Policy
from .terms import today

LIVE = ("in_force", "grace")
BATCH = 500


def _latest_terms(numbers: list[str]) -> dict[str, tuple]:
    """Each number's latest issued term: ``(status, paid_to_date)``."""
    found: dict[str, tuple] = {}
    rows = db.session.execute(
        select(Policy.number, Policy.term_no, Policy.status, Policy.paid_to_date)
        .where(
            Policy.number.in_(numbers), Policy.issued_on.is_not(None), Policy.deleted_at.is_(None)
        )
        .order_by(Policy.number, Policy.term_no)
    )
    for number, _term, status, paid_to in rows:
        found[number] = (status, paid_to)  # the highest term_no comes last
    return found


def kept(inception: date, months: int, latest: tuple | None) -> bool:
    """Whether a lineage whose latest term is ``latest`` (status,
    paid_to_date) counts as kept ``months`` after ``inception``."""
    if latest is None:
        return False
    status, paid_to = latest
    due = add_months(inception, months) - timedelta(days=1)
    return status in LIVE and paid_to is not None and paid_to >= due


def mark_persistency(on: date | None = None) -> dict:
    """Mark the policies that reached 13 or 25 months by ``on`` (default
    today); returns ``{"p13": n, "p25": n}`` — how many were marked."""
    on = on or today()
    marked = {"p13": 0, "p25": 0}
    for months, column in ((13, Policy.p13), (25, Policy.p25)):
        reached = add_months(on, -months)  # inception on or before this
        while True:
            with transaction():
                candidates = db.session.execute(
                    select(
                        Policy.id,
                        Policy.number,
                        Policy.inception_on,
                        Policy.cancelled_on,
                        Policy.cooling_off_ends_on,
                    )
                    .where(
                        Policy.term_no == 1,
                        Policy.issued_on.is_not(None),
                        Policy.number.is_not(None),
                        Policy.inception_on <= reached,
                        column.is_(None),
                        Policy.deleted_at.is_(None),
                    )
                    .order_by(Policy.id)
                    .limit(BATCH)
                ).all()
                if not candidates:
                    break
                latest = _latest_terms(sorted({c.number for c in candidates}))
                yes, no = [], []
                for c in candidates:
                    cooled = c.cancelled_on and c.cooling_off_ends_on
                    if cooled and c.cancelled_on <= c.cooling_off_ends_on:
                        no.append(c.id)
                    elif kept(c.inception_on, months, latest.get(c.number)):
                        yes.append(c.id)
                    else:
                        no.append(c.id)
                for ids, value in ((yes, True), (no, False)):
                    if ids:
                        db.session.execute(
                            update(Policy)
                            .where(Policy.id.in_(ids))
                            .values({column.key: value})
                            .execution_options(synchronize_session=False)
                        )
                marked[column.key] += len(candidates)
    return marked
