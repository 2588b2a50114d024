"""Registering a patient, editing the record, recording a death.

"A person first, then a patient": registering makes the customer of kind
person — name, phone and address, owner and team — and the patient row
beside it in one transaction (or gives an existing person customer its
record). The record gets its medical record number (病历号) from core's
numbering (``MR{yyyy}{seq:06}``: ``MR2026000001``), unique. Every refusal
names its field and writes nothing; a stale ``version`` is a 409.

Recording a death (date no later than today, no earlier than the birth)
closes the patient's open follow-ups — every open task a follow-up plan made
on the customer, whichever rule — and the plugin's recall rule skips the
patient from then on (``recalls.py``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (
    Activity,
    Customer,
    NotFoundError,
    TakenError,
    User,
    audit,
    check_version,
    complete_task,
    create_customer,
    db,
    emit,
    load,
    log_activity,
    next_number,
    refuse,
    save,
    snapshot,
    transaction,
    translator,
    visible_customer,
)

from ...models import Patient
from .identity import check_guardian, check_identity, today
from .inputs import DeceasedInput, PatientChange, PatientInput

_, _l = translator("his")

#: the medical record number's sequence and pattern (core's numbering)
MRN_SEQUENCE = "his.patient"
MRN_PATTERN = "MR{yyyy}{seq:06}"
#: the timeline entry of a change to the medical record
KIND = "patient_record"
#: what a follow-up task closed by a death records as its outcome
DECEASED_OUTCOME = "deceased"
_PERSON = ("name", "phone", "address", "owner_id", "team_id", "customer_id")


def _existing_person(customer_id: int, actor: User | None) -> tuple[Customer | None, dict]:
    """The customer to register, or why not, by kind of refusal."""
    try:
        customer = visible_customer(customer_id, actor)
    except NotFoundError:
        return None, {"missing": {"customer_id": [_("no customer with this id")]}}
    if customer.kind.value != "person":
        return None, {"invalid": {"customer_id": [_("only a person can be a patient")]}}
    held = db.session.scalar(select(Patient.mrn).where(Patient.customer_id == customer.id))
    if held is not None:
        return None, {"taken": {"customer_id": [_("this person is already a patient")]}}
    return customer, {}


def register(payload: dict, actor: User | None) -> Patient:
    """Register a patient (a new person, or ``customer_id`` an existing one
    the actor may see); fires ``his_patient_registered`` after the commit."""
    data = load(PatientInput(), payload)
    person = {k: data.pop(k) for k in _PERSON if k in data}
    customer: Customer | None = None
    problems: dict[str, dict[str, list[str]]] = {}
    if person.get("customer_id"):
        customer, problems = _existing_person(person["customer_id"], actor)
    elif not person.get("name"):
        problems = {"invalid": {"name": [_("give the patient's name")]}}
    invalid, taken = check_identity(data, None)
    invalid |= check_guardian(data, None) | problems.get("invalid", {})
    refuse(invalid, missing=problems.get("missing"), taken=taken | problems.get("taken", {}))
    try:
        with transaction():
            if customer is None:
                customer = _new_person(person, actor)
            patient = Patient(customer_id=customer.id, mrn=next_number(MRN_SEQUENCE, MRN_PATTERN))
            patient.sex = "U"
            for key, value in data.items():
                setattr(patient, key, value)
            db.session.add(patient)
            db.session.flush()
            audit(actor, patient, "create", None, snapshot(patient))
            _log(
                patient,
                actor,
                _("Registered as a patient: medical record %(mrn)s", mrn=patient.mrn),
            )
            emit("his_patient_registered", patient=patient)
    except IntegrityError as exc:  # another desk wrote the same number meanwhile
        raise conflict(exc) from None
    return patient


def conflict(exc: IntegrityError) -> TakenError:
    """The 409 naming the field whose unique index refused a write that a
    concurrent one beat between the check and the insert (the transaction
    is rolled back: nothing of this write stays)."""
    message = str(exc.orig).lower()
    if "national_id" in message:
        return TakenError({"national_id": [_("another patient holds this national ID")]})
    if "customer_id" in message:
        return TakenError({"customer_id": [_("this person is already a patient")]})
    if "mrn" in message:
        return TakenError(
            {"mrn": [_("this medical record number was just given to another patient; try again")]}
        )
    raise exc


def _new_person(person: dict, actor: User | None) -> Customer:
    """The customer of kind person a new patient is (core's customer service)."""
    owner = person.get("owner_id") or (actor.id if actor is not None else None)
    return create_customer(
        {
            "name": person["name"],
            "kind": "person",
            "stage": "customer",
            "phones": [person["phone"]] if person.get("phone") else [],
            "address": person.get("address"),
            "owner_id": owner,
            "team_id": person.get("team_id"),
        },
        actor,
    ).customer


def _log(patient: Patient, actor: User | None, subject: str) -> None:
    log_activity(
        {"kind": KIND, "subject": subject[:200], "customer_id": patient.customer_id}, actor
    )


def update(
    patient: Patient, payload: dict, actor: User | None, expected_version: int | None = None
) -> Patient:
    """Change the medical record (the identity checked again); a stale
    ``expected_version`` is a 409 with nothing written."""
    data = load(PatientChange(), payload)
    invalid, taken = check_identity(data, patient)
    refuse(invalid | check_guardian(data, patient), taken=taken)
    check_version(patient, expected_version)
    try:
        return save(Patient, patient, data, actor)
    except IntegrityError as exc:  # another desk wrote the same number meanwhile
        raise conflict(exc) from None


def mark_deceased(
    patient: Patient, payload: dict, actor: User | None, expected_version: int | None = None
) -> Patient:
    """Record the patient's death, close their open follow-up tasks and stop
    their follow-up plans."""
    data = load(DeceasedInput(), payload)
    day = data["deceased_on"]
    if patient.deceased:
        refuse(state={"deceased_on": [_("this patient's death is already recorded")]})
    if day > today():
        refuse({"deceased_on": [_("the day of death cannot be in the future")]})
    if patient.birth_date is not None and day < patient.birth_date:
        refuse({"deceased_on": [_("the day of death cannot be before the birth date")]})
    check_version(patient, expected_version)
    with transaction():
        before = snapshot(patient)
        patient.deceased, patient.deceased_on = True, day
        db.session.flush()
        audit(actor, patient, "deceased", before, snapshot(patient))
        for task in open_followups(patient.customer_id):
            complete_task(task, actor, outcome=DECEASED_OUTCOME)
        from ..followup import stop_plans_of_deceased  # follow-up builds on patients

        stop_plans_of_deceased(patient.customer_id, actor)
        _log(patient, actor, _("Deceased on %(day)s", day=day.isoformat()))
    return patient


def open_followups(customer_id: int) -> list[Activity]:
    """The open tasks follow-up plans made on the customer (any rule)."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.customer_id == customer_id,
                Activity.plan_id.is_not(None),
                Activity.due_at.is_not(None),
                Activity.done_at.is_(None),
                Activity.deleted_at.is_(None),
            )
            .order_by(Activity.id)
        )
    )


__all__ = ["conflict", "mark_deceased", "open_followups", "register", "update"]
