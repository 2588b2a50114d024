"""The Hospital reports page: the period's visits, registrations, waits,
revenue, follow-ups and the patients' voice, charted with core's macros
(each chart with its table view) — for one department or every one the
user sees; and the dashboard cards: today's registrations and waiting
patients, today's revenue."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, request
from flask_babel import format_date
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import DashboardWidget, NotFoundError, User, ValidationError, db, translator

from ..models import Department
from ..services import reports
from ..services.bookings.access import visible_department, visible_department_ids
from ..services.feedback import CATEGORY_LABELS
from ..services.reports.scope import days_of
from .billing import category_labels, method_labels
from .blueprint import bp

_, _l = translator("his")


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _departments(user: User) -> list[Department]:
    """The departments ``user`` may pick (those whose figures they see)."""
    query = select(Department).order_by(Department.sort_order, Department.name)
    seen = visible_department_ids(user)
    if seen is not None:
        query = query.where(Department.id.in_(seen))
    return list(db.session.scalars(query))


def _visits_chart(figures: dict[str, Any], days: list[date]) -> list[dict]:
    """One series a department, one value a day (stacked)."""
    series: dict[Any, dict] = {}
    position = {day: i for i, day in enumerate(days)}
    for row in figures["rows"]:
        entry = series.setdefault(
            row["department_id"], {"label": row["department"], "data": [0] * len(days)}
        )
        entry["data"][position[row["day"]]] += row["visits"]
    return list(series.values())


@bp.route("/reports", endpoint="reports")
@login_required
def reports_page():
    """The reports of the period (default the last 30 days) the user may see."""
    if not current_user.can("his.report.read"):
        abort(404)
    period = reports.period_of(_day("date_from"), _day("date_to"))
    errors: dict = {}
    try:
        reports.check_period(period)
    except ValidationError as error:
        errors = error.errors
        period = reports.period_of(None, None)
    department_id = request.args.get("department_id", type=int)
    if department_id is not None:
        try:
            visible_department(department_id, current_user)
        except NotFoundError:
            department_id = None
    figures = {
        name: report(current_user, period, department_id)
        for name, report in reports.REPORTS.items()
    }
    days = days_of(period)
    bookings = figures["bookings"]
    booked_days = {row["day"]: row for row in bookings["days"]}
    names, methods = category_labels(), method_labels()
    revenue_rows, method_rows = figures["revenue"]["by_category"], figures["revenue"]["by_method"]
    complaints = figures["complaints"]["by_category"]
    return render_template(
        "his/reports.html",
        period=period,
        errors=errors,
        department_id=department_id,
        departments=_departments(current_user),
        figures=figures,
        day_labels=[format_date(day, "short") for day in days],
        visit_series=_visits_chart(figures["visits"], days),
        channel_series=[
            {
                "label": _("At the desk"),
                "data": [booked_days.get(d, {}).get("desk", 0) for d in days],
            },
            {"label": _("Online"), "data": [booked_days.get(d, {}).get("online", 0) for d in days]},
        ],
        category_names=[names.get(row["category"], row["category"]) for row in revenue_rows],
        method_names=[methods.get(row["method"], row["method"]) for row in method_rows],
        complaint_names=[str(CATEGORY_LABELS.get(key, key)) for key in complaints],
    )


def dashboard_widgets(user: User) -> list[DashboardWidget]:
    """The hospital's dashboard cards ``user`` may see."""
    cards = []
    if user.can("his.booking.read"):
        cards.append(
            DashboardWidget(
                "his_today_registrations",
                _l("Today's registrations"),
                "his.widget_registrations",
                60,
            )
        )
    if user.can("his.billing.write"):
        cards.append(
            DashboardWidget("his_today_revenue", _l("Today's revenue"), "his.widget_revenue", 61)
        )
    return cards


@bp.route("/widgets/registrations")
@login_required
def widget_registrations():
    """Today's registrations and waiting patients, per department the user sees."""
    if not current_user.can("his.booking.read"):
        abort(404)
    return render_template(
        "his/_widget_registrations.html", today=reports.today_registrations(current_user)
    )


@bp.route("/widgets/revenue")
@login_required
def widget_revenue():
    """Today's revenue by payment method, refunds subtracted."""
    if not current_user.can("his.billing.write"):
        abort(404)
    return render_template(
        "his/_widget_revenue.html",
        revenue=reports.today_revenue(current_user),
        methods=method_labels(),
    )
