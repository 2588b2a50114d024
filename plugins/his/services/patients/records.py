"""What becomes of a customer's hospital records when the customer is
merged into another or purged.

- **Merge** (合并重复客户): the merged customer's visits, bookings and
  waitlist entries move to the survivor. If both are patients, the survivor
  keeps its medical record — gaining the merged record's allergies and
  chronic conditions, which a merge must never lose — and the merged
  record's number is written down (the survivor's timeline and the audit
  log), its row removed; if only the merged customer is a patient, the
  record moves. A waiting place the survivor already holds in the same
  session is dropped. Two live bookings in one department on one day
  cannot become one patient's: the merge is refused (``veto``) until one is
  cancelled.
  Every other row of the patient moves with them — prescriptions, orders,
  charges, payments, follow-up plans, surveys, complaints — and the rows
  that point at those follow (``rows``: the tables are found, not listed).
- **Purge**: every hospital row of the patient is deleted, children first.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, select
from sqlalchemy.orm import aliased

from core.api import audit, db, log_activity, repoint, snapshot, translator

from ...models import Booking, Patient, WaitlistEntry
from ..visits.cells import uncount_visits_of
from .register import KIND
from .rows import move_patient_rows, purge_patient_rows

_, _l = translator("his")


def _rows(statement: Any) -> int:
    return cast(CursorResult, db.session.execute(statement)).rowcount


def veto(customer: Any, action: str, survivor: Any) -> str | None:
    """Why ``customer`` must not be merged into ``survivor``: both hold a
    live booking in one department on one day."""
    if action != "merge" or survivor is None:
        return None
    theirs = aliased(Booking)
    clash = db.session.scalar(
        select(Booking.id)
        .join(
            theirs,
            and_(
                theirs.customer_id == survivor.id,
                theirs.department_id == Booking.department_id,
                theirs.day == Booking.day,
                theirs.status != "cancelled",
            ),
        )
        .where(Booking.customer_id == customer.id, Booking.status != "cancelled")
        .limit(1)
    )
    if clash is None:
        return None
    return _l("both hold a booking in one department on one day: cancel one first")


def merge_records(survivor_id: int, merged_id: int) -> int:
    """Move the merged customer's hospital records to the survivor."""
    held = select(WaitlistEntry.session_id).where(
        WaitlistEntry.customer_id == survivor_id, WaitlistEntry.status == "waiting"
    )
    _rows(
        delete(WaitlistEntry).where(
            WaitlistEntry.customer_id == merged_id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.session_id.in_(held),
        )
    )
    moved = move_patient_rows(survivor_id, merged_id, keep=(Patient,))
    return moved + _merge_patients(survivor_id, merged_id)


def _merge_patients(survivor_id: int, merged_id: int) -> int:
    merged = db.session.scalar(select(Patient).where(Patient.customer_id == merged_id))
    if merged is None:
        return 0
    kept = db.session.scalar(select(Patient).where(Patient.customer_id == survivor_id))
    if kept is None:
        return repoint(Patient, "customer_id", merged_id, survivor_id)
    before = snapshot(kept)
    for name in ("allergies", "chronic_conditions"):
        setattr(kept, name, list(dict.fromkeys([*getattr(kept, name), *getattr(merged, name)])))
    db.session.flush()
    audit(None, kept, "merge", before, snapshot(kept) | {"merged_mrn": merged.mrn})
    audit(None, merged, "delete", snapshot(merged), None)
    db.session.delete(merged)
    db.session.flush()
    log_activity(
        {
            "kind": KIND,
            "subject": _(
                "Medical record %(merged)s merged into %(kept)s", merged=merged.mrn, kept=kept.mrn
            ),
            "customer_id": survivor_id,
        },
        None,
    )
    return 1


def purge_records(customer_id: int) -> int:
    """Delete every hospital row of the customer (``rows``), their visits
    taken off the department report's cells first."""
    uncount_visits_of(customer_id)
    return purge_patient_rows(customer_id)


def deceased_among(customer_ids: list[int]) -> list[int]:
    """Of ``customer_ids``, the deceased patients: no follow-up, no outreach
    (core's ``trellis_customers_not_to_contact``)."""
    return list(
        db.session.scalars(
            select(Patient.customer_id).where(
                Patient.customer_id.in_(customer_ids), Patient.deceased.is_(True)
            )
        )
    )
