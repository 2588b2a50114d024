"""``/api/v1/his/patients/<id>/break-glass``, ``/api/v1/his/patients/<id>/export``
and ``/api/v1/his/break-glass``: privacy of the medical record.

Breaking the glass needs ``his.break_glass``: with a reason, the caller may
see a patient outside their care for a few hours (setting
``break_glass_hours``, default 4), audited and listed for review. The export
(``his.admin`` or ``his.patient.pii``) is the patient's data as one JSON
document, audited. The grants are listed and reviewed with ``his.admin``.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields

from core.api import NotFoundError, StateError, db, field_rules, json_body, require, translator

from ..models import Patient
from ..services import patients, privacy
from .blueprint import bp

_, _l = translator("his")


class HisGlassGrantOut(Schema):
    id = fields.Integer(metadata={"description": "the grant's audit entry"})
    user_id = fields.Integer()
    customer_id = fields.Integer(attribute="entity_id")
    reason = fields.Function(lambda grant: (grant.after or {}).get("reason"))
    created_at = fields.DateTime()
    until = fields.Function(lambda grant: privacy.grant_until(grant).isoformat())
    reviewed = fields.Boolean(dump_default=False)


class HisGlassReviewIn(Schema):
    note = fields.String(metadata={"description": "up to 500 characters"})


class HisPatientExportOut(Schema):
    format = fields.String()
    exported_at = fields.String()
    exported_by = fields.String()
    customer = fields.Dict()
    tables = fields.Dict(metadata={"description": "table name -> the patient's rows"})


_REASON = (("reason",), f"{privacy.glass.REASON_MIN} to 500 characters")


@bp.route("/patients/<int:patient_id>/break-glass", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": privacy.GlassInput}}},
    **field_rules(_REASON),
)
@bp.response(201, HisGlassGrantOut)
def break_glass(patient_id: int):
    """Open a patient outside the caller's care, for a while, with a reason
    (``his.break_glass``). A patient already in their care is a 409."""
    require(privacy.BREAK_GLASS)
    found = db.session.get(Patient, patient_id) if patient_id < 2**31 else None
    if found is None or found.customer.deleted_at is not None:
        abort(404)
    try:
        patients.visible_patient(patient_id, current_user)
    except NotFoundError:
        return privacy.break_glass(found.customer, json_body(), current_user)
    raise StateError({"patient_id": [_("The patient is in your care already.")]})


@bp.route("/patients/<int:patient_id>/export", methods=["GET"])
@bp.response(200, HisPatientExportOut)
def export_patient(patient_id: int):
    """The patient's data: the customer and every row of the hospital's
    tables that belongs to them (``his.admin`` or ``his.patient.pii``); audited."""
    if not (current_user.can("his.admin") or current_user.can(patients.PII)):
        require("his.admin")
    found = patients.visible_patient(patient_id, current_user)
    return privacy.patient_export(found.customer, current_user)


@bp.route("/break-glass", methods=["GET"])
@bp.response(200, HisGlassGrantOut(many=True))
def list_grants():
    """The break-the-glass grants, unreviewed first, newest first (``his.admin``)."""
    require("his.admin")
    return [_grant(row) for row in privacy.grants_for_review()]


class _Grant:
    """A grant with whether it was reviewed."""

    def __init__(self, grant: Any, reviewed: bool):
        self._grant = grant
        self.reviewed = reviewed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grant, name)


def _grant(row: Any) -> _Grant:
    return _Grant(row[0], row[3] is not None)


@bp.route("/break-glass/<int:grant_id>/review", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisGlassReviewIn}}})
@bp.response(200, HisGlassGrantOut)
def review_grant(grant_id: int):
    """Mark a grant reviewed (``his.admin``); reviewed already is a 409 naming ``grant``."""
    require("his.admin")
    note = json_body().get("note") or ""
    return _Grant(privacy.review_grant(grant_id, current_user, str(note)), True)
