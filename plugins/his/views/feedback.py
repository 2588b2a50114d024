"""The patients' voice on the web: the surveys list with its figures, the
complaints list, a complaint's page with its handling, and the form that
records one (reached from a patient's page or by searching a patient)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    ConflictError,
    Customer,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    list_page,
    require,
    scoped,
    search_match,
    translator,
    visible_customer,
)

from ..models import Complaint, Department, Patient, Survey, Visit
from ..models.feedback import COMPLAINT_STATES
from ..services import feedback as service
from ..services.feedback.inputs import ComplaintInput, ComplaintMoveInput
from ..services.visits import visible_visits
from .blueprint import bp

_, _l = translator("his")

LIST_SIZE = 50
#: patients a search on the new-complaint form offers at most
FOUND = 20


def _readable() -> None:
    if not current_user.can("his.feedback.read"):
        abort(404)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _departments() -> list[Department]:
    return list(
        db.session.scalars(select(Department).order_by(Department.sort_order, Department.name))
    )


@bp.route("/surveys")
@login_required
def surveys():
    """Surveys the user may see, latest sent first, with the period's
    figures (responses, average CSAT, NPS), for one department or all."""
    _readable()
    period = service.period_of(_day("date_from"), _day("date_to"))
    department_id = request.args.get("department_id", type=int)
    page = list_page()
    query = service.visible_surveys(current_user)
    if department_id:
        query = query.where(Survey.department_id == department_id)
    rows = db.session.scalars(
        query.options(joinedload(Survey.customer), joinedload(Survey.department))
        .order_by(Survey.sent_at.desc(), Survey.id.desc())
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
    if department_id:
        filters["department_id"] = str(department_id)
    return render_template(
        "his/feedback_surveys.html",
        surveys=rows[:LIST_SIZE],
        figures=service.survey_figures(period, department_id, current_user),
        period=period,
        department_id=department_id,
        departments=_departments(),
        filters=filters,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


@bp.route("/complaints")
@login_required
def complaints():
    """Complaints the user may see, latest first, by state and category,
    with the period's figures by category."""
    _readable()
    period = service.period_of(_day("date_from"), _day("date_to"))
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    page = list_page()
    query = service.visible_complaints(current_user)
    if status in COMPLAINT_STATES:
        query = query.where(Complaint.status == status)
    if category in service.CATEGORY_LABELS:
        query = query.where(Complaint.category == category)
    rows = db.session.scalars(
        query.options(joinedload(Complaint.customer), joinedload(Complaint.department))
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {k: v for k, v in (("status", status), ("category", category)) if v}
    return render_template(
        "his/feedback_complaints.html",
        complaints=rows[:LIST_SIZE],
        figures=service.complaint_figures(period, current_user),
        period=period,
        status=status,
        category=category,
        filters=filters,
        page=page,
        more=len(rows) > LIST_SIZE,
        **_labels(),
    )


def _labels() -> dict:
    return {
        "states": service.COMPLAINT_STATE_LABELS,
        "categories": service.CATEGORY_LABELS,
        "channels": service.CHANNEL_LABELS,
    }


@bp.route("/complaints/new", methods=["GET", "POST"])
@login_required
def new_complaint():
    """Record a complaint of the patient ``customer_id``; without one, a
    search (``q``) lists the patients to choose from."""
    require("his.feedback.write")
    customer_id = request.values.get("customer_id", type=int)
    customer = visible_customer(customer_id, current_user) if customer_id else None
    errors: dict = {}
    if request.method == "POST" and customer is not None:
        payload = form_payload(ComplaintInput())
        payload["customer_id"] = customer.id
        try:
            complaint = service.create_complaint(payload, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("The complaint is recorded."), "success")
            return redirect(url_for(".complaint", complaint_id=complaint.id), 303)
    q = request.args.get("q", "").strip()[:100]
    found = []
    if customer is None and q:
        found = db.session.scalars(
            scoped(select(Customer), Customer, current_user)
            .where(
                Customer.id.in_(select(Patient.customer_id)),
                search_match(Customer, q, current_user),
            )
            .limit(FOUND)
        ).all()
    visits = []
    if customer is not None:
        visits = db.session.scalars(
            visible_visits(current_user)
            .where(Visit.customer_id == customer.id)
            .order_by(Visit.visited_at.desc())
            .limit(20)
        ).all()
    return render_template(
        "his/feedback_complaint_new.html",
        customer=customer,
        q=q,
        found=found,
        visits=visits,
        departments=_departments(),
        errors=errors,
        values=request.form if request.method == "POST" else {},
        **_labels(),
    ), 422 if errors else 200


@bp.route("/complaints/<int:complaint_id>")
@login_required
def complaint(complaint_id: int):
    """A complaint: what, who, its handling, and the steps it allows."""
    _readable()
    row = service.visible_complaint(complaint_id, current_user)
    return _complaint_page(row)


def _complaint_page(row: Complaint, errors: dict | None = None, status: int = 200):
    return render_template(
        "his/feedback_complaint.html",
        complaint=row,
        actions=service.COMPLAINT.allowed(row.status),
        action_labels=service.COMPLAINT.actions,
        errors=errors or {},
        **_labels(),
    ), status


@bp.route("/complaints/<int:complaint_id>/move", methods=["POST"])
@login_required
def move_complaint(complaint_id: int):
    """Take a step of the complaint's handling from its page."""
    require("his.feedback.write")
    row = service.visible_complaint(complaint_id, current_user)
    try:
        service.move_complaint(row, form_payload(ComplaintMoveInput()), current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _complaint_page(
            service.visible_complaint(complaint_id, current_user), exc.errors, exc.status
        )
    except (StaleVersionError, ConflictError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".complaint", complaint_id=complaint_id), 303)
    flash(_("Saved."), "success")
    return redirect(url_for(".complaint", complaint_id=complaint_id), 303)
