"""Patient pages under ``/his``: the Patients list with its one search box
(a medical record number, a national ID, a phone or a name), the Register
patient form (a new person, or ``?customer_id=`` an existing person — the
customer page's "Register as patient"), the medical record as the customer
page's Medical record tab (the national ID masked; a holder of
``his.patient.pii`` may show it whole, audited; every reading of the tab
audited, see ``services.privacy``), and the forms that edit
the record and record a death. A refused input is shown by its field,
nothing saved."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Customer,
    StaleVersionError,
    Team,
    User,
    ValidationError,
    db,
    form_payload,
    form_version,
    hidden_fields,
    list_page,
    list_sort,
    require,
    translator,
    visible_customer,
)

from ..models import Patient
from ..services import patients, privacy
from ..services.patients.find import outside_care
from .blueprint import bp

_, _l = translator("his")

LIST_SIZE = 50  # patients on a page of the list
PATIENT_SORTS = {
    "mrn": Patient.mrn,
    "name": select(Customer.name).where(Customer.id == Patient.customer_id).scalar_subquery(),
    "birth_date": Patient.birth_date,
}
#: the record's fields the edit form shows (the number is typed again, or left as it is)
RECORD_FIELDS = tuple(patients.PatientChange().fields)
#: the customer's fields the register form writes, by the customer field that hides them
PERSON_FIELDS = {"phones": "phone", "address": "address"}


def sex_labels() -> dict[str, str]:
    return {"F": _("Female"), "M": _("Male"), "U": _("Unknown")}


def id_type_labels() -> dict[str, str]:
    return {"cn_ric": _("Resident identity card"), "passport": _("Passport"), "other": _("Other")}


def masked_inputs() -> set[str]:
    """The register form's person fields the user's role hides (never shown, never written)."""
    hidden = hidden_fields(current_user, "customer")
    return {field for source, field in PERSON_FIELDS.items() if source in hidden}


def care_choices() -> dict[str, list[tuple[int, str]]]:
    """The departments (teams) and clinicians (active users who may read
    visits) a new patient may be put in the care of."""
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None)).order_by(User.name)
    )
    return {
        "teams": [(t.id, t.name) for t in teams],
        "clinicians": [(u.id, u.name) for u in users if u.can("his.visit.read")][:500],
    }


def medical_record_query(customer_id: int):
    """The customer's medical record: the tab is listed when it finds one
    (the customer page has checked the customer is in the user's scope)."""
    return select(Patient.id).where(Patient.customer_id == customer_id)


@bp.route("/patients", endpoint="patients")
@login_required
def patients_list():
    """Patients the user may see, by medical record number (or sorted by a
    column), 50 a page; the one box finds by number, ID, phone or name."""
    require("his.patient.read")
    q = request.args.get("q", "").strip()[:100]
    sort, order = list_sort(PATIENT_SORTS, (Patient.mrn, Patient.id), Patient.id)
    page = list_page()
    rows = db.session.scalars(
        patients.find_patients(current_user, q)
        .options(joinedload(Patient.customer))
        .order_by(*order)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    return render_template(
        "his/patients.html",
        outside=outside_care(q, current_user) if privacy.may_break_glass(current_user) else [],
        rows=rows[:LIST_SIZE],
        phones_hidden="phones" in hidden_fields(current_user, "customer"),
        masked_id=patients.masked_id,
        sexes=sex_labels(),
        q=q,
        filters={"q": q} if q else {},
        sort=sort,
        page=page,
        more=len(rows) > LIST_SIZE,
    )


def _form_values(posted: dict) -> dict:
    """Posted values as the form shows them again (lists one entry a line)."""
    return {
        k: "\n".join(v) if isinstance(v, list) else v for k, v in posted.items() if v is not None
    }


@bp.route("/patients/new", methods=["GET", "POST"])
@login_required
def register_patient():
    """Register a patient: a new person, or (``?customer_id=``) an existing
    person the user may see."""
    require("his.patient.write")
    person = None
    if request.args.get("customer_id"):
        person = visible_customer(request.args.get("customer_id", type=int) or 0, current_user)
    masked = masked_inputs()
    values: dict = {}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        posted = form_payload(patients.PatientInput())
        for name in masked:
            posted.pop(name, None)
        if person is not None:
            posted = {k: v for k, v in posted.items() if k not in ("name", "phone", "address")}
            posted["customer_id"] = person.id
        try:
            made = patients.register(posted, current_user)
        except ValidationError as exc:  # 422 by field, 404 / 409 naming the field
            db.session.rollback()
            values, errors, status = _form_values(posted), exc.errors, exc.status
        else:
            flash(_("Patient registered: medical record %(mrn)s.", mrn=made.mrn), "success")
            return redirect(_record_url(made.customer_id))
    return render_template(
        "his/patients_new.html",
        person=person,
        values=values,
        errors=errors,
        masked=masked,
        care=care_choices(),
        sexes=list(sex_labels().items()),
        id_types=list(id_type_labels().items()),
    ), status


def _record_url(customer_id: int, **args) -> str:
    return url_for("customers.detail", customer_id=customer_id, tab="medical-record", **args)


@bp.route("/patients/<int:patient_id>/edit", methods=["GET", "POST"])
@login_required
def edit_patient(patient_id: int):
    """Change the medical record (an empty national ID leaves the number as it is)."""
    require("his.patient.write")
    found = patients.visible_patient(patient_id, current_user)
    values = _form_values({f: getattr(found, f) for f in RECORD_FIELDS if f != "national_id"})
    errors: dict = {}
    status = 200
    if request.method == "POST":
        posted = form_payload(patients.PatientChange())
        if not posted.get("national_id"):
            posted.pop("national_id", None)  # left empty: the number stays as it is
        try:
            patients.update(found, dict(posted), current_user, form_version())
        except ValidationError as exc:
            db.session.rollback()
            values, errors, status = _form_values(posted), exc.errors, exc.status
        except StaleVersionError:
            db.session.rollback()
            flash(_("Someone else changed this record meanwhile; look again and retry."), "error")
            return redirect(url_for(".edit_patient", patient_id=found.id))
        else:
            flash(_("Saved."), "success")
            return redirect(_record_url(found.customer_id))
    return render_template(
        "his/patients_edit.html",
        patient=found,
        values=values,
        errors=errors,
        masked_national_id=patients.masked_id(found),
        sexes=list(sex_labels().items()),
        id_types=list(id_type_labels().items()),
    ), status


@bp.route("/patients/<int:patient_id>/deceased", methods=["GET", "POST"])
@login_required
def patient_deceased(patient_id: int):
    """Record the patient's death: their open follow-ups are closed."""
    require("his.patient.write")
    found = patients.visible_patient(patient_id, current_user)
    values: dict = {"deceased_on": patients.today().isoformat()}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(patients.DeceasedInput())
        try:
            patients.mark_deceased(found, dict(values), current_user, form_version())
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        except StaleVersionError:
            db.session.rollback()
            flash(_("Someone else changed this record meanwhile; look again and retry."), "error")
            return redirect(url_for(".patient_deceased", patient_id=found.id))
        else:
            flash(_("The death is recorded; the patient's follow-ups are closed."), "success")
            return redirect(_record_url(found.customer_id))
    return render_template(
        "his/patients_deceased.html",
        patient=found,
        open_followups=len(patients.open_followups(found.customer_id)),
        values=values,
        errors=errors,
    ), status


@bp.route("/customers/<int:customer_id>/medical-record")
@login_required
def customer_patient(customer_id: int):
    """The Medical record tab (``?show=national_id``: the number whole,
    audited, for a holder of ``his.patient.pii``)."""
    if not current_user.can("his.patient.read"):
        abort(404)
    customer = visible_customer(customer_id, current_user)
    found = patients.patient_of(customer.id)
    if found is None:  # not (yet) a patient: say so, and offer to register a person
        return render_template(
            "his/_customer_not_patient.html",
            customer=customer,
            may_register=current_user.can("his.patient.write") and customer.kind.value == "person",
        )
    shown = request.args.get("show") == "national_id" and current_user.can(patients.PII)
    privacy.audit_read(customer.id, current_user, "medical_record")
    return render_template(
        "his/_customer_patient.html",
        grant=privacy.active_grant(customer.id, current_user),
        grant_until=privacy.grant_until,
        may_export=current_user.can("his.admin") or current_user.can(patients.PII),
        patient=found,
        national_id=patients.shown_id(found, current_user) if shown else patients.masked_id(found),
        disclosed=shown and found.national_id is not None,
        may_disclose=current_user.can(patients.PII) and found.national_id is not None,
        show_url=_record_url(customer.id, show="national_id"),
        age=patients.age_on(found.birth_date, patients.today()) if found.birth_date else None,
        sexes=sex_labels(),
        id_types=id_type_labels(),
    )
