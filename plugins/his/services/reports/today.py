"""Today's figures for the dashboard cards: the registrations of the
departments the user sees and the patients waiting (checked in, not yet
called); today's revenue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.api import User, db

from ...models import Booking
from ..bookings.access import visible_bookings
from ..bookings.rules import local_today
from .revenue import revenue_figures
from .scope import department_names


def today_registrations(user: User) -> dict[str, Any]:
    """Per department ``user`` sees: today's registrations (cancelled left
    out) and the patients waiting; with the totals."""
    query = select(Booking.department_id, Booking.status, func.count(Booking.id)).where(
        Booking.day == local_today(), Booking.status != "cancelled"
    )
    query = visible_bookings(user, query).group_by(Booking.department_id, Booking.status)
    counts: dict[int, dict[str, int]] = {}
    for department, status, n in db.session.execute(query):
        figures = counts.setdefault(department, {"registrations": 0, "waiting": 0})
        figures["registrations"] += n
        if status == "checked_in":
            figures["waiting"] += n
    names = department_names(counts)
    rows = [
        {"department_id": d, "department": names[d], **f}
        for d, f in sorted(counts.items(), key=lambda kv: names[kv[0]])
    ]
    return {
        "rows": rows,
        "registrations": sum(r["registrations"] for r in rows),
        "waiting": sum(r["waiting"] for r in rows),
    }


def today_revenue(user: User) -> dict[str, Any]:
    """Today's revenue (refunds subtracted) in what ``user`` sees."""
    day = local_today()
    return revenue_figures(user, (day, day))
