"""A visit's diagnoses: ICD-10 codes checked against the package, each at
most once per visit, exactly one primary while there are any (the first
added is primary until another is made so; removing the primary makes the
oldest left primary). An open visit's diagnoses change freely; a closed
visit's only through an amendment with a reason (:func:`amend_diagnoses`),
which keeps the list before and after — a closed visit keeps at least one."""

from __future__ import annotations

from sqlalchemy import select, update

from core.api import (
    MissingReferenceError,
    NotFoundError,
    StateError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Diagnosis, Visit, VisitAmendment
from .icd10 import describe, normalize
from .inputs import DiagnosisAmendInput, DiagnosisChange, DiagnosisInput
from .record import ensure_open

#: an amendment's ``field`` when it changes the diagnoses
DIAGNOSES_FIELD = "diagnoses"

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


def _checked_code(visit: Visit, raw: str) -> tuple[str, str]:
    """The normalised code and its description (422 naming ``code``)."""
    code = normalize(raw)
    description = describe(code)
    if description is None:
        raise ValidationError({"code": [_("not an ICD-10 diagnosis code")]})
    if any(d.code == code for d in diagnoses_of(visit)):
        raise ValidationError({"code": [_("this diagnosis is already recorded")]})
    return code, description


def add_diagnosis(visit: Visit, payload: dict, actor: User | None) -> Diagnosis:
    """Add an ICD-10 diagnosis (422 naming ``code`` for a code that does not exist)."""
    data = load(DiagnosisInput(), payload)
    ensure_open(visit)
    code, description = _checked_code(visit, data["code"])
    with transaction():
        return _add(visit, code, description, data, actor)


def _add(visit: Visit, code: str, description: str, data: dict, actor: User | None) -> Diagnosis:
    first = not diagnoses_of(visit)
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
        _remove(visit, diagnosis, actor)


def _remove(visit: Visit, diagnosis: Diagnosis, actor: User | None) -> None:
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


def diagnoses_text(diagnoses: list[Diagnosis]) -> str | None:
    """The diagnoses in one line, the primary marked: what an amendment
    keeps before and after ("I10 Essential hypertension (primary); E11.9 …")."""
    parts = []
    for d in diagnoses:
        part = f"{d.code} {d.local_name or d.description}"
        parts.append(f"{part} ({_('primary')})" if d.is_primary else part)
    return "; ".join(parts) or None


def amend_diagnoses(
    visit: Visit, payload: dict, actor: User | None, expected_version: int | None = None
) -> VisitAmendment:
    """Change a closed visit's diagnoses with a reason — add one, remove one
    (never the last), or make one the primary — recording the diagnoses
    before and after as an amendment; the visit's version moves on."""
    data = load(DiagnosisAmendInput(), payload)
    if visit.status != "closed":
        raise StateError({"action": [_("an open visit's diagnoses are edited, not amended")]})
    if not data["reason"].strip():
        raise ValidationError({"reason": [_("say why the record is amended")]})
    action = data["action"]
    current = diagnoses_of(visit)
    target: Diagnosis | None = None
    code = description = ""
    if action == "add":
        if not data.get("code"):
            raise ValidationError({"code": [_("give the ICD-10 code to add")]})
        code, description = _checked_code(visit, data["code"])
    else:
        if data.get("diagnosis_id") is None:
            raise ValidationError({"diagnosis_id": [_("say which diagnosis")]})
        target = next((d for d in current if d.id == data["diagnosis_id"]), None)
        if target is None:
            raise MissingReferenceError({"diagnosis_id": [_("no diagnosis of this visit")]})
        if action == "remove" and len(current) == 1:
            raise StateError({"diagnosis_id": [_("a closed visit keeps at least one diagnosis")]})
        if action == "primary" and target.is_primary:
            raise ValidationError({"diagnosis_id": [_("this diagnosis is the primary one")]})
    check_version(visit, expected_version)
    old = diagnoses_text(current)
    with transaction():
        if action == "add":
            _add(visit, code, description, data, actor)
        elif action == "remove":
            assert target is not None
            _remove(visit, target, actor)
        else:
            assert target is not None
            before = snapshot(target)
            _make_primary(visit, target)
            db.session.flush()
            audit(actor, target, "update", before, snapshot(target))
        now = utcnow()
        amendment = VisitAmendment(
            visit_id=visit.id,
            field=DIAGNOSES_FIELD,
            old_value=old,
            new_value=diagnoses_text(diagnoses_of(visit)),
            reason=data["reason"].strip(),
            author_id=actor.id if actor else None,
            amended_at=now,
        )
        db.session.add(amendment)
        visit.updated_at = now  # the visit's version moves on: a stale amendment is a 409
        db.session.flush()
        audit(actor, amendment, "create", None, snapshot(amendment))
    return amendment
