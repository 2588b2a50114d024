"""Page ``/service/schedule``: the week's agreed appointments, one column
per day (an engineer sees their own, a dispatcher picks an engineer or sees
all), the jobs still waiting for a time, and the form that records the time
agreed with the customer (on the order page)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required

from core.api import (
    ConflictError,
    StaleVersionError,
    ValidationError,
    db,
    form_datetime,
    form_version,
    require,
    translator,
)

from ..services import schedule
from ..services.access import visible_order
from .blueprint import bp

_, _l = translator("service_dispatch")
DAYS = 7


def _week_start(value: str | None) -> date:
    """The day asked for (``YYYY-MM-DD``), or today on the user's clock."""
    today = datetime.now(get_timezone()).date()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return day if 2000 <= day.year <= 2100 else today


@bp.route("/schedule")
@login_required
def schedule_page():
    if not (current_user.can("service.dispatch") or current_user.can("service.engineer")):
        require("service.dispatch")
    first = _week_start(request.args.get("start"))
    start = get_timezone().localize(datetime.combine(first, time(0)))
    engineers = schedule.engineer_choices(current_user)
    wanted = request.args.get("engineer_id", type=int)
    if not current_user.can("service.dispatch"):
        wanted = current_user.id
    jobs = schedule.schedule(current_user, start, DAYS, wanted)
    days = [first + timedelta(days=i) for i in range(DAYS)]
    by_day: dict[date, list] = {d: [] for d in days}
    for job in jobs:
        by_day.setdefault(job.appointment_at.astimezone(get_timezone()).date(), []).append(job)
    return render_template(
        "service_dispatch/schedule.html",
        days=days,
        by_day=by_day,
        engineers=engineers,
        engineer_id=wanted,
        first=first,
        waiting=schedule.unscheduled(current_user, wanted),
        previous=first - timedelta(days=DAYS),
        following=first + timedelta(days=DAYS),
    )


@bp.route("/work-orders/<int:order_id>/appointment", methods=["POST"])
@login_required
def appointment(order_id: int):
    """Record the time agreed with the customer, then back to the order."""
    require("service.order.read")
    order = visible_order(order_id, current_user)
    try:
        when = schedule.require_time(form_datetime(request.form.get("appointment_at")))
        schedule.set_appointment(
            order,
            {"appointment_at": when, "note": request.form.get("note")},
            current_user,
            form_version(),
        )
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this work order meanwhile; look again and retry."), "error")
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Appointment saved."), "success")
    return redirect(url_for(".order_page", order_id=order_id))
