"""``/api/v1/his/wards``, ``/beds`` and ``/admissions``: inpatient care,
first slice — wards and beds (``his.admin`` adds them), a bed's state by
hand, admit (with a bed and a deposit), transfer, discharge.

Reading needs ``his.inpatient.read``, writing ``his.inpatient.write``. An
admission out of the caller's scope (core's ``scoped``: the attending
doctor, the department's team) is a 404. Assigning a bed that is not free
is a 409 naming ``bed_id``; a second open admission a 409 naming
``customer_id``."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from core.api import field_rules, json_body, page_schema, paginate, require, sorted_by

from ..models import Admission, Bed, Ward
from ..schemas.inpatient import (
    HisAdmissionArgs,
    HisAdmissionDetailOut,
    HisAdmissionOut,
    HisBedArgs,
    HisBedOut,
    HisWardArgs,
    HisWardDetailOut,
    HisWardOut,
)
from ..services import inpatient
from .blueprint import bp

_DIAGNOSIS = (("diagnosis_code",), "an ICD-10 (WHO 2019) diagnosis code, e.g. I21.9")
_PLACE = (
    ("department_id", "ward_id", "bed_id"),
    "the ward is one of the department's, the bed one of the ward's",
)
WARD_SORTS = {"code": Ward.code, "id": Ward.id}
BED_SORTS = {"code": Bed.code, "id": Bed.id}
SORTS = {"admitted_at": Admission.admitted_at, "id": Admission.id}


@bp.route("/wards", methods=["GET"])
@bp.arguments(sorted_by(HisWardArgs, WARD_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisWardOut, "HisWardPage"))
def list_wards(args):
    require("his.inpatient.read")
    query = inpatient.wards_query()
    if args.get("department_id") is not None:
        query = query.where(Ward.department_id == args["department_id"])
    return paginate(query.order_by(None), args, WARD_SORTS, "code")


@bp.route("/wards", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": inpatient.HisWardInput}}})
@bp.response(201, HisWardDetailOut)
def create_ward():
    """Add a ward to a department (``his.admin``); a code another ward holds is a 409."""
    require("his.admin")
    return inpatient.create_ward(json_body(), current_user)


@bp.route("/wards/<int:ward_id>", methods=["GET"])
@bp.response(200, HisWardDetailOut)
def get_ward(ward_id: int):
    """A ward with its beds in code order."""
    require("his.inpatient.read")
    return inpatient.get_ward(ward_id)


@bp.route("/beds", methods=["GET"])
@bp.arguments(sorted_by(HisBedArgs, BED_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisBedOut, "HisBedPage"))
def list_beds(args):
    require("his.inpatient.read")
    query = select(Bed)
    for key in ("ward_id", "state"):
        if args.get(key) is not None:
            query = query.where(getattr(Bed, key) == args[key])
    return paginate(query, args, BED_SORTS, "code")


@bp.route("/beds", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": inpatient.HisBedInput}}})
@bp.response(201, HisBedOut)
def create_bed():
    """Add a bed to a ward (``his.admin``); its code is unique in the ward (409)."""
    require("his.admin")
    return inpatient.create_bed(json_body(), current_user)


@bp.route("/beds/<int:bed_id>/state", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": inpatient.HisBedStateInput}}})
@bp.response(200, HisBedOut)
def set_bed_state(bed_id: int):
    """Set a bed ``free`` (after cleaning), ``reserved`` or ``cleaning``; an
    occupied bed, or a move its state does not allow, is a 409 naming ``state``."""
    require("his.inpatient.write")
    return inpatient.set_bed_state(inpatient.get_bed(bed_id), json_body(), current_user)


@bp.route("/admissions", methods=["GET"])
@bp.arguments(sorted_by(HisAdmissionArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisAdmissionOut, "HisAdmissionPage"))
def list_admissions(args):
    """Admissions the caller may see, latest first."""
    require("his.inpatient.read")
    query = inpatient.visible_admissions(current_user)
    for key in ("customer_id", "department_id", "ward_id", "doctor_id", "status"):
        if args.get(key) is not None:
            query = query.where(getattr(Admission, key) == args[key])
    return paginate(query, args, SORTS, "-admitted_at")


@bp.route("/admissions", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": inpatient.HisAdmitInput}}},
    **field_rules(_DIAGNOSIS, _PLACE),
)
@bp.response(201, HisAdmissionDetailOut)
def admit():
    """Admit a patient, from an outpatient visit (``visit_id``) or directly,
    with a bed (``bed_id``, free: else a 409 naming it) and a deposit
    (预交金). A patient already admitted is a 409 naming ``customer_id``."""
    require("his.inpatient.write")
    return inpatient.admit(json_body(), current_user)


@bp.route("/admissions/<int:admission_id>", methods=["GET"])
@bp.response(200, HisAdmissionDetailOut)
def get_admission(admission_id: int):
    require("his.inpatient.read")
    return inpatient.visible_admission(admission_id, current_user)


@bp.route("/admissions/<int:admission_id>/transfer", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": inpatient.HisTransferInput}}})
@bp.response(200, HisAdmissionDetailOut)
def transfer(admission_id: int):
    """Move the patient to a free bed of this or another ward (a bed not
    free is a 409 naming ``bed_id``); the bed left goes to cleaning."""
    require("his.inpatient.write")
    admission = inpatient.visible_admission(admission_id, current_user)
    return inpatient.transfer(admission, json_body(), current_user)


@bp.route("/admissions/<int:admission_id>/discharge", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": inpatient.HisDischargeInput}}},
    **field_rules(_DIAGNOSIS),
)
@bp.response(200, HisAdmissionDetailOut)
def discharge(admission_id: int):
    """Discharge with a diagnosis and a note: the bed goes to cleaning and
    the post-discharge follow-up plan (day 7 and day 30) starts. A patient
    discharged already is a 409 naming ``status``."""
    require("his.inpatient.write")
    admission = inpatient.visible_admission(admission_id, current_user)
    return inpatient.discharge(admission, json_body(), current_user)
