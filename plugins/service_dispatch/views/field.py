"""The engineer's phone-width page, "My jobs today" (``/service/my-jobs``),
and its dashboard widget: today's jobs in appointment order, with the
address, the contact and the next step (on the way, check in, complete)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import get_timezone
from flask_login import current_user, login_required
from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from core.api import db, require, translator, utcnow

from ..models import OPEN_FOR_ENGINEER, WorkOrder
from ..services.access import visible_orders
from ..services.lifecycle import actions_for
from .blueprint import bp

_, _l = translator("service_dispatch")


def end_of_today() -> datetime:
    """Midnight tonight on the user's clock, in UTC."""
    local = utcnow().astimezone(get_timezone())
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(utcnow().tzinfo)


def todays_jobs() -> list[WorkOrder]:
    """My open jobs due by tonight (earlier ones not yet done included), by
    appointment; jobs without an appointment last."""
    query = (
        visible_orders(current_user)
        .where(
            WorkOrder.engineer_id == current_user.id,
            WorkOrder.status.in_(OPEN_FOR_ENGINEER),
            or_(WorkOrder.appointment_at.is_(None), WorkOrder.appointment_at < end_of_today()),
        )
        .options(joinedload(WorkOrder.customer), joinedload(WorkOrder.contact))
        .order_by(WorkOrder.appointment_at.is_(None), WorkOrder.appointment_at, WorkOrder.id)
    )
    return list(db.session.scalars(query.limit(100)))


@bp.route("/my-jobs")
@login_required
def my_jobs():
    require("service.engineer")
    jobs = todays_jobs()
    return render_template(
        "service_dispatch/my_jobs.html",
        jobs=jobs,
        actions={j.id: actions_for(current_user, j) for j in jobs},
    )


@bp.route("/widgets/my-jobs")
@login_required
def widget_my_jobs():
    require("service.engineer")
    return render_template("service_dispatch/_widget_my_jobs.html", jobs=todays_jobs())
