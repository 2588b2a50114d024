"""The clinic's reports: visits by department and doctor per day; the
booking channel mix (desk / online) and the no-show rate; the wait from
check-in to being called.

Definitions the page states:

- a visit counts on the instance's day it took place (``visited_at``),
  read from the visit cells kept as visits are written (:func:`visit_counts`);
- a booking counts on its session's day; cancelled bookings count nowhere;
- the no-show rate is the no-shows ÷ the bookings whose day has passed
  (before today), cancelled ones left out;
- the wait is from check-in (``checked_in_at``) to the doctor's call
  (``called_at``), in minutes, of the bookings called; the median is the
  middle wait (the mean of the two middle ones for an even count), the
  90th percentile the nearest rank: the smallest wait at least 90 % of the
  patients waited no longer than."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import func, select

from core.api import User, binned_customer_ids, db, scoped

from ...models import Booking, Visit, VisitCell
from ..bookings.access import visible_bookings
from ..bookings.rules import local_today
from ..visits.cells import local_day_of
from .scope import Period, bounds, day_of, department_names, user_names

#: the percentile the wait report gives besides the median
PERCENTILE = 90


def rate(part: int, whole: int) -> float | None:
    """``part ÷ whole`` as a fraction to four places; None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def visit_counts(
    user: User, period: Period, department: int | None = None
) -> dict[tuple[date, int | None, int | None], int]:
    """{(day, department id, doctor id): visits} of ``period``, of the
    visits ``user`` may see, read from the visit cells
    (``services/visits/cells.py``).

    The cells count every visit not deleted, by day, department, doctor and
    team: core's ``scoped`` narrows them by doctor (own) and team (team
    scope) as it narrows the visits. They also count the visits of
    customers in the recycle bin, which no one sees: those are read from
    the visits (the bin is small) and taken off — so the figures are those
    of ``visible_visits``, deleted visits and binned customers' left out."""
    first, last = period
    query = select(
        VisitCell.day, VisitCell.department_id, VisitCell.doctor_id, func.sum(VisitCell.visits)
    ).where(VisitCell.day >= first, VisitCell.day <= last)
    if department is not None:
        query = query.where(VisitCell.department_id == department)
    query = scoped(query, VisitCell, user, owner_attr="doctor_id")
    query = query.group_by(VisitCell.day, VisitCell.department_id, VisitCell.doctor_id)
    counts: Counter = Counter()
    for day, dep, doc, n in db.session.execute(query):
        counts[(day_of(day), dep or None, doc or None)] += int(n)
    start, end = bounds(period)
    binned = select(Visit.visited_at, Visit.department_id, Visit.doctor_id).where(
        Visit.customer_id.in_(binned_customer_ids()),
        Visit.visited_at >= start,
        Visit.visited_at < end,
    )
    if department is not None:
        binned = binned.where(Visit.department_id == department)
    for visited_at, dep, doc in db.session.execute(
        scoped(binned, Visit, user, owner_attr="doctor_id")
    ):
        counts[(local_day_of(visited_at), dep, doc)] -= 1
    return {key: n for key, n in counts.items() if n > 0}


def visit_figures(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Visits per day, department and doctor in ``period``, with the
    totals by department and by doctor — of the visits ``user`` may see
    (:func:`visit_counts`)."""
    found: list[tuple[Any, ...]] = [
        (d, dep, doc, n) for (d, dep, doc), n in visit_counts(user, period, department).items()
    ]
    departments = department_names(r[1] for r in found)
    doctors = user_names(r[2] for r in found)
    rows = [
        {
            "day": d,
            "department_id": dep,
            "department": departments[dep],
            "doctor_id": doc,
            "doctor": doctors[doc],
            "visits": n,
        }
        for d, dep, doc, n in sorted(found, key=lambda r: (r[0], departments[r[1]], doctors[r[2]]))
    ]
    by_department: dict[int | None, int] = defaultdict(int)
    by_doctor: dict[tuple[int | None, int | None], int] = defaultdict(int)
    for r in rows:
        by_department[r["department_id"]] += r["visits"]
        by_doctor[(r["doctor_id"], r["department_id"])] += r["visits"]
    return {
        "rows": rows,
        "by_department": [
            {"department_id": dep, "department": departments[dep], "visits": n}
            for dep, n in sorted(by_department.items(), key=lambda kv: departments[kv[0]])
        ],
        "by_doctor": [
            {
                "doctor_id": doc,
                "doctor": doctors[doc],
                "department_id": dep,
                "department": departments[dep],
                "visits": n,
            }
            for (doc, dep), n in sorted(
                by_doctor.items(), key=lambda kv: (-kv[1], doctors[kv[0][0]])
            )
        ],
        "total": sum(by_department.values()),
    }


def booking_figures(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """The bookings of ``period`` (cancelled left out) per day by channel,
    and per department the channels and the no-show rate."""
    first, last = period
    query = select(
        Booking.day, Booking.department_id, Booking.channel, Booking.status, func.count(Booking.id)
    ).where(Booking.day >= first, Booking.day <= last, Booking.status != "cancelled")
    if department is not None:
        query = query.where(Booking.department_id == department)
    query = visible_bookings(user, query).group_by(
        Booking.day, Booking.department_id, Booking.channel, Booking.status
    )
    today = local_today()
    days: dict = defaultdict(lambda: {"desk": 0, "online": 0})
    blank = {"desk": 0, "online": 0, "past": 0, "no_show": 0}
    per_department: dict[int, dict[str, int]] = defaultdict(lambda: dict(blank))
    for day, dep, channel, status, n in db.session.execute(query):
        day = day_of(day)
        days[day][channel] += n
        figures = per_department[dep]
        figures[channel] += n
        if day < today:
            figures["past"] += n
            if status == "no_show":
                figures["no_show"] += n
    names = department_names(per_department)
    totals = dict(blank)
    for figures in per_department.values():
        for key in blank:
            totals[key] += figures[key]

    def described(figures: dict[str, int]) -> dict[str, Any]:
        return {
            **figures,
            "bookings": figures["desk"] + figures["online"],
            "online_share": rate(figures["online"], figures["desk"] + figures["online"]),
            "no_show_rate": rate(figures["no_show"], figures["past"]),
        }

    return {
        "days": [
            {"day": d, **c, "bookings": c["desk"] + c["online"]} for d, c in sorted(days.items())
        ],
        "by_department": [
            {"department_id": dep, "department": names[dep], **described(f)}
            for dep, f in sorted(per_department.items(), key=lambda kv: names[kv[0]])
        ],
        "totals": described(totals),
    }


def percentile(values: list[float], pct: int) -> float:
    """The nearest-rank ``pct``-th percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _waits(minutes: list[float]) -> dict[str, Any]:
    return {
        "patients": len(minutes),
        "median": round(median(minutes), 1),
        "p90": round(percentile(minutes, PERCENTILE), 1),
    }


def wait_figures(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Minutes from check-in to call, median and 90th percentile, per
    department and day and per department, of the bookings of ``period``
    that were called."""
    first, last = period
    query = select(
        Booking.department_id, Booking.day, Booking.checked_in_at, Booking.called_at
    ).where(
        Booking.day >= first,
        Booking.day <= last,
        Booking.status != "cancelled",
        Booking.checked_in_at.is_not(None),
        Booking.called_at.is_not(None),
    )
    if department is not None:
        query = query.where(Booking.department_id == department)
    by_day: dict[tuple, list[float]] = defaultdict(list)
    for dep, day, checked_in, called in db.session.execute(visible_bookings(user, query)):
        wait = max(0.0, (called - checked_in).total_seconds() / 60)
        by_day[(dep, day_of(day))].append(wait)
    names = department_names(dep for dep, _day in by_day)
    by_department: dict[int, list[float]] = defaultdict(list)
    for (dep, _day), waits in by_day.items():
        by_department[dep].extend(waits)
    everyone = [w for waits in by_department.values() for w in waits]
    return {
        "rows": [
            {"department_id": dep, "department": names[dep], "day": day, **_waits(waits)}
            for (dep, day), waits in sorted(
                by_day.items(), key=lambda kv: (kv[0][1], names[kv[0][0]])
            )
        ],
        "by_department": [
            {"department_id": dep, "department": names[dep], **_waits(waits)}
            for dep, waits in sorted(by_department.items(), key=lambda kv: names[kv[0]])
        ],
        "totals": _waits(everyone) if everyone else {"patients": 0, "median": None, "p90": None},
    }
