"""A patient's data on request (数据导出): the customer, and every row of
the plugin's tables that belongs to them, as one JSON document.

The tables are found, not listed (``patients.rows``, which the merge and
the purge read too): a table added to ``MODELS`` later joins the export
without a change here.

Values are the audit log's (``snapshot``): encrypted personal data masked —
the national ID in full for a holder of ``his.patient.pii`` — and the
customer's fields the exporter's role hides left out. The export is
audited."""

from __future__ import annotations

from typing import Any

from core.api import Customer, User, audit, conceal, snapshot, transaction, utcnow

from ...models import Patient
from ..patients import PII
from ..patients.rows import patient_rows

#: the export's format, for whoever reads it later
FORMAT = "trellis-his-patient-export/1"


def patient_export(customer: Customer, actor: User) -> dict[str, Any]:
    """The document of ``customer``'s data (a customer ``actor`` may see),
    and an audit entry of the export."""
    tables = patient_rows(customer.id)
    data = {name: [_values(row, actor) for row in rows] for name, rows in tables.items() if rows}
    with transaction():
        counts = {name: len(rows) for name, rows in data.items()}
        audit(actor, customer, "export", None, {"tables": counts}, entity="customer")
    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "exported_by": actor.email,
        "customer": conceal("customer", snapshot(customer), actor),
        "tables": data,
    }


def _values(row: Any, actor: User) -> dict[str, Any]:
    values = snapshot(row)
    if isinstance(row, Patient) and row.national_id is not None and actor.can(PII):
        values["national_id"] = row.national_id
    values["created_at"] = row.created_at.isoformat() if row.created_at else None
    return values
