"""What the patients' endpoints answer, and their list's query arguments.
The inputs (``services.patients.PatientInput``, ``PatientChange``,
``DeceasedInput``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields

from core.api import ListArgs

from ..models import ID_TYPES, SEXES


class PatientArgs(ListArgs):
    """``q``: one box — a medical record number, a national ID or a phone
    (each exact), or a name."""


class PatientOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    mrn = fields.String(metadata={"description": "the medical record number (病历号)"})
    name = fields.Function(lambda p: p.shown["name"], metadata={"type": "string"})
    phones = fields.Function(
        lambda p: p.shown.get("phones"),
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "the customer's phones (left out when the reader's role hides them)",
        },
    )
    address = fields.Function(
        lambda p: p.shown.get("address"),
        metadata={"type": "string", "nullable": True, "description": "the customer's address"},
    )
    sex = fields.String(metadata={"enum": list(SEXES)})
    birth_date = fields.Date(allow_none=True)
    id_type = fields.String(allow_none=True, metadata={"enum": list(ID_TYPES)})
    national_id = fields.Function(
        lambda p: p.shown_national_id,
        allow_none=True,
        metadata={
            "type": "string",
            "description": "masked (110***********1234) unless the reader holds "
            "his.patient.pii and opened this one patient (the reading is audited)",
        },
    )
    guardian_name = fields.String(allow_none=True)
    guardian_relation = fields.String(allow_none=True)
    guardian_phone = fields.String(allow_none=True)
    emergency_name = fields.String(allow_none=True)
    emergency_relation = fields.String(allow_none=True)
    emergency_phone = fields.String(allow_none=True)
    allergies = fields.List(fields.String())
    chronic_conditions = fields.List(fields.String())
    deceased = fields.Boolean()
    deceased_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()
