"""The visits pages: the list and the customer page's Visits tab, a
visit's page (the doctor's record, diagnoses with the ICD-10 lookup, close,
amend — the write routes are :mod:`.diagnoses`), its printable summary, and
starting a visit from a called registration.

Other modules add blocks to the visit page (prescriptions, orders) with
:func:`visit_section`; the page renders each under the record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_from_directory, url_for
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
    form_version,
    list_page,
    list_sort,
    require,
    search_match,
    text_contains,
    translator,
    visible_customer,
)

from ..models import Visit
from ..services import privacy
from ..services import visits as service
from ..services.visits.inputs import AmendInput, DiagnosisAmendInput, RecordInput
from .blueprint import bp

_, _l = translator("his")

LIST_SIZE = 50  # visits on a page of the list
#: the visits list's sortable columns
VISIT_SORTS = {
    "visited_at": Visit.visited_at,
    "customer": select(Customer.name).where(Customer.id == Visit.customer_id).scalar_subquery(),
    "department": Visit.department,
}


@bp.route("/visits")
@login_required
def visits():
    """Visits the user may see (a doctor their own, a department head their
    team's), latest first (or sorted by a column: ``sort``, ``-`` for
    descending), 50 a page; found by patient's name or department."""
    if not current_user.can("his.visit.read"):
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(
        VISIT_SORTS, (Visit.visited_at.desc(), Visit.id.desc()), Visit.id.desc()
    )
    page = list_page()
    query = visible_visits(current_user)
    if q:
        query = query.where(
            text_contains(Visit.department, q)
            | Visit.customer_id.in_(
                select(Customer.id).where(search_match(Customer, q, current_user))
            )
        )
    # one row more than a page says whether there is a next one
    rows = db.session.scalars(
        query.options(joinedload(Visit.customer), joinedload(Visit.doctor))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "his/visits.html",
        visits=rows[:LIST_SIZE],
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def visible_visits(user):
    """Visits the user may see: a doctor their own, a department head their team's
    (the list, its search and the customer tab share this scope)."""
    return service.visible_visits(user)


def patient_visits_query(user, customer_id: int):
    """A patient's visits that ``user`` may see — the scope of the visits list."""
    return visible_visits(user).where(Visit.customer_id == customer_id)


@bp.route("/customers/<int:customer_id>/visits")
@login_required
def customer_visits(customer_id: int):
    """The Visits tab of a patient's page (for a customer the user may see)."""
    if not current_user.can("his.visit.read"):
        abort(404)
    customer_id = visible_customer(customer_id, current_user).id
    query = patient_visits_query(current_user, customer_id)
    rows = db.session.scalars(query.order_by(Visit.visited_at.desc(), Visit.id.desc())).all()
    return render_template("his/_customer_visits.html", visits=rows)


@dataclass
class VisitSection:
    """A block of the visit page under the record: ``template`` is rendered
    with ``visit`` and ``can_write`` (the visit is open and the user may
    write it); shown to users with ``permission``, by ``order``."""

    key: str
    title: str
    template: str
    order: int = 50
    permission: str = "his.visit.read"


#: the visit page's blocks other modules add (prescriptions, orders)
VISIT_SECTIONS: list[VisitSection] = []


def visit_section(section: VisitSection) -> VisitSection:
    """Add a block to the visit page (once per key; a second call replaces it)."""
    VISIT_SECTIONS[:] = [s for s in VISIT_SECTIONS if s.key != section.key]
    VISIT_SECTIONS.append(section)
    return section


def field_labels() -> dict[str, str]:
    return {
        "chief_complaint": _("Chief complaint"),
        "history": _("History of present illness"),
        "examination": _("Examination"),
        "summary": _("Advice"),
    }


def diagnosis_amendment_labels() -> dict[str, str]:
    return {
        "add": _("Add a diagnosis (code)"),
        "remove": _("Remove a diagnosis"),
        "primary": _("Make a diagnosis primary"),
    }


def may_write(visit: Visit) -> bool:
    return visit.status == "open" and current_user.can("his.visit.write")


def render_visit(visit: Visit, errors: dict | None = None, status: int = 200, **extra):
    """The visit page (``extra``: the ICD-10 lookup's query and hits, the
    posted values to show back)."""
    sections = [
        s for s in sorted(VISIT_SECTIONS, key=lambda s: s.order) if current_user.can(s.permission)
    ]
    history = service.patient_history(visit.customer_id, current_user, exclude_visit_id=visit.id)
    diagnoses = service.diagnoses_of(visit)
    return render_template(
        "his/visit_detail.html",
        visit=visit,
        diagnoses=diagnoses,
        diagnosis_choices=[
            (str(d.id), f"{d.code} {d.local_name or d.description}") for d in diagnoses
        ],
        diagnosis_amendments=diagnosis_amendment_labels(),
        amended_labels={**field_labels(), "diagnoses": _("Diagnoses")},
        amendments=service.amendments_of(visit),
        history=history,
        labels=field_labels(),
        states={k: str(v) for k, v in service.VISIT_STATE_LABELS.items()},
        can_write=may_write(visit),
        can_amend=visit.status == "closed" and current_user.can("his.visit.write"),
        sections=sections,
        errors=errors or {},
        values=extra.pop("values", None) or {},
        **extra,
    ), status


@bp.route("/visits/<int:visit_id>", endpoint="visit")
@login_required
def visit_page(visit_id: int):
    """A visit: the record, its diagnoses (with the ICD-10 lookup: ``icd``),
    close or amend, the patient's history beside it."""
    require("his.visit.read")
    visit = service.visible_visit(visit_id, current_user)
    privacy.audit_read(visit.customer_id, current_user, f"visit {visit.id}")
    icd = request.args.get("icd", "").strip()[:100]
    return render_visit(visit, icd=icd, icd_hits=service.search_icd10(icd) if icd else [])


def refused(visit_id: int, exc: Exception, form: str):
    """Show a refused write: field errors on the page, a stale version as a flash."""
    db.session.rollback()
    visit = service.visible_visit(visit_id, current_user)
    if isinstance(exc, ValidationError):
        values = {"form": form, **request.form.to_dict()}
        return render_visit(visit, exc.errors, exc.status, values=values)
    if isinstance(exc, StaleVersionError):
        flash(_("Someone else changed this visit meanwhile; look again and retry."), "error")
    else:
        flash(str(exc), "error")
    return redirect(url_for(".visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>", methods=["POST"], endpoint="save_visit")
@login_required
def save_visit(visit_id: int):
    """Save the doctor's record of an open visit."""
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        service.update_visit(visit, form_payload(RecordInput()), current_user, form_version())
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "record")
    flash(_("Saved."), "success")
    return redirect(url_for(".visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/close", methods=["POST"], endpoint="close_visit")
@login_required
def close_visit(visit_id: int):
    """Close (sign off) the visit."""
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        service.close_visit(visit, current_user, form_version())
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "close")
    flash(_("The visit is closed."), "success")
    return redirect(url_for(".visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/amend", methods=["POST"], endpoint="amend_visit")
@login_required
def amend_visit(visit_id: int):
    """Amend a field of a closed visit, with a reason."""
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        service.amend_visit(visit, form_payload(AmendInput()), current_user, form_version())
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "amend")
    flash(_("The record is amended."), "success")
    return redirect(url_for(".visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/amend-diagnoses", methods=["POST"], endpoint="amend_diagnoses")
@login_required
def amend_diagnoses(visit_id: int):
    """Add, remove or make primary a diagnosis of a closed visit, with a reason."""
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    payload = {k: v for k, v in form_payload(DiagnosisAmendInput()).items() if v not in ("", None)}
    try:
        service.amend_diagnoses(visit, payload, current_user, form_version())
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "amend_diagnoses")
    flash(_("The diagnoses are amended."), "success")
    return redirect(url_for(".visit", visit_id=visit_id))


@bp.route("/visits/start", methods=["POST"], endpoint="start_visit")
@login_required
def start_visit():
    """Start (or open again) the visit of a called registration."""
    require("his.visit.write")
    booking_id = request.form.get("booking_id", "")
    try:
        visit, _new = service.start_visit(
            {"booking_id": int(booking_id) if booking_id.isdigit() else booking_id}, current_user
        )
    except (ValidationError, ConflictError) as exc:
        db.session.rollback()
        flash(getattr(exc, "summary", None) or str(exc), "error")
        return redirect(url_for(".workbench"))
    return redirect(url_for(".workbench", visit=visit.id))


@bp.route("/visits/<int:visit_id>/print", endpoint="visit_print")
@login_required
def visit_print(visit_id: int):
    """The visit summary to print (its own print stylesheet)."""
    require("his.visit.read")
    visit = service.visible_visit(visit_id, current_user)
    privacy.audit_read(visit.customer_id, current_user, f"visit {visit.id} print")
    return render_template(
        "his/visit_print.html",
        visit=visit,
        diagnoses=service.diagnoses_of(visit),
        amendments=service.amendments_of(visit),
        history=service.patient_history(visit.customer_id, current_user),
        labels=field_labels(),
        states={k: str(v) for k, v in service.VISIT_STATE_LABELS.items()},
    )


@bp.route("/visit-print.css", endpoint="visit_print_css")
def visit_print_css():
    """The summary's stylesheet (a file: the CSP allows no inline style)."""
    return send_from_directory(Path(__file__).parent.parent / "static", "visit_print.css")
