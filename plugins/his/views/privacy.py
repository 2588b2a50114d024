"""Privacy pages under ``/his``: opening a patient (their record, or — for
a holder of ``his.break_glass`` outside their care — the break-the-glass
page that asks why), a patient's data as a JSON download, and the admin's
Break-the-glass review."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import NotFoundError, StateError, ValidationError, db, require, translator

from ..models import Patient
from ..services import patients, privacy
from .blueprint import bp

_, _l = translator("his")


def _record_url(customer_id: int) -> str:
    return url_for("customers.detail", customer_id=customer_id, tab="medical-record")


def _outside(patient_id: int) -> Patient:
    """A patient outside the user's care they may break the glass for (404 otherwise)."""
    if not privacy.may_break_glass(current_user):
        abort(404)
    found = db.session.get(Patient, patient_id) if patient_id < 2**31 else None
    if found is None:
        abort(404)
    return found


@bp.route("/patients/<int:patient_id>", endpoint="open_patient")
@login_required
def open_patient(patient_id: int):
    """A patient's record: in the user's care, the customer page's Medical
    record tab; outside it, the break-the-glass page (or a 404)."""
    require("his.patient.read")
    try:
        found = patients.visible_patient(patient_id, current_user)
    except NotFoundError:
        return redirect(url_for(".break_glass", patient_id=_outside(patient_id).id))
    return redirect(_record_url(found.customer_id))


@bp.route("/patients/<int:patient_id>/break-glass", methods=["GET", "POST"])
@login_required
def break_glass(patient_id: int):
    """Ask why the user opens a record outside their care; with a reason,
    grant it for a while, audited and highlighted for review."""
    require("his.patient.read")
    found = _outside(patient_id)
    try:
        patients.visible_patient(patient_id, current_user)
    except NotFoundError:
        pass
    else:  # in their care (or a grant in force): nothing to break
        return redirect(_record_url(found.customer_id))
    errors: dict = {}
    reason = ""
    status = 200
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            privacy.break_glass(found.customer, {"reason": reason}, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            flash(
                _(
                    "Break-the-glass access granted for %(hours)s hours; it is recorded "
                    "and will be reviewed.",
                    hours=f"{privacy.glass_hours():g}",
                ),
                "warning",
            )
            return redirect(_record_url(found.customer_id))
    return render_template(
        "his/privacy_break_glass.html",
        patient=found,
        reason=reason,
        errors=errors,
        hours=f"{privacy.glass_hours():g}",
    ), status


def may_export(user) -> bool:
    return user.can("his.admin") or user.can(patients.PII)


@bp.route("/patients/<int:patient_id>/export")
@login_required
def export_patient(patient_id: int):
    """The patient's data as a JSON file (``his.admin`` or ``his.patient.pii``), audited."""
    if not may_export(current_user):
        abort(403)
    found = patients.visible_patient(patient_id, current_user)
    document = privacy.patient_export(found.customer, current_user)
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="patient-{found.mrn}.json"'},
    )


@bp.route("/privacy/break-glass", endpoint="glass_review")
@login_required
def glass_review():
    """Every break-the-glass access, unreviewed first (``his.admin``)."""
    require("his.admin")
    rows = privacy.grants_for_review()
    mrns = dict(
        db.session.execute(
            select(Patient.customer_id, Patient.mrn).where(
                Patient.customer_id.in_({row[0].entity_id for row in rows})
            )
        ).all()
    )
    return render_template("his/privacy_glass_review.html", rows=rows, mrns=mrns)


@bp.route("/privacy/break-glass/<int:grant_id>/review", methods=["POST"])
@login_required
def review_glass(grant_id: int):
    """Mark one access reviewed, with an optional note."""
    require("his.admin")
    try:
        privacy.review_grant(grant_id, current_user, request.form.get("note", ""))
    except StateError as exc:
        db.session.rollback()
        flash(exc.summary, "error")
    except NotFoundError:
        abort(404)
    else:
        flash(_("Marked as reviewed."), "success")
    return redirect(url_for(".glass_review"))
