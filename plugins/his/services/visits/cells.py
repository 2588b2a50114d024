"""Visit cells (``models.VisitCell``): the visits counted by the instance's
day, department, doctor and team, kept by the services that write visits,
in the transaction that writes them — so that the department report of a
year reads cells, not a million visits.

- A new visit (:func:`count_visit`: ``start_visit``, the demo) adds 1 to
  its cell; a purged patient's visits (:func:`uncount_visits_of`) take
  theirs off. Nothing else changes a visit's day, department, doctor or
  team; writing the record, closing and amending leave the cells alone.
- What a cell counts: the visits not deleted (``deleted_at``), whatever
  their status, of every customer — those of customers in the recycle bin
  too: a customer binned or restored changes no cell, and the report takes
  the bin's visits off when it reads (few, found through the bin).
- The day is the instance's calendar day of ``visited_at``, in its time
  zone's rules (summer time included), the same in Python
  (:func:`local_day_of`) and in SQL (:func:`local_day_sql`, for the set-based
  :func:`rebuild` of a loader or a migration). On SQLite that is exact where
  the report used to shift a whole period by one offset (a day crossing a
  clock change was off by an hour). The day is written once: after a change
  of the instance's time zone, :func:`rebuild` counts the cells again.
- Adding is one explicit upsert per change (``INSERT … ON CONFLICT DO
  UPDATE``, on SQLite and PostgreSQL alike), in key order so that two
  transactions lock the cells they share in the same order; a cell whose
  count falls to 0 is deleted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, case, delete, func, literal, select

from core.api import UTCDateTime, add_to_cells, db, instance_timezone

from ...models import Visit, VisitCell
from ...models.visit_cell import NONE

#: a cell's key: (day, department id, doctor id, team id), None for none
Key = tuple[date, int | None, int | None, int | None]
KEYS = ("day", "department_id", "doctor_id", "team_id")

__all__ = [
    "cell_of",
    "count_visit",
    "fill_cells",
    "local_day_of",
    "local_day_sql",
    "rebuild",
    "uncount_visits_of",
]


def local_day_of(instant: datetime) -> date:
    """The instance's calendar day of the UTC instant ``instant``."""
    return instant.astimezone(ZoneInfo(instance_timezone())).date()


def cell_of(visit: Any) -> Key:
    """The key of the cell ``visit`` (a visit, or a row of its columns) counts in."""
    return (local_day_of(visit.visited_at), visit.department_id, visit.doctor_id, visit.team_id)


def count_visit(visit: Visit) -> None:
    """Add the new ``visit`` to its cell (in the caller's transaction)."""
    apply(Counter({cell_of(visit): 1}))


def uncount_visits_of(customer_id: int) -> None:
    """Take the customer's visits off their cells — before a purge deletes them."""
    rows = db.session.execute(
        select(Visit.visited_at, Visit.department_id, Visit.doctor_id, Visit.team_id).where(
            Visit.customer_id == customer_id, Visit.deleted_at.is_(None)
        )
    )
    apply(Counter({key: -n for key, n in Counter(cell_of(row) for row in rows).items()}))


def _stored(key: Key) -> tuple:
    day, *ids = key
    return (day, *(NONE if i is None else i for i in ids))


def apply(changes: Counter) -> None:
    """Add each count of ``changes`` ({key: visits}) to its cell; a cell
    left with no visit is deleted."""
    rows = [
        dict(zip((*KEYS, "visits"), (*_stored(key), n), strict=True))
        for key, n in changes.items()
        if n
    ]
    add_to_cells(VisitCell.__table__, rows, keys=KEYS, measures=("visits",), drop_when="visits")


# ------------------------------------------------------------ from scratch


def _offsets(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (minutes) between ``first`` and ``last``: each
    with the UTC instant it holds from, to the minute, in order."""

    def minutes(at: datetime) -> int:
        offset = at.astimezone(zone).utcoffset() or timedelta()
        return int(offset.total_seconds() // 60)

    at = first.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    found = [(at, minutes(at))]
    while at <= last:
        after = at + timedelta(days=1)
        if minutes(after) != found[-1][1]:
            low, high = at, after  # the change lies in (low, high]: halve to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if minutes(middle) != found[-1][1] else (middle, high)
            found.append((high, minutes(high)))
        at = after
    return found


def local_day_sql(column: Any, dialect: str, zone: str, span: tuple[datetime, datetime]) -> Any:
    """SQL: the instance's calendar day of the UTC instant in ``column``, for
    instants within ``span``. PostgreSQL converts with the zone's rules;
    SQLite, which knows no zones, shifts by the zone's offsets in ``span``,
    each from the instant it holds from (one shift in a zone without summer
    time) — what :func:`local_day_of` answers, instant by instant."""
    if dialect == "postgresql":
        return func.date(func.timezone(zone, column))
    offsets = _offsets(*span, ZoneInfo(zone))

    def shifted(minutes: int) -> Any:
        return func.date(column, f"{minutes:+d} minutes")

    if len(offsets) == 1:
        return shifted(offsets[0][1])
    whens = [
        (column < literal(start, UTCDateTime()), shifted(minutes))
        for (_start, minutes), (start, _next) in zip(offsets, offsets[1:], strict=False)
    ]
    return case(*whens, else_=shifted(offsets[-1][1]))


def fill_cells(connection: Any, visits: Table, cells: Table, zone: str) -> None:
    """One ``INSERT … SELECT``: every visit not deleted of ``visits`` counted
    into the empty ``cells`` (tables as the caller knows them: the models'
    or a migration's own)."""
    span = connection.execute(
        select(func.min(visits.c.visited_at), func.max(visits.c.visited_at))
    ).one()
    if span[0] is None:
        return
    day = local_day_sql(visits.c.visited_at, connection.dialect.name, zone, tuple(span))
    each = (
        select(day.label("day"), *(func.coalesce(visits.c[k], NONE).label(k) for k in KEYS[1:]))
        .where(visits.c.deleted_at.is_(None))
        .subquery()
    )
    keys = [each.c[k] for k in KEYS]
    counted = select(*keys, func.count()).group_by(*keys)
    connection.execute(cells.insert().from_select([*KEYS, "visits"], counted))


def rebuild() -> int:
    """Count every visit into the cells again from scratch (after a load
    that bypassed the services, or to mend them); the number of cells."""
    connection = db.session.connection()
    connection.execute(delete(VisitCell))
    fill_cells(connection, Visit.__table__, VisitCell.__table__, instance_timezone())
    return db.session.scalar(select(func.count()).select_from(VisitCell)) or 0
