"""``/api/v1/his/patients``: patients (患者) — register, find in one box,
read, edit, record a death.

Reading needs ``his.patient.read``, writing ``his.patient.write``; every
list and record is the caller's scope (the patient's customer is one they
may see; else 404). The national ID is masked unless the caller holds
``his.patient.pii`` and opens the one patient — each such reading is
audited; lists always mask. The customer's fields the caller's role hides
(phones, address) are left out.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select

from core.api import (
    Customer,
    conceal,
    db,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Patient
from ..schemas.patients import PatientArgs, PatientOut
from ..services import patients, privacy
from .blueprint import bp

SORTS = {
    "mrn": Patient.mrn,
    "name": select(Customer.name).where(Customer.id == Patient.customer_id).scalar_subquery(),
    "birth_date": Patient.birth_date,
    "updated_at": Patient.updated_at,
}
#: the rules across fields the services check (422 naming them)
_IDENTITY = (
    ("national_id", "id_type", "sex", "birth_date"),
    "a resident identity card number (id_type cn_ric, the default) is valid, "
    "held by no other patient, and agrees with sex and birth_date (filled in from it)",
)
_GUARDIAN = (
    ("birth_date", "guardian_name", "guardian_phone"),
    "birth_date is not in the future; a patient under 18 needs guardian_name and guardian_phone",
)
_PHONES = (
    ("phone", "guardian_phone", "emergency_phone"),
    "a phone number libphonenumber knows as valid (read as the instance's country's "
    "without a country code; stored in E.164)",
)
CHANGE_RULES = field_rules(_IDENTITY, _GUARDIAN, _PHONES)
REGISTER_RULES = field_rules(
    _IDENTITY,
    _GUARDIAN,
    _PHONES,
    (
        ("name", "customer_id"),
        "name is required without customer_id; customer_id names a person not yet a patient",
    ),
)
DEATH_RULES = field_rules(
    (("deceased_on",), "no later than today, no earlier than the birth date, recorded once")
)


class _Shown:
    """A patient with what the caller is shown besides its columns."""

    def __init__(self, patient: Patient, national_id: str | None):
        self._patient = patient
        self.shown_national_id = national_id
        customer = db.session.get(Customer, patient.customer_id)
        assert customer is not None
        values = {"name": customer.name, "phones": customer.phones, "address": customer.address}
        self.shown = conceal("customer", values, current_user)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._patient, name)


def _masked(patient: Patient) -> _Shown:
    return _Shown(patient, patients.masked_id(patient))


def _opened(patient: Patient) -> _Shown:
    return _Shown(patient, patients.shown_id(patient, current_user))


@bp.route("/patients", methods=["GET"])
@bp.arguments(sorted_by(PatientArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(PatientOut, "HisPatientPage"))
def list_patients(args):
    """Patients by medical record number; ``q`` finds by a medical record
    number, a national ID or a phone (each exact) or a name."""
    require("his.patient.read")
    query = patients.find_patients(current_user, args.get("q") or "")
    found = paginate(query, args, SORTS, "mrn")
    return found | {"items": [_masked(p) for p in found["items"]]}


@bp.route("/patients", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": patients.PatientInput}}},
    **REGISTER_RULES,
)
@bp.response(201, PatientOut)
def register_patient():
    """Register a patient: a new person (``name``, ``phone``, ``address``),
    or ``customer_id`` an existing customer of kind person; the medical
    record number is given. A national ID another patient holds is a 409
    naming ``national_id``."""
    require("his.patient.write")
    return _masked(patients.register(json_body(), current_user))


@bp.route("/patients/<int:patient_id>", methods=["GET"])
@bp.response(200, PatientOut)
def get_patient(patient_id: int):
    """A patient; the national ID whole for a holder of ``his.patient.pii``
    (audited). Every reading is audited (one entry a minute per reader)."""
    require("his.patient.read")
    found = patients.visible_patient(patient_id, current_user)
    privacy.audit_read(found.customer_id, current_user, "api_patient")
    return _opened(found)


@bp.route("/patients/<int:patient_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": patients.PatientChange}}},
    **CHANGE_RULES,
)
@bp.response(200, PatientOut)
def update_patient(patient_id: int):
    """Change the medical record (``version`` as read: 409 when stale)."""
    require("his.patient.write")
    patient = patients.visible_patient(patient_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return _masked(patients.update(patient, payload, current_user, version))


@bp.route("/patients/<int:patient_id>/deceased", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": patients.DeceasedInput}}}, **DEATH_RULES
)
@bp.response(200, PatientOut)
def mark_deceased(patient_id: int):
    """Record the patient's death (``deceased_on`` no later than today):
    their open follow-ups are closed and no recall comes due for them."""
    require("his.patient.write")
    patient = patients.visible_patient(patient_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return _masked(patients.mark_deceased(patient, payload, current_user, version))
