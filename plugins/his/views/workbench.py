"""The doctor's workbench (``/his/workbench``): today's patients of my
queue (call next, start the visit of the called one), my open visits, the
current visit with the patient's history at a glance — allergies, chronic
conditions, previous visits with their diagnoses."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from core.api import db, require

from ..models import Visit
from ..services import bookings
from ..services import visits as service
from ..services.bookings.rules import local_today
from ..services.clinic import period_labels
from .blueprint import bp
from .visits import field_labels

#: the most open visits the workbench lists
OPEN_SIZE = 20


def my_open_visits() -> list[Visit]:
    query = service.visible_visits(current_user).where(
        Visit.doctor_id == current_user.id, Visit.status == "open"
    )
    return list(db.session.scalars(query.order_by(Visit.visited_at.desc()).limit(OPEN_SIZE)))


@bp.route("/workbench", endpoint="workbench")
@login_required
def workbench():
    """Today's queue, my open visits and the current one (``visit``, else
    the latest open) with the patient's history."""
    require("his.visit.write")
    open_visits = my_open_visits()
    chosen = request.args.get("visit", "")
    current = None
    if chosen.isdigit():
        current = service.visible_visit(int(chosen), current_user)
    elif open_visits:
        current = open_visits[0]
    history = None
    if current is not None:
        history = service.patient_history(
            current.customer_id, current_user, exclude_visit_id=current.id
        )
    return render_template(
        "his/workbench.html",
        rows=bookings.my_queue(current_user),
        periods=period_labels(),
        states={s: str(v) for s, v in bookings.BOOKING_STATE_LABELS.items()},
        visit_states={k: str(v) for k, v in service.VISIT_STATE_LABELS.items()},
        open_visits=open_visits,
        current=current,
        diagnoses=service.diagnoses_of(current) if current else [],
        history=history,
        labels=field_labels(),
        day=local_today(),
    )
