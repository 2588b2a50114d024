"""The warnings of a prescription, computed whenever it is saved or signed:

- ``allergy``: one of the patient's allergies (``his_patient.allergies``,
  free words such as "penicillin" or "青霉素") names the drug — its generic,
  brand or Chinese name, or its allergen class;
- ``duplicate``: the same drug or the same generic is on an earlier line of
  the prescription, or in another signed prescription of the patient still
  running (signed less than its line's days ago).

A warning blocks signing until the doctor overrides it with a reason
(:mod:`.prescriptions`). Warnings are keyed by line and kind: several of one
kind on a line are one warning, their messages joined."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import db, translator, utcnow

from ...models import Drug, Patient, Prescription, PrescriptionLine

_, _l = translator("his")

#: how far back a running prescription is looked for (longer than any line's days)
LOOKBACK_DAYS = 366
_SPLIT = re.compile(r"[,;/，；、]+")


@dataclass(frozen=True)
class RxWarning:
    """A warning on line ``line_id`` (``position`` as the doctor sees it)."""

    line_id: int
    position: int
    kind: str
    message: str


def _words(text: str | None) -> list[str]:
    return [w.strip().casefold() for w in _SPLIT.split(text or "") if w.strip()]


def drug_label(drug: Drug) -> str:
    """A drug as a prescription names it: "Amoxicillin 500 mg (阿莫西林)"."""
    label = " ".join(part for part in (drug.generic_name, drug.strength) if part)
    return f"{label} ({drug.name_zh})" if drug.name_zh else label


def allergy_matches(allergies: list[str], drug: Drug) -> list[str]:
    """The patient's allergies that name ``drug``."""
    names = [n.casefold() for n in (drug.generic_name, drug.brand_name, drug.name_zh) if n]
    classes = _words(drug.allergen_class)
    found = []
    for allergy in allergies or []:
        term = str(allergy).strip().casefold()
        if len(term) < 2:
            continue
        if any(term in name or (len(name) > 2 and name in term) for name in names) or any(
            term in cls or (len(cls) > 2 and cls in term) for cls in classes
        ):
            found.append(str(allergy).strip())
    return found


@dataclass(frozen=True)
class Running:
    """A line of another signed prescription the patient still takes."""

    drug_id: int
    generic: str
    number: str
    until: datetime


def running_lines(customer_id: int, except_id: int | None, now: datetime) -> list[Running]:
    """The lines of the patient's other signed prescriptions still running at ``now``."""
    rows = db.session.execute(
        select(PrescriptionLine.drug_id, Drug.generic_name, PrescriptionLine.days, Prescription)
        .join(Prescription, PrescriptionLine.prescription_id == Prescription.id)
        .join(Drug, PrescriptionLine.drug_id == Drug.id)
        .where(
            Prescription.customer_id == customer_id,
            Prescription.status == "signed",
            Prescription.id != (except_id or -1),
            Prescription.signed_at >= now - timedelta(days=LOOKBACK_DAYS),
        )
    ).all()
    found = []
    for drug_id, generic, days, prescription in rows:
        assert prescription.signed_at is not None  # signed
        until = prescription.signed_at + timedelta(days=days)
        if until > now:
            found.append(Running(drug_id, generic.casefold(), prescription.number, until))
    return found


def compute_warnings(prescription: Prescription, now: datetime | None = None) -> list[RxWarning]:
    """Every warning of the prescription's (flushed) lines, in line order."""
    now = now or utcnow()
    patient = db.session.scalar(
        select(Patient).where(Patient.customer_id == prescription.customer_id)
    )
    allergies = list(patient.allergies or []) if patient else []
    running = running_lines(prescription.customer_id, prescription.id, now)
    messages: dict[tuple[int, str], list[str]] = {}
    positions: dict[int, int] = {}
    earlier: list[PrescriptionLine] = []
    for line in prescription.lines:
        positions[line.id] = line.position
        drug = line.drug
        label = drug_label(drug)
        for allergy in allergy_matches(allergies, drug):
            messages.setdefault((line.id, "allergy"), []).append(
                _("the patient is allergic to %(allergy)s: %(drug)s", allergy=allergy, drug=label)
            )
        generic = drug.generic_name.casefold()
        for other in earlier:
            if other.drug_id == drug.id or other.drug.generic_name.casefold() == generic:
                messages.setdefault((line.id, "duplicate"), []).append(
                    _(
                        "%(drug)s is already on line %(line)s of this prescription",
                        drug=label,
                        line=other.position,
                    )
                )
        for run in running:
            if run.drug_id == drug.id or run.generic == generic:
                messages.setdefault((line.id, "duplicate"), []).append(
                    _(
                        "%(drug)s is in prescription %(number)s, running until %(day)s",
                        drug=label,
                        number=run.number,
                        day=run.until.date().isoformat(),
                    )
                )
        earlier.append(line)
    return [
        RxWarning(line_id, positions[line_id], kind, "; ".join(texts))
        for (line_id, kind), texts in messages.items()
    ]
