"""The reports other services already count: follow-up completion and the
lost-to-follow-up rate (:func:`..followup.followup_figures`), satisfaction
and NPS (:func:`..feedback.survey_figures`) and complaints by category
(:func:`..feedback.complaint_figures`) — asked for, never recomputed here,
each within the user's scope."""

from __future__ import annotations

from typing import Any

from core.api import User

from ..feedback import complaint_figures, survey_figures
from ..followup import followup_figures
from .scope import Period


def followup_report(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Follow-up steps due in ``period``: due, completed, lost, still open,
    the completion and the lost-to-follow-up rates (fractions)."""
    figures = followup_figures(period, department, user)
    return {
        "due": figures.due,
        "completed": figures.completed,
        "lost": figures.lost,
        "open": figures.open,
        "completion_rate": _four(figures.completion_rate),
        "lost_rate": _four(figures.lost_rate),
    }


def satisfaction_report(
    user: User, period: Period, department: int | None = None
) -> dict[str, Any]:
    """Surveys sent and answered in ``period``, the average CSAT (1–5) and the NPS."""
    return survey_figures(period, department, user)


def complaint_report(user: User, period: Period, department: int | None = None) -> dict[str, Any]:
    """Complaints received in ``period`` by category and by state (the
    complaint figures are not kept per department: ``department`` is not used)."""
    return complaint_figures(period, user)


def _four(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
