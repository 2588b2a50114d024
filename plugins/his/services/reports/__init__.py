"""The hospital reports (issue 18, "Reports"): each a function
``report(user, period, department=None) -> dict`` of plain figures that the
Hospital reports page charts and ``/api/v1/his/reports/<name>`` returns.

- :mod:`.scope`: the period, the local day of an instant in SQL, and who
  sees which department's figures
- :mod:`.clinic`: visits by department and doctor per day; the booking
  channel mix and the no-show rate; wait times from check-in to call
- :mod:`.revenue`: revenue by charge category and by payment method,
  refunds subtracted
- :mod:`.today`: today's registrations, waiting patients and revenue (dashboard)
- :mod:`.voice`: follow-up completion, satisfaction and NPS, complaints —
  the figures the follow-up and feedback services compute, not recomputed

Every report counts only what the user may see: a doctor or a nurse (team
scope) their department's figures, the roles that see all everyone's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clinic import booking_figures, visit_figures, wait_figures
from .revenue import revenue_figures
from .scope import Period, check_period, period_of
from .today import today_registrations, today_revenue
from .voice import complaint_report, followup_report, satisfaction_report

#: name in ``/api/v1/his/reports/<name>`` → the function computing it
REPORTS: dict[str, Callable[..., dict[str, Any]]] = {
    "visits": visit_figures,
    "bookings": booking_figures,
    "wait-times": wait_figures,
    "revenue": revenue_figures,
    "followup": followup_report,
    "satisfaction": satisfaction_report,
    "complaints": complaint_report,
}

__all__ = [
    "REPORTS",
    "Period",
    "booking_figures",
    "check_period",
    "complaint_report",
    "followup_report",
    "period_of",
    "revenue_figures",
    "satisfaction_report",
    "today_registrations",
    "today_revenue",
    "visit_figures",
    "wait_figures",
]
