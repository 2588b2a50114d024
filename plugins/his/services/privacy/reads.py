"""Every read of a medical record audited: who, when, which record, what.

A read is an audit entry of the patient's record (``his_patient``; the
customer when it has no medical record, e.g. a visit recorded by hand)
with the action ``read`` and ``{"what": ...}`` — what was read: the
record's tab, the API's answer, a visit. The audit log (操作日志) lists
them with the patient's label.

Not to flood the log, a user reading the same thing of the same record
again within :data:`QUIET_SECONDS` writes no second entry: one row per
user, record and ``what`` a minute at most."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import AuditEntry, User, audit, db, transaction, utcnow

from ...models import Patient

#: the audit action of a read
READ = "read"
#: a repeated read within this many seconds is not written again
QUIET_SECONDS = 60


class _Record:
    """What ``audit`` needs of a record: its id and table."""

    def __init__(self, entity: str, record_id: int):
        self.__tablename__ = entity
        self.id = record_id


def audit_read(customer_id: int, actor: User | None, what: str) -> bool:
    """Record that ``actor`` read ``what`` of the medical record of customer
    ``customer_id``, in its own transaction (a read changes nothing else).
    The caller has checked the reader may see it. Returns whether an entry
    was written (False: the same read within the last minute, or no actor)."""
    if actor is None:
        return False
    patient_id = db.session.scalar(select(Patient.id).where(Patient.customer_id == customer_id))
    record = _Record("his_patient", patient_id) if patient_id else _Record("customer", customer_id)
    what = what[:60]
    recent = db.session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.entity == record.__tablename__,
            AuditEntry.entity_id == record.id,
            AuditEntry.user_id == actor.id,
            AuditEntry.action == READ,
            AuditEntry.created_at >= utcnow() - timedelta(seconds=QUIET_SECONDS),
        )
    )
    if any((after or {}).get("what") == what for after in recent):
        return False
    with transaction():
        audit(actor, record, READ, None, {"what": what})
    return True
