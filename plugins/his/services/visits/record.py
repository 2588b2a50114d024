"""Start a visit from a called registration, write the doctor's record,
close it (at least one diagnosis), and amend a closed visit with a reason.

Starting moves the registration to ``seen`` through the booking's own state
machine in the same transaction; one visit per registration (a unique
index), so a second start answers the visit the first made. Closing logs a
``visit_record`` on the patient's timeline and fires ``his_visit_closed``
after the commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.api import (
    MissingReferenceError,
    StateError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    emit,
    load,
    log_activity,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Booking, ClinicSession, Department, Diagnosis, Visit, VisitAmendment
from ..bookings import seen, visible_bookings
from .cells import count_visit
from .inputs import AMENDABLE, AmendInput, RecordInput, StartInput
from .states import VISIT

_, _l = translator("his")

__all__ = [
    "AMENDABLE",
    "amend_visit",
    "amendments_of",
    "close_visit",
    "ensure_open",
    "start_visit",
    "update_visit",
    "visit_for_booking",
]


def ensure_open(visit: Visit) -> None:
    """Refuse to change a closed visit (409 naming ``visit_id``): other
    services (prescriptions, orders) call this before writing to a visit."""
    if visit.status != "open":
        raise StateError({"visit_id": [_("the visit is closed; amend it instead")]})


def amendments_of(visit: Visit) -> list[VisitAmendment]:
    """The visit's amendments, oldest first."""
    return list(
        db.session.scalars(
            select(VisitAmendment)
            .where(VisitAmendment.visit_id == visit.id)
            .order_by(VisitAmendment.amended_at, VisitAmendment.id)
        )
    )


def visit_for_booking(booking_id: int) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.booking_id == booking_id))


def start_visit(payload: dict, actor: User | None) -> tuple[Visit, bool]:
    """Start the visit of a called registration (``booking_id``, one
    ``actor`` may see); answers the visit and whether it is new — the
    registration's visit if it has one."""
    data = load(StartInput(), payload)
    booking = db.session.scalar(
        visible_bookings(actor).where(Booking.id == data["booking_id"])
        if actor is not None
        else select(Booking).where(Booking.id == data["booking_id"])
    )
    if booking is None:
        raise MissingReferenceError({"booking_id": [_("no registration with this id")]})
    existing = visit_for_booking(booking.id)
    if existing is not None:
        return existing, False
    session = db.session.get(ClinicSession, booking.session_id)
    department = db.session.get(Department, booking.department_id)
    assert session is not None and department is not None
    booking_id = booking.id
    try:
        with transaction():
            seen(booking, actor)  # 409 unless called
            visit = Visit(
                customer_id=booking.customer_id,
                booking_id=booking.id,
                department_id=department.id,
                department=department.name,
                team_id=department.team_id,
                doctor_id=actor.id if actor else session.doctor_id,
                visited_at=utcnow(),
                status="open",
            )
            db.session.add(visit)
            db.session.flush()
            count_visit(visit)  # the department report's cell
            audit(actor, visit, "create", None, snapshot(visit))
    except IntegrityError:  # another start of the same registration won
        existing = visit_for_booking(booking_id)
        if existing is None:
            raise
        return existing, False
    return visit, True


def update_visit(
    visit: Visit, payload: dict, actor: User | None, expected_version: int | None = None
) -> Visit:
    """Write the doctor's record (an open visit only)."""
    data = load(RecordInput(), payload)
    ensure_open(visit)
    check_version(visit, expected_version)
    with transaction():
        before = snapshot(visit)
        for key, value in data.items():
            setattr(visit, key, value.strip() or None if isinstance(value, str) else value)
        db.session.flush()
        audit(actor, visit, "update", before, snapshot(visit))
    return visit


def diagnosis_count(visit: Visit) -> int:
    count = select(func.count()).select_from(Diagnosis).where(Diagnosis.visit_id == visit.id)
    return db.session.scalar(count) or 0


def close_visit(visit: Visit, actor: User | None, expected_version: int | None = None) -> Visit:
    """Close (sign off) an open visit: it needs at least one diagnosis."""
    VISIT.move(visit.status, "close")  # 409 if closed already
    if diagnosis_count(visit) == 0:
        raise StateError({"diagnoses": [_("add at least one diagnosis before closing")]})
    check_version(visit, expected_version)
    with transaction():
        before = snapshot(visit)
        visit.status = "closed"
        visit.closed_at = utcnow()
        visit.closed_by_id = actor.id if actor else None
        db.session.flush()
        audit(actor, visit, "close", before, snapshot(visit))
        log_activity(
            {
                "kind": "visit_record",
                "subject": _("Visit: %(department)s", department=visit.department)[:200],
                "customer_id": visit.customer_id,
                "link_type": "his_visit",
                "link_id": visit.id,
            },
            actor,
        )
        emit("his_visit_closed", visit=visit)
    return visit


def amend_visit(
    visit: Visit, payload: dict, actor: User | None, expected_version: int | None = None
) -> VisitAmendment:
    """Change a field of a closed visit, keeping the old value and the reason."""
    data = load(AmendInput(), payload)
    if visit.status != "closed":
        raise StateError({"field": [_("an open visit is edited, not amended")]})
    check_version(visit, expected_version)
    field = data["field"]
    new = (data["value"] or "").strip() or None
    old = getattr(visit, field)
    if new == old:
        raise ValidationError({"value": [_("the value is unchanged")]})
    if not data["reason"].strip():
        raise ValidationError({"reason": [_("say why the record is amended")]})
    with transaction():
        before = snapshot(visit)
        setattr(visit, field, new)
        amendment = VisitAmendment(
            visit_id=visit.id,
            field=field,
            old_value=old,
            new_value=new,
            reason=data["reason"].strip(),
            author_id=actor.id if actor else None,
            amended_at=utcnow(),
        )
        db.session.add(amendment)
        db.session.flush()
        audit(actor, visit, "amend", before, snapshot(visit))
    return amendment
