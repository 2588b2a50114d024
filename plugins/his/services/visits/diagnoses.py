"""A visit's diagnoses: ICD-10 codes checked against the package, each at
most once per visit, exactly one primary while there are any (the first
added is primary until another is made so; removing the primary makes the
oldest left primary). Only an open visit's diagnoses change."""

from __future__ import annotations

from sqlalchemy import select, update

from core.api import (
    NotFoundError,
    User,
    ValidationError,
    audit,
    db,
    load,
    snapshot,
    transaction,
    translator,
)

from ...models import Diagnosis, Visit
from .icd10 import describe, normalize
from .inputs import DiagnosisChange, DiagnosisInput
from .record import ensure_open

_, _l = translator("his")


def diagnoses_of(visit: Visit) -> list[Diagnosis]:
    """The visit's diagnoses, the primary first, then in the order added."""
    return list(
        db.session.scalars(
            select(Diagnosis)
            .where(Diagnosis.visit_id == visit.id)
            .order_by(Diagnosis.is_primary.desc(), Diagnosis.id)
        )
    )


def get_diagnosis(visit: Visit, diagnosis_id: int) -> Diagnosis:
    diagnosis = db.session.get(Diagnosis, diagnosis_id)
    if diagnosis is None or diagnosis.visit_id != visit.id:
        raise NotFoundError(_("diagnosis %(id)s not found", id=diagnosis_id))
    return diagnosis


def _make_primary(visit: Visit, diagnosis: Diagnosis) -> None:
    # clear first: the partial unique index allows one primary at a time
    db.session.execute(
        update(Diagnosis)
        .where(Diagnosis.visit_id == visit.id, Diagnosis.id != diagnosis.id)
        .values(is_primary=False)
        .execution_options(synchronize_session="fetch")
    )
    diagnosis.is_primary = True


def add_diagnosis(visit: Visit, payload: dict, actor: User | None) -> Diagnosis:
    """Add an ICD-10 diagnosis (422 naming ``code`` for a code that does not exist)."""
    data = load(DiagnosisInput(), payload)
    ensure_open(visit)
    code = normalize(data["code"])
    description = describe(code)
    if description is None:
        raise ValidationError({"code": [_("not an ICD-10 diagnosis code")]})
    if any(d.code == code for d in diagnoses_of(visit)):
        raise ValidationError({"code": [_("this diagnosis is already recorded")]})
    first = not diagnoses_of(visit)
    with transaction():
        diagnosis = Diagnosis(
            visit_id=visit.id,
            code=code,
            description=description[:255],
            local_name=(data.get("local_name") or "").strip() or None,
            is_primary=False,
            author_id=actor.id if actor else None,
        )
        db.session.add(diagnosis)
        db.session.flush()
        if first or data.get("is_primary"):
            _make_primary(visit, diagnosis)
            db.session.flush()
        audit(actor, diagnosis, "create", None, snapshot(diagnosis))
    return diagnosis


def update_diagnosis(
    visit: Visit, diagnosis: Diagnosis, payload: dict, actor: User | None
) -> Diagnosis:
    """Change the local name, or make the diagnosis the primary one (a
    primary stops being one only when another is made primary)."""
    data = load(DiagnosisChange(), payload)
    ensure_open(visit)
    if data.get("is_primary") is False and diagnosis.is_primary:
        raise ValidationError({"is_primary": [_("make another diagnosis primary instead")]})
    with transaction():
        before = snapshot(diagnosis)
        if "local_name" in data:
            diagnosis.local_name = (data["local_name"] or "").strip() or None
        if data.get("is_primary"):
            _make_primary(visit, diagnosis)
        db.session.flush()
        audit(actor, diagnosis, "update", before, snapshot(diagnosis))
    return diagnosis


def remove_diagnosis(visit: Visit, diagnosis: Diagnosis, actor: User | None) -> None:
    """Remove a diagnosis; if it was the primary, the oldest left becomes primary."""
    ensure_open(visit)
    with transaction():
        before = snapshot(diagnosis)
        was_primary = diagnosis.is_primary
        db.session.delete(diagnosis)
        db.session.flush()
        audit(actor, diagnosis, "delete", before, None)
        if was_primary:
            rest = diagnoses_of(visit)
            if rest:
                _make_primary(visit, rest[0])
                db.session.flush()
