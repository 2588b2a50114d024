"""``/marketing/kpis``: the account managers' dashboard — the four figures
per manager or per team for a period, and month by month for everything
the user sees (charts with a table view)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import instance_currency, instance_timezone, require, translator

from ..services import kpis
from ..services.journey import as_instants, cohort_bounds
from .blueprint import bp

_, _l = translator("marketing")

#: how many months the trend shows
TREND_MONTHS = 12


def month_bounds(until: date, count: int = TREND_MONTHS) -> list[tuple[date, datetime, datetime]]:
    """The ``count`` calendar months up to the one ``until`` falls in,
    oldest first: ``(first day, start, end)`` in the instance's time zone."""
    zone = ZoneInfo(instance_timezone())
    first = until.replace(day=1)
    months = []
    for _n in range(count):
        after = (first + timedelta(days=32)).replace(day=1)
        start = datetime.combine(first, time.min, zone)
        months.append((first, start, datetime.combine(after, time.min, zone)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


@bp.route("/kpis")
@login_required
def kpis_page():
    require("marketing.segment.read")
    since, until, errors = cohort_bounds(request.args)
    by = "team" if request.args.get("by") == "team" else "owner"
    months = month_bounds(until)
    trend = kpis.trend(current_user, [(start, end) for _first, start, end in months])
    return render_template(
        "marketing/kpis.html",
        rows=kpis.figures(current_user, *as_instants(since, until), by=by),
        by=by,
        since=since,
        until=until,
        errors=errors,
        currency=instance_currency(),
        month_labels=[first.strftime("%Y-%m") for first, _start, _end in months],
        trend=trend,
    ), 422 if errors else 200
