"""Prescriptions (处方): written as a draft in an open visit, signed or
cancelled.

Saving a draft checks every line's drug (in the formulary and active) and
answers the warnings (:mod:`.warnings`); signing recomputes them and is
refused (422 naming ``overrides``) unless each has the doctor's override
with a reason — the overrides are stored with the line, who and when. A
signed prescription's lines become charges (billing, source
``prescription``); cancelling it voids them, refused once paid. Every write
is one transaction, audited."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import (
    StateError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    log_activity,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Drug, Prescription, PrescriptionLine, RxOverride, Visit
from ..billing import ChargeLine, add_charges, void_charges
from ..visits import ensure_open, visible_visit
from .inputs import CancelInput, PrescriptionChange, PrescriptionInput, SignInput
from .warnings import RxWarning, compute_warnings, drug_label

_, _l = translator("his")

SOURCE = "prescription"
NUMBER_PATTERN = "RX{yyyy}{mm}{dd}-{seq:04}"


def _drugs(lines: list[dict]) -> dict[int, Drug]:
    """The lines' drugs; naming ``lines``, a 404 for one not in the
    formulary, a 409 for one no longer in use."""
    ids = {line["drug_id"] for line in lines}
    drugs = {d.id: d for d in db.session.scalars(select(Drug).where(Drug.id.in_(ids)))}
    missing, inactive = [], []
    for n, line in enumerate(lines, start=1):
        drug = drugs.get(line["drug_id"])
        if drug is None:
            missing.append(_("line %(line)s: no drug with this id in the formulary", line=n))
        elif not drug.active:
            inactive.append(_("line %(line)s: this drug is no longer in use", line=n))
    refuse(
        missing={"lines": missing} if missing else None,
        state={"lines": inactive} if inactive else None,
    )
    return drugs


def _write_lines(prescription: Prescription, lines: list[dict], drugs: dict[int, Drug]) -> None:
    prescription.lines.clear()
    db.session.flush()
    for position, values in enumerate(lines, start=1):
        drug = drugs[values["drug_id"]]
        prescription.lines.append(
            PrescriptionLine(position=position, unit_price=drug.price, drug=drug, **values)
        )
    db.session.flush()


def _open_visit(visit: Visit) -> None:
    ensure_open(visit)


def create_prescription(payload: dict, actor: User | None) -> tuple[Prescription, list[RxWarning]]:
    """A draft prescription in an open visit ``actor`` sees (404 otherwise);
    answers it with its warnings."""
    data = load(PrescriptionInput(), payload)
    visit = visible_visit(data["visit_id"], actor)
    _open_visit(visit)
    drugs = _drugs(data["lines"])
    with transaction():
        prescription = Prescription(
            visit_id=visit.id,
            customer_id=visit.customer_id,
            doctor_id=actor.id if actor else None,
            number=next_number("his.prescription", NUMBER_PATTERN),
            status="draft",
            note=data.get("note"),
        )
        db.session.add(prescription)
        db.session.flush()
        _write_lines(prescription, data["lines"], drugs)
        audit(actor, prescription, "create", None, _snapshot(prescription))
    return prescription, compute_warnings(prescription)


def _snapshot(prescription: Prescription) -> dict:
    """The prescription with its lines, for the audit log."""
    data = snapshot(prescription)
    data["lines"] = [snapshot(line) for line in prescription.lines]
    return data


def _draft(prescription: Prescription) -> None:
    if prescription.status != "draft":
        refuse(state={"status": [_("only a draft prescription can be changed")]})


def update_prescription(
    prescription: Prescription, payload: dict, actor: User | None, version: int | None
) -> tuple[Prescription, list[RxWarning]]:
    """Change a draft's note or replace its lines (the version read, or 409)."""
    data = load(PrescriptionChange(), payload)  # not partial: a line needs all its fields
    _draft(prescription)
    _open_visit(prescription_visit(prescription))
    drugs = _drugs(data["lines"]) if data.get("lines") else {}
    with transaction():
        check_version(prescription, version)
        before = _snapshot(prescription)
        if "note" in data:
            prescription.note = data["note"]
        if data.get("lines"):
            _write_lines(prescription, data["lines"], drugs)
        prescription.updated_at = utcnow()  # bumps the version with the lines
        db.session.flush()
        audit(actor, prescription, "update", before, _snapshot(prescription))
    return prescription, compute_warnings(prescription)


def prescription_visit(prescription: Prescription) -> Visit:
    visit = db.session.get(Visit, prescription.visit_id)
    assert visit is not None
    return visit


def warnings_of(prescription: Prescription) -> list[RxWarning]:
    """A draft's warnings now; a signed or cancelled one has none left to answer."""
    return compute_warnings(prescription) if prescription.status == "draft" else []


def _matched_overrides(warnings: list[RxWarning], overrides: list[dict]) -> dict:
    """Each warning's override; a 422 naming ``overrides`` for a warning
    without one (its message says which) or an override of no warning."""
    given = {(o["line_id"], o["kind"]): o["reason"] for o in overrides}
    errors = [
        _(
            "line %(line)s: %(warning)s — give a reason to override it",
            line=w.position,
            warning=w.message,
        )
        for w in warnings
        if (w.line_id, w.kind) not in given
    ]
    keys = {(w.line_id, w.kind) for w in warnings}
    errors += [
        _("line %(id)s has no %(kind)s warning to override", id=line_id, kind=kind)
        for line_id, kind in given
        if (line_id, kind) not in keys
    ]
    if errors:
        raise ValidationError({"overrides": errors})
    return given


def sign_prescription(
    prescription: Prescription, payload: dict, actor: User | None, version: int | None
) -> Prescription:
    """Sign a draft: every warning overridden with a reason (recorded), its
    lines charged, a timeline entry on the patient."""
    data = load(SignInput(), payload)
    _draft(prescription)
    visit = prescription_visit(prescription)
    _open_visit(visit)
    check_version(prescription, version)
    warnings = compute_warnings(prescription)
    reasons = _matched_overrides(warnings, data["overrides"])
    now = utcnow()
    with transaction():
        before = _snapshot(prescription)
        for warning in warnings:
            db.session.add(
                RxOverride(
                    line_id=warning.line_id,
                    kind=warning.kind,
                    warning=warning.message[:300],
                    reason=reasons[(warning.line_id, warning.kind)],
                    by_id=actor.id if actor else None,
                    at=now,
                )
            )
        prescription.status = "signed"
        prescription.signed_at = now
        if actor is not None:
            prescription.doctor_id = actor.id
        db.session.flush()
        add_charges(
            prescription.customer_id,
            visit_id=prescription.visit_id,
            source=SOURCE,
            source_id=prescription.id,
            lines=[_charge_line(line) for line in prescription.lines],
            currency=prescription.lines[0].drug.currency,
            actor=actor,
        )
        audit(actor, prescription, "update", before, _snapshot(prescription))
        log_activity(
            {
                "kind": "visit_record",
                "subject": _(
                    "Prescription %(number)s signed: %(drugs)s",
                    number=prescription.number,
                    drugs=", ".join(drug_label(line.drug) for line in prescription.lines),
                )[:200],
                "customer_id": prescription.customer_id,
                "link_type": "his_prescription",
                "link_id": prescription.id,
            },
            actor,
        )
    return prescription


def _charge_line(line: PrescriptionLine) -> ChargeLine:
    return ChargeLine(
        item_code=line.drug.code,
        name=drug_label(line.drug),
        category="drug",
        quantity=Decimal(line.quantity),
        unit_price=line.unit_price,
    )


def cancel_prescription(
    prescription: Prescription, payload: dict, actor: User | None, version: int | None
) -> Prescription:
    """Cancel a draft or a signed prescription with a reason; a signed one's
    charges are voided — refused (422 naming ``charges``) once paid."""
    data = load(CancelInput(), payload)
    if prescription.status == "cancelled":
        raise StateError({"status": [_("this prescription is already cancelled")]})
    with transaction():
        check_version(prescription, version)
        before = _snapshot(prescription)
        if prescription.status == "signed":
            void_charges(SOURCE, prescription.id, actor)
        prescription.status = "cancelled"
        prescription.cancelled_at = utcnow()
        prescription.cancel_reason = data["reason"]
        db.session.flush()
        audit(actor, prescription, "update", before, _snapshot(prescription))
    return prescription
