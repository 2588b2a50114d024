"""A visit's diagnoses on its page: add one (a code typed or picked from
the ICD-10 lookup's hits), make one primary, remove one — an open visit's
only; a refused write shows the visit page with the field marked."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user, login_required

from core.api import ConflictError, StaleVersionError, ValidationError, form_payload, require

from ..services import visits as service
from ..services.visits.inputs import DiagnosisInput
from .blueprint import bp
from .visits import refused


@bp.route("/visits/<int:visit_id>/diagnoses", methods=["POST"], endpoint="add_diagnosis")
@login_required
def add_diagnosis(visit_id: int):
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        service.add_diagnosis(visit, form_payload(DiagnosisInput()), current_user)
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "diagnosis")
    return redirect(url_for(".visit", visit_id=visit_id, _anchor="diagnoses"))


@bp.route(
    "/visits/<int:visit_id>/diagnoses/<int:diagnosis_id>/primary",
    methods=["POST"],
    endpoint="primary_diagnosis",
)
@login_required
def primary_diagnosis(visit_id: int, diagnosis_id: int):
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        diagnosis = service.get_diagnosis(visit, diagnosis_id)
        service.update_diagnosis(visit, diagnosis, {"is_primary": True}, current_user)
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "diagnosis")
    return redirect(url_for(".visit", visit_id=visit_id, _anchor="diagnoses"))


@bp.route(
    "/visits/<int:visit_id>/diagnoses/<int:diagnosis_id>/remove",
    methods=["POST"],
    endpoint="remove_diagnosis",
)
@login_required
def remove_diagnosis(visit_id: int, diagnosis_id: int):
    require("his.visit.write")
    visit = service.visible_visit(visit_id, current_user)
    try:
        service.remove_diagnosis(visit, service.get_diagnosis(visit, diagnosis_id), current_user)
    except (ValidationError, StaleVersionError, ConflictError) as exc:
        return refused(visit_id, exc, "diagnosis")
    return redirect(url_for(".visit", visit_id=visit_id, _anchor="diagnoses"))
