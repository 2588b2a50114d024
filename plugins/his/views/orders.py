"""The visit page's Prescriptions and Examinations blocks and the forms
they post: write a draft prescription (a few line rows; blank rows are
skipped), sign it — a reason for each warning — or cancel it; order an
examination, enter its result, cancel it; and the page that imports
results from a CSV. A refused form shows the visit page again with the
errors by field, nothing saved."""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api import (
    ConflictError,
    StaleVersionError,
    ValidationError,
    db,
    form_payload,
    form_version,
    require,
    translator,
)

from ..models import Drug, ExamOrder, Prescription, PrescriptionLine
from ..services import orders
from ..services.orders.inputs import CancelInput, ExamOrderInput, ResultInput
from ..services.visits import visible_visit
from .blueprint import bp
from .visits import VisitSection, render_visit, visit_section

_, _l = translator("his")

#: how many line rows the new prescription form offers
LINE_ROWS = 4
LINE_FIELDS = ("drug_id", "dose", "dose_unit", "route", "frequency", "days", "quantity", "note")
REFUSED = (ValidationError, StaleVersionError, ConflictError)

visit_section(
    VisitSection("prescriptions", _l("Prescriptions"), "his/_visit_prescriptions.html", order=10)
)
visit_section(VisitSection("orders", _l("Examinations"), "his/_visit_orders.html", order=20))


def route_choices() -> list[tuple[str, str]]:
    return [
        ("oral", _("Oral")),
        ("iv", _("Intravenous")),
        ("im", _("Intramuscular")),
        ("sc", _("Subcutaneous")),
        ("topical", _("Topical")),
        ("inhaled", _("Inhaled")),
    ]


def frequency_choices() -> list[tuple[str, str]]:
    return [
        ("qd", _("Once a day (qd)")),
        ("bid", _("Twice a day (bid)")),
        ("tid", _("Three times a day (tid)")),
        ("qid", _("Four times a day (qid)")),
        ("qn", _("At night (qn)")),
        ("prn", _("When needed (prn)")),
    ]


def labels() -> SimpleNamespace:
    return SimpleNamespace(
        prescription={"draft": _("Draft"), "signed": _("Signed"), "cancelled": _("Cancelled")},
        exam={"ordered": _("Ordered"), "resulted": _("Resulted"), "cancelled": _("Cancelled")},
        kinds={"lab": _("Lab test"), "imaging": _("Imaging")},
        warnings={"allergy": _("Allergy"), "duplicate": _("Duplicate drug")},
        flags={
            "normal": _("Normal"),
            "low": _("Low"),
            "high": _("High"),
            "abnormal": _("Abnormal"),
            "critical": _("Critical"),
        },
        routes=dict(route_choices()),
        frequencies=dict(frequency_choices()),
    )


@bp.app_template_global("his_visit_orders")
def visit_orders(visit) -> SimpleNamespace:
    """What the visit page's two blocks show: the visit's prescriptions (a
    draft's warnings), its examination orders, the choices of the forms
    (read once per request: both blocks ask)."""
    cached = g.setdefault("his_visit_orders", {})
    if visit.id not in cached:
        cached[visit.id] = _read_visit_orders(visit)
    return cached[visit.id]


def _read_visit_orders(visit) -> SimpleNamespace:
    prescriptions = db.session.scalars(
        orders.visible_prescriptions(current_user)
        .where(Prescription.visit_id == visit.id)
        .options(
            selectinload(Prescription.lines).selectinload(PrescriptionLine.drug),
            selectinload(Prescription.lines).selectinload(PrescriptionLine.overrides),
        )
        .order_by(Prescription.id)
    ).all()
    exams = db.session.scalars(
        orders.visible_exam_orders(current_user)
        .where(ExamOrder.visit_id == visit.id)
        .order_by(ExamOrder.id)
    ).all()
    open_visit = visit.status == "open" and current_user.can("his.visit.write")
    drugs: list[Drug] = []
    if open_visit:
        drugs = list(
            db.session.scalars(
                select(Drug).where(Drug.active.is_(True)).order_by(Drug.generic_name, Drug.code)
            )
        )
    return SimpleNamespace(
        prescriptions=[(p, orders.warnings_of(p)) for p in prescriptions],
        exams=exams,
        drugs=[(d.id, orders.drug_label(d)) for d in drugs],
        items=[(i.code, f"{i.name_zh or i.name} · {i.price}") for i in orders.exam_items()]
        if open_visit
        else [],
        rows=range(1, LINE_ROWS + 1),
        can_write=open_visit,
        can_cancel=current_user.can("his.visit.write"),
        can_result=current_user.can("his.result.write"),
        routes=route_choices(),
        frequencies=frequency_choices(),
        labels=labels(),
    )


def _number(text: str | None):
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else (text or None)


def posted_lines() -> list[dict]:
    """The filled line rows of the prescription form, as the API's lines."""
    lines = []
    for n in range(1, LINE_ROWS + 1):
        row = {name: request.form.get(f"{name}-{n}", "").strip() for name in LINE_FIELDS}
        if not row["drug_id"]:
            continue
        for name in ("drug_id", "days", "quantity"):
            row[name] = _number(row[name])
        lines.append({k: v for k, v in row.items() if v not in ("", None) or k == "note"})
    return lines


def _refused(visit_id: int, exc: Exception, form: str):
    """The visit page again with the errors (a stale write: a message)."""
    db.session.rollback()
    visit = visible_visit(visit_id, current_user)
    if isinstance(exc, ValidationError):
        values = {"form": form, **request.form.to_dict()}
        return render_visit(visit, exc.errors, exc.status, values=values)
    if isinstance(exc, StaleVersionError):
        flash(_("Someone else changed this record meanwhile; look again and retry."), "error")
    else:
        flash(str(exc), "error")
    return _back(visit_id, form)


def _back(visit_id: int, form: str):
    anchor = "section-orders" if form.startswith("exam") else "section-prescriptions"
    return redirect(url_for(".visit", visit_id=visit_id, _anchor=anchor))


@bp.route("/visits/<int:visit_id>/prescriptions", methods=["POST"], endpoint="new_prescription")
@login_required
def new_prescription(visit_id: int):
    """Write a draft prescription in the visit."""
    require("his.visit.write")
    payload = {"visit_id": visit_id, "lines": posted_lines()}
    if request.form.get("note", "").strip():
        payload["note"] = request.form["note"]
    try:
        _made, warnings = orders.create_prescription(payload, current_user)
    except REFUSED as exc:
        return _refused(visit_id, exc, "prescription")
    if warnings:
        flash(_("Draft saved with warnings: give a reason for each to sign it."), "error")
    else:
        flash(_("Draft prescription saved."), "success")
    return _back(visit_id, "prescription")


def _overrides(prescription: Prescription) -> list[dict]:
    """The reasons the sign form gives, one per warning shown."""
    given = []
    for warning in orders.warnings_of(prescription):
        reason = request.form.get(f"reason-{warning.line_id}-{warning.kind}", "").strip()
        if reason:
            given.append({"line_id": warning.line_id, "kind": warning.kind, "reason": reason})
    return given


@bp.route(
    "/prescriptions/<int:prescription_id>/sign", methods=["POST"], endpoint="sign_prescription"
)
@login_required
def sign_prescription(prescription_id: int):
    """Sign a draft, with a reason for each warning."""
    require("his.visit.write")
    prescription = orders.visible_prescription(prescription_id, current_user)
    visit_id = prescription.visit_id
    try:
        payload = {"overrides": _overrides(prescription)}
        orders.sign_prescription(prescription, payload, current_user, form_version())
    except REFUSED as exc:
        return _refused(visit_id, exc, f"sign-{prescription_id}")
    flash(_("Prescription %(number)s signed.", number=prescription.number), "success")
    return _back(visit_id, "prescription")


@bp.route(
    "/prescriptions/<int:prescription_id>/cancel", methods=["POST"], endpoint="cancel_prescription"
)
@login_required
def cancel_prescription(prescription_id: int):
    require("his.visit.write")
    prescription = orders.visible_prescription(prescription_id, current_user)
    visit_id = prescription.visit_id
    try:
        orders.cancel_prescription(
            prescription, form_payload(CancelInput()), current_user, form_version()
        )
    except REFUSED as exc:
        return _refused(visit_id, exc, f"rxcancel-{prescription_id}")
    flash(_("Prescription %(number)s cancelled.", number=prescription.number), "success")
    return _back(visit_id, "prescription")


@bp.route("/visits/<int:visit_id>/exam-orders", methods=["POST"], endpoint="new_exam_order")
@login_required
def new_exam_order(visit_id: int):
    """Order an examination in the visit."""
    require("his.visit.write")
    payload = {**form_payload(ExamOrderInput()), "visit_id": visit_id}
    try:
        made = orders.place_order(payload, current_user)
    except REFUSED as exc:
        return _refused(visit_id, exc, "exam")
    flash(_("%(item)s ordered.", item=made.item_name), "success")
    return _back(visit_id, "exam")


@bp.route("/exam-orders/<int:exam_order_id>/result", methods=["POST"], endpoint="exam_result")
@login_required
def exam_result(exam_order_id: int):
    """Enter an examination's result."""
    require("his.result.write")
    order = orders.visible_exam_order(exam_order_id, current_user)
    visit_id = order.visit_id
    try:
        orders.enter_result(order, form_payload(ResultInput()), current_user, form_version())
    except REFUSED as exc:
        return _refused(visit_id, exc, f"exam-result-{exam_order_id}")
    flash(_("Result of %(item)s saved.", item=order.item_name), "success")
    return _back(visit_id, "exam")


@bp.route("/exam-orders/<int:exam_order_id>/cancel", methods=["POST"], endpoint="cancel_exam")
@login_required
def cancel_exam(exam_order_id: int):
    require("his.visit.write")
    order = orders.visible_exam_order(exam_order_id, current_user)
    visit_id = order.visit_id
    try:
        orders.cancel_order(order, form_payload(CancelInput()), current_user, form_version())
    except REFUSED as exc:
        return _refused(visit_id, exc, f"exam-cancel-{exam_order_id}")
    flash(_("%(item)s cancelled.", item=order.item_name), "success")
    return _back(visit_id, "exam")


@bp.route("/exam-orders/import", methods=["GET", "POST"], endpoint="import_results")
@login_required
def import_results():
    """Upload a CSV of results: all rows entered, or none and the bad ones listed."""
    require("his.result.write")
    errors: dict = {}
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            if not data.strip():
                raise ValidationError({"file": [_("Choose a CSV file.")]})
            done = orders.import_results(data, current_user)
        except ValidationError as exc:
            db.session.rollback()
            errors, status = exc.errors, exc.status
        else:
            flash(_("Results entered: %(count)d.", count=len(done)), "success")
            return redirect(url_for(".import_results"))
    rows = errors.get("rows") if isinstance(errors.get("rows"), dict) else {}
    return render_template("his/exam_results_import.html", errors=errors, rows=rows), status
