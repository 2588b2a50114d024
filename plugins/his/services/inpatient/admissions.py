"""Admissions (入院): admit, transfer between beds and wards, discharge (出院).

A patient has at most one open admission: a second is a 409 naming
``customer_id`` (the check, and a partial unique index for two clerks at
once). Assigning a bed that is not free is a 409 naming ``bed_id`` — also
when another nurse took it between the check and the write (the bed is
taken with a conditional UPDATE, see :func:`.wards.take_bed`). The bed a
patient leaves goes to ``cleaning``. Discharge records the diagnosis and
note and starts the post-discharge follow-up plan (day 7 and day 30) of
the department's discharge template, through the same plans and core
follow-up engine as the outpatient follow-up. Admission and discharge
land on the patient's timeline; ``his_patient_admitted`` and
``his_patient_discharged`` fire after the commit."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    NotFoundError,
    StateError,
    User,
    audit,
    customer_for,
    db,
    emit,
    instance_currency,
    load,
    log_activity,
    next_number,
    refuse,
    scoped,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Admission, Bed, Department, Deposit, Patient, Ward
from ..visits import visible_visit
from ..visits.icd10 import describe, normalize
from .followup import discharge_plan
from .inputs import HisAdmitInput, HisDischargeInput, HisTransferInput
from .wards import release_bed, take_bed

_, _l = translator("his")

NUMBER_PATTERN = "ZY{yyyy}{mm}{dd}-{seq:04}"
Errors = dict[str, list[str]]


def visible_admissions(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every admission) in ``user``'s scope: the
    attending doctor their own, a department's doctors and nurses (team
    scope) their department's, the roles that see all every one."""
    query = select(Admission) if query is None else query
    return scoped(query, Admission, user, owner_attr="doctor_id", customer_attr="customer_id")


def visible_admission(admission_id: int, user: User | None) -> Admission:
    found = db.session.scalar(visible_admissions(user).where(Admission.id == admission_id))
    if found is None:
        raise NotFoundError(_("admission %(id)s not found", id=admission_id))
    return found


def open_admission(customer_id: int) -> Admission | None:
    return db.session.scalar(
        select(Admission).where(
            Admission.customer_id == customer_id, Admission.status == "admitted"
        )
    )


def deposits_of(admission: Admission) -> list[Deposit]:
    query = select(Deposit).where(Deposit.admission_id == admission.id).order_by(Deposit.id)
    return list(db.session.scalars(query))


def _diagnosis(raw: str, field: str) -> tuple[str, str]:
    description = describe(raw)
    if description is None:
        refuse({field: [_("not an ICD-10 diagnosis code")]})
    assert description is not None
    return normalize(raw), description


def _check_bed(bed_id: int | None, ward_id: int, errors: tuple[Errors, Errors, Errors]) -> None:
    invalid, missing, state = errors
    if bed_id is None:
        return
    bed = db.session.get(Bed, bed_id)
    if bed is None:
        missing["bed_id"] = [_("no bed with this id")]
    elif bed.ward_id != ward_id:
        invalid["bed_id"] = [_("this bed is not in the ward")]
    elif bed.state != "free":
        state["bed_id"] = [_("this bed is not free")]


def _check_admit(data: dict, actor: User | None) -> None:
    invalid: Errors = {}
    missing: Errors = {}
    state: Errors = {}
    customer_id = data["customer_id"]
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))
    if customer_for(customer_id, actor) is None or patient is None:
        missing["customer_id"] = [_("no patient with this id")]
    elif patient.deceased:
        state["customer_id"] = [_("the patient is deceased")]
    if db.session.get(Department, data["department_id"]) is None:
        missing["department_id"] = [_("no department with this id")]
    ward = db.session.get(Ward, data["ward_id"])
    if ward is None:
        missing["ward_id"] = [_("no ward with this id")]
    elif ward.department_id != data["department_id"]:
        invalid["ward_id"] = [_("this ward is not of the department")]
    else:
        _check_bed(data.get("bed_id"), ward.id, (invalid, missing, state))
    doctor = db.session.get(User, data["doctor_id"])
    if doctor is None or not doctor.is_active:
        missing["doctor_id"] = [_("no user with this id")]
    if data.get("visit_id") is not None:
        try:
            visit = visible_visit(data["visit_id"], actor) if actor else None
        except NotFoundError:
            visit = None
        if actor is not None and (visit is None or visit.customer_id != customer_id):
            missing["visit_id"] = [_("no visit of this patient with this id")]
    if describe(data["diagnosis_code"]) is None:
        invalid["diagnosis_code"] = [_("not an ICD-10 diagnosis code")]
    if not missing and open_admission(customer_id) is not None:
        state["customer_id"] = [_("the patient is already admitted")]
    refuse(missing=missing)  # a record that is not there: 404, then
    refuse(invalid)  # values that do not fit together: 422 naming only them, then
    refuse(state=state)  # what the stored records do not allow: 409


def _taken(bed_id: int, admission: Admission) -> None:
    if not take_bed(bed_id, admission.id):  # another nurse took it meanwhile
        raise StateError({"bed_id": [_("this bed is not free")]})
    admission.bed_id = bed_id


def admit(payload: dict, actor: User | None) -> Admission:
    """Admit a patient (``his.inpatient.write``); with ``bed_id`` the bed is
    assigned, with ``deposit`` a deposit of that amount is recorded."""
    data = load(HisAdmitInput(), payload)
    _check_admit(data, actor)
    code, name = _diagnosis(data["diagnosis_code"], "diagnosis_code")
    department = db.session.get(Department, data["department_id"])
    assert department is not None
    now = utcnow()
    try:
        with transaction():
            admission = Admission(
                number=next_number("his.admission", NUMBER_PATTERN),
                customer_id=data["customer_id"],
                visit_id=data.get("visit_id"),
                department_id=department.id,
                ward_id=data["ward_id"],
                doctor_id=data["doctor_id"],
                team_id=department.team_id,
                status="admitted",
                admitted_at=data.get("admitted_at") or now,
                diagnosis_code=code,
                diagnosis_name=name[:300],
            )
            db.session.add(admission)
            db.session.flush()
            if data.get("bed_id") is not None:
                _taken(data["bed_id"], admission)
            if data.get("deposit") is not None:
                _deposit(admission, data["deposit"], data["deposit_method"], actor)
            db.session.flush()
            audit(actor, admission, "create", None, snapshot(admission))
            _timeline(admission, _("Admitted: %(diagnosis)s", diagnosis=_label(admission)), actor)
            emit("his_patient_admitted", admission=admission)
    except IntegrityError:  # another clerk admitted the patient meanwhile
        raise StateError({"customer_id": [_("the patient is already admitted")]}) from None
    return admission


def _label(admission: Admission, discharge: bool = False) -> str:
    if discharge:
        return f"{admission.discharge_code} {admission.discharge_name}"
    return f"{admission.diagnosis_code} {admission.diagnosis_name}"


def _timeline(admission: Admission, subject: str, actor: User | None) -> None:
    log_activity(
        {
            "kind": "visit_record",
            "subject": subject[:200],
            "customer_id": admission.customer_id,
            "link_type": "his_admission",
            "link_id": admission.id,
        },
        actor,
    )


def _deposit(admission: Admission, amount: Decimal, method: str, actor: User | None) -> Deposit:
    deposit = Deposit(
        admission_id=admission.id,
        customer_id=admission.customer_id,
        amount=amount,
        currency=instance_currency(),
        method=method,
        received_at=utcnow(),
        received_by_id=actor.id if actor else None,
    )
    db.session.add(deposit)
    db.session.flush()
    audit(actor, deposit, "create", None, snapshot(deposit))
    return deposit


def _ensure_admitted(admission: Admission) -> None:
    if admission.status != "admitted":
        refuse(state={"status": [_("the patient has been discharged")]})


def transfer(admission: Admission, payload: dict, actor: User | None) -> Admission:
    """Move the patient to a free bed of any ward (its department follows the
    ward); the bed left goes to cleaning."""
    data = load(HisTransferInput(), payload)
    _ensure_admitted(admission)
    bed = db.session.get(Bed, data["bed_id"])
    if bed is None:
        refuse(missing={"bed_id": [_("no bed with this id")]})
    assert bed is not None
    if bed.state != "free":
        refuse(state={"bed_id": [_("this bed is not free")]})
    ward = db.session.get(Ward, bed.ward_id)
    assert ward is not None
    department = db.session.get(Department, ward.department_id)
    before = snapshot(admission)
    with transaction():
        old = admission.bed_id
        _taken(bed.id, admission)
        if old is not None:
            release_bed(old, admission.id)
        admission.ward_id = ward.id
        if department is not None:
            admission.department_id, admission.team_id = department.id, department.team_id
        db.session.flush()
        audit(actor, admission, "transfer", before, snapshot(admission))
    return admission


def discharge(admission: Admission, payload: dict, actor: User | None) -> Admission:
    """Discharge: the diagnosis and note recorded, the bed to cleaning, the
    post-discharge follow-up plan started."""
    data = load(HisDischargeInput(), payload)
    _ensure_admitted(admission)
    code, name = _diagnosis(data["diagnosis_code"], "diagnosis_code")
    before = snapshot(admission)
    with transaction():
        admission.status = "discharged"
        admission.discharged_at = utcnow()
        admission.discharged_by_id = actor.id if actor else None
        admission.discharge_code, admission.discharge_name = code, name[:300]
        admission.discharge_note = (data.get("note") or "").strip() or None
        if admission.bed_id is not None:
            release_bed(admission.bed_id, admission.id)
        plan = discharge_plan(admission, actor)
        admission.followup_plan_id = plan.id if plan is not None else None
        db.session.flush()
        audit(actor, admission, "discharge", before, snapshot(admission))
        subject = _("Discharged: %(diagnosis)s", diagnosis=_label(admission, discharge=True))
        _timeline(admission, subject, actor)
        emit("his_patient_discharged", admission=admission)
    return admission


def days_in(admission: Admission) -> int:
    """Days in hospital, the day of admission counting as the first."""
    end = admission.discharged_at or utcnow()
    return (end - admission.admitted_at).days + 1
