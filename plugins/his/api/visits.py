"""``/api/v1/his/visits``: outpatient visits (就诊) — list, start one from
a called registration, read, write the record, close, amend a closed one;
``/visits/{id}/diagnoses`` the ICD-10 diagnoses; ``/icd10?q=`` searches
the codes by code or words.

Reading needs ``his.visit.read``, writing ``his.visit.write``. A doctor sees
and writes their department's visits (core's ``scoped``, team scope): another
department's visit is a 404. A closed visit is a 409 for every write but an
amendment."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import fields, validate

from core.api import (
    ValidationError,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Visit
from ..schemas.visits import (
    HisAmendmentOut,
    HisDiagnosisOut,
    HisIcd10Args,
    HisIcd10Out,
    HisVisitArgs,
    HisVisitDetailOut,
    HisVisitOut,
    HisVisitVersionBody,
)
from ..services import privacy, visits
from ..services.visits.inputs import (
    AmendInput,
    DiagnosisAmendInput,
    DiagnosisChange,
    DiagnosisInput,
    RecordInput,
    StartInput,
)
from .blueprint import bp

_, _l = translator("his")


class HisAmendBody(AmendInput):
    """An amendment as the API reads it: the fields and the visit's version read."""

    version = fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "the visit's version you read"},
    )


class HisDiagnosisAmendBody(DiagnosisAmendInput):
    """A diagnosis amendment as the API reads it, with the visit's version read."""

    version = fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "the visit's version you read"},
    )


SORTS = {"visited_at": Visit.visited_at, "closed_at": Visit.closed_at, "id": Visit.id}
FILTERS = ("customer_id", "department_id", "doctor_id", "booking_id", "status")


class VisitDetail:
    """A visit with its diagnoses and amendments, as the detail schema reads it."""

    def __init__(self, visit: Visit):
        self.visit = visit
        self.diagnoses = visits.diagnoses_of(visit)
        self.amendments = visits.amendments_of(visit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.visit, name)


def _version(payload: dict) -> int:
    version = expected_version(payload)
    if version is None:
        raise ValidationError({"version": [_("give the version you read")]})
    return version


def _writable(visit_id: int) -> Visit:
    require("his.visit.write")
    return visits.visible_visit(visit_id, current_user)


@bp.route("/visits", methods=["GET"])
@bp.arguments(sorted_by(HisVisitArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisVisitOut, "HisVisitPage"))
def list_visits(args):
    """Visits the caller may see, latest first; filtered by patient
    (``customer_id``), department, doctor, registration and status."""
    require("his.visit.read")
    query = visits.visible_visits(current_user)
    for key in FILTERS:
        if args.get(key) is not None:
            query = query.where(getattr(Visit, key) == args[key])
    return paginate(query, args, SORTS, "-visited_at")


@bp.route("/visits", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": StartInput}}})
@bp.response(201, HisVisitDetailOut)
@bp.alt_response(200, schema=HisVisitDetailOut, description="the visit started before")
def start_visit():
    """Start the visit of a called registration (it moves to ``seen``).
    One visit per registration: starting again answers the first (200).
    A registration not called is a 409, one the caller cannot see a 404
    naming ``booking_id``."""
    require("his.visit.write")
    visit, new = visits.start_visit(json_body(), current_user)
    return VisitDetail(visit), 201 if new else 200


@bp.route("/visits/<int:visit_id>", methods=["GET"])
@bp.response(200, HisVisitDetailOut)
def get_visit(visit_id: int):
    require("his.visit.read")
    visit = visits.visible_visit(visit_id, current_user)
    privacy.audit_read(visit.customer_id, current_user, f"api visit {visit.id}")
    return VisitDetail(visit)


@bp.route("/visits/<int:visit_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": RecordInput}}})
@bp.response(200, HisVisitDetailOut)
def update_visit(visit_id: int):
    """Write the doctor's record (chief complaint, history, examination,
    summary, follow-up days) of an open visit; ``version`` optional."""
    visit = _writable(visit_id)
    payload = json_body()
    version = expected_version(payload)
    return VisitDetail(visits.update_visit(visit, payload, current_user, version))


@bp.route("/visits/<int:visit_id>/close", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisVisitVersionBody}}})
@bp.response(200, HisVisitDetailOut)
def close_visit(visit_id: int):
    """Close (sign off) the visit: 409 naming ``diagnoses`` without one,
    409 if closed already or the version is stale."""
    visit = _writable(visit_id)
    version = _version(json_body())
    return VisitDetail(visits.close_visit(visit, current_user, version))


@bp.route("/visits/<int:visit_id>/amendments", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisAmendBody}}})
@bp.response(201, HisAmendmentOut)
def amend_visit(visit_id: int):
    """Change a field of a closed visit with a ``reason`` (the old value is
    kept in the amendment); ``version`` the visit's version read."""
    visit = _writable(visit_id)
    payload = json_body()
    version = _version(payload)
    return visits.amend_visit(visit, payload, current_user, version)


@bp.route("/visits/<int:visit_id>/diagnosis-amendments", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": HisDiagnosisAmendBody}}},
    **field_rules(
        (("action", "code"), "adding a diagnosis needs its code"),
        (("action", "diagnosis_id"), "removing or making primary needs diagnosis_id"),
    ),
)
@bp.response(201, HisAmendmentOut)
def amend_diagnoses(visit_id: int):
    """Change a closed visit's diagnoses with a ``reason``: ``add`` a
    ``code``, ``remove`` (never the last) or make ``primary`` the diagnosis
    ``diagnosis_id``; the amendment keeps the diagnoses before and after.
    An open visit is a 409 naming ``action`` (edit its diagnoses instead);
    ``version`` the visit's version read."""
    visit = _writable(visit_id)
    payload = json_body()
    version = _version(payload)
    return visits.amend_diagnoses(visit, payload, current_user, version)


@bp.route("/visits/<int:visit_id>/diagnoses", methods=["GET"])
@bp.response(200, HisDiagnosisOut(many=True))
def list_diagnoses(visit_id: int):
    """The visit's diagnoses, the primary first."""
    require("his.visit.read")
    return visits.diagnoses_of(visits.visible_visit(visit_id, current_user))


@bp.route("/visits/<int:visit_id>/diagnoses", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DiagnosisInput}}})
@bp.response(201, HisDiagnosisOut)
def add_diagnosis(visit_id: int):
    """Add an ICD-10 diagnosis (422 naming ``code`` for a code that does not
    exist or is recorded already); the first is the primary one."""
    visit = _writable(visit_id)
    return visits.add_diagnosis(visit, json_body(), current_user)


@bp.route("/visits/<int:visit_id>/diagnoses/<int:diagnosis_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": DiagnosisChange}}})
@bp.response(200, HisDiagnosisOut)
def update_diagnosis(visit_id: int, diagnosis_id: int):
    """Change the local name, or make the diagnosis primary."""
    visit = _writable(visit_id)
    diagnosis = visits.get_diagnosis(visit, diagnosis_id)
    return visits.update_diagnosis(visit, diagnosis, json_body(), current_user)


@bp.route("/visits/<int:visit_id>/diagnoses/<int:diagnosis_id>", methods=["DELETE"])
@bp.response(204)
def remove_diagnosis(visit_id: int, diagnosis_id: int):
    visit = _writable(visit_id)
    visits.remove_diagnosis(visit, visits.get_diagnosis(visit, diagnosis_id), current_user)


@bp.route("/icd10", methods=["GET"])
@bp.arguments(HisIcd10Args, location="query", as_kwargs=False)
@bp.response(200, HisIcd10Out(many=True))
def search_icd10(args):
    """ICD-10 (WHO 2019) diagnosis codes starting with ``q``, or else whose
    English description holds every word of ``q`` (at most 20)."""
    require("his.visit.read")
    return visits.search_icd10(args["q"])
