"""Inpatient pages under ``/his``: the Wards list (``his.admin`` adds wards),
a ward's bed board (free, occupied with the patient's name and days in,
reserved, cleaning — a grid that folds to one column on a phone; the
administrator adds beds, a nurse sets a cleaned bed free), the Admissions
list, the admit form and an admission's page with its transfer and
discharge forms and, once discharged, its follow-up plan. A refused input
is shown by its field, nothing saved."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api import Customer, TrellisError, db, form_payload, require, scoped, translator

from ..declarations import DOCTOR
from ..models import Admission, Bed, Department, FollowupPlan, Patient, Ward
from ..services import clinic, inpatient
from .blueprint import bp

_, _l = translator("his")


def bed_state_labels() -> dict[str, str]:
    return {
        "free": _("Free"),
        "occupied": _("Occupied"),
        "reserved": _("Reserved"),
        "cleaning": _("Cleaning"),
    }


def _refused(exc: TrellisError) -> tuple[dict, int]:
    db.session.rollback()
    errors = getattr(exc, "errors", None) or {"_schema": [str(exc)]}
    return errors, getattr(exc, "status", 409)


def _departments() -> list[tuple[int, str]]:
    return [(d.id, d.name) for d in db.session.scalars(clinic.departments_query(True))]


def _wards() -> list[Ward]:
    return list(db.session.scalars(inpatient.wards_query(active_only=True)))


@bp.route("/wards", methods=["GET", "POST"], endpoint="wards")
@login_required
def wards_page():
    """Every ward with its beds by state; the administrator adds a ward."""
    require("his.inpatient.read")
    errors: dict = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        require("his.admin")
        values = form_payload(inpatient.HisWardInput())
        try:
            ward = inpatient.create_ward(values, current_user)
        except TrellisError as exc:
            errors, status = _refused(exc)
        else:
            flash(_("Ward %(name)s saved.", name=ward.name), "success")
            return redirect(url_for(".ward_board", ward_id=ward.id))
    rows = list(db.session.scalars(inpatient.wards_query()))
    return render_template(
        "his/inpatient_wards.html",
        rows=rows,
        counts=inpatient.bed_counts([w.id for w in rows]),
        departments=_departments(),
        values=values,
        errors=errors,
        labels=bed_state_labels(),
    ), status


def _visible_ids(ward: Ward) -> set[int]:
    query = inpatient.visible_admissions(current_user, select(Admission.id)).where(
        Admission.ward_id == ward.id, Admission.status == "admitted"
    )
    return set(db.session.scalars(query))


@bp.route("/wards/<int:ward_id>", methods=["GET", "POST"], endpoint="ward_board")
@login_required
def ward_board(ward_id: int):
    """The bed board of a ward; the administrator adds a bed."""
    require("his.inpatient.read")
    ward = inpatient.get_ward(ward_id)
    errors: dict = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        require("his.admin")
        values = {"ward_id": ward.id, "code": (request.form.get("code") or "").strip() or None}
        try:
            bed = inpatient.create_bed(values, current_user)
        except TrellisError as exc:
            errors, status = _refused(exc)
        else:
            flash(_("Bed %(code)s saved.", code=bed.code), "success")
            return redirect(url_for(".ward_board", ward_id=ward.id))
    return render_template(
        "his/inpatient_board.html",
        ward=ward,
        rows=inpatient.board(ward, _visible_ids(ward)),
        labels=bed_state_labels(),
        values=values,
        errors=errors,
    ), status


@bp.route("/beds/<int:bed_id>/state", methods=["POST"], endpoint="bed_state")
@login_required
def bed_state(bed_id: int):
    """A nurse sets a bed free after cleaning (or reserved, or to cleaning)."""
    require("his.inpatient.write")
    bed = inpatient.get_bed(bed_id)
    try:
        inpatient.set_bed_state(bed, {"state": request.form.get("state")}, current_user)
    except TrellisError as exc:
        errors, _status = _refused(exc)
        flash(" ".join(m for ms in errors.values() for m in ms), "error")
    return redirect(url_for(".ward_board", ward_id=bed.ward_id))


@bp.route("/admissions", endpoint="admissions")
@login_required
def admissions_list():
    """The admissions the user may see: the open ones, or every one (``all``)."""
    require("his.inpatient.read")
    show_all = request.args.get("all") == "1"
    query = inpatient.visible_admissions(current_user)
    if not show_all:
        query = query.where(Admission.status == "admitted")
    query = query.options(  # the list names each row's patient, department and ward
        selectinload(Admission.customer),
        selectinload(Admission.department),
        selectinload(Admission.ward),
    )
    rows = list(db.session.scalars(query.order_by(Admission.admitted_at.desc()).limit(200)))
    return render_template("his/inpatient_admissions.html", rows=rows, show_all=show_all)


def _doctor_choices() -> list[tuple[int, str]]:
    choices = []
    for department in db.session.scalars(clinic.departments_query(True)):
        for user in clinic.staff(department, DOCTOR):
            choices.append((user.id, f"{user.name} · {department.name}"))
    return choices


def _patient_choices() -> list[tuple[int, str]]:
    """The patients the user may see who are not in hospital."""
    admitted = select(Admission.customer_id).where(Admission.status == "admitted")
    query = (
        select(Customer.id, Customer.name, Patient.mrn)
        .join(Patient, Patient.customer_id == Customer.id)
        .where(Customer.id.not_in(admitted))
    )
    rows = db.session.execute(
        scoped(query, Customer, current_user).order_by(Customer.name).limit(300)
    )
    return [(cid, f"{name} · {mrn}") for cid, name, mrn in rows]


def _bed_choices(wards: list[Ward]) -> list[tuple[int, str]]:
    names = {w.id: w.name for w in wards}
    return [(b.id, f"{names.get(b.ward_id, '')} · {b.code}") for b in inpatient.free_beds()]


@bp.route("/admissions/new", methods=["GET", "POST"], endpoint="admit")
@login_required
def admit_form():
    """Admit a patient: from a visit (``visit_id``) or directly."""
    require("his.inpatient.write")
    values: dict = {
        k: request.args.get(k, type=int)
        for k in ("customer_id", "visit_id", "ward_id", "bed_id", "department_id")
    }
    if current_user.role and current_user.role.name == DOCTOR:
        values["doctor_id"] = current_user.id
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = form_payload(inpatient.HisAdmitInput())
        try:
            admission = inpatient.admit(values, current_user)
        except TrellisError as exc:
            errors, status = _refused(exc)
        else:
            flash(_("Admitted: %(number)s.", number=admission.number), "success")
            return redirect(url_for(".admission", admission_id=admission.id))
    wards = _wards()
    return render_template(
        "his/inpatient_admit.html",
        values=values,
        errors=errors,
        patients=_patient_choices(),
        departments=_departments(),
        wards=[(w.id, w.name) for w in wards],
        beds=_bed_choices(wards),
        doctors=_doctor_choices(),
        methods=[(m, m) for m in ("cash", "card", "wechat", "alipay")],
    ), status


def _page(admission: Admission, errors: dict | None = None, status: int = 200):
    plan = (
        db.session.get(FollowupPlan, admission.followup_plan_id)
        if admission.followup_plan_id
        else None
    )
    wards = _wards()
    return render_template(
        "his/inpatient_admission.html",
        admission=admission,
        bed=db.session.get(Bed, admission.bed_id) if admission.bed_id else None,
        ward=db.session.get(Ward, admission.ward_id),
        department=db.session.get(Department, admission.department_id),
        deposits=inpatient.deposits_of(admission),
        days=inpatient.days_in(admission),
        plan=plan,
        beds=_bed_choices(wards),
        errors=errors or {},
    ), status


@bp.route("/admissions/<int:admission_id>", endpoint="admission")
@login_required
def admission_page(admission_id: int):
    require("his.inpatient.read")
    return _page(inpatient.visible_admission(admission_id, current_user))


@bp.route("/admissions/<int:admission_id>/transfer", methods=["POST"], endpoint="transfer")
@login_required
def transfer(admission_id: int):
    require("his.inpatient.write")
    admission = inpatient.visible_admission(admission_id, current_user)
    try:
        inpatient.transfer(admission, form_payload(inpatient.HisTransferInput()), current_user)
    except TrellisError as exc:
        return _page(admission, *_refused(exc))
    flash(_("Transferred."), "success")
    return redirect(url_for(".admission", admission_id=admission.id))


@bp.route("/admissions/<int:admission_id>/discharge", methods=["POST"], endpoint="discharge")
@login_required
def discharge(admission_id: int):
    require("his.inpatient.write")
    admission = inpatient.visible_admission(admission_id, current_user)
    try:
        inpatient.discharge(admission, form_payload(inpatient.HisDischargeInput()), current_user)
    except TrellisError as exc:
        return _page(admission, *_refused(exc))
    flash(_("Discharged."), "success")
    return redirect(url_for(".admission", admission_id=admission.id))
