"""What starting, writing, amending a visit and adding a diagnosis read."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

#: the record's text fields: written while open, amended once closed
AMENDABLE = ("chief_complaint", "history", "examination", "summary")
_TEXT = validate.Length(max=10000)


class StartInput(Schema):
    """Start a visit: the called registration it comes from."""

    booking_id = fields.Integer(required=True, strict=True)


class RecordInput(Schema):
    """The doctor's record (any of its fields)."""

    chief_complaint = fields.String(allow_none=True, validate=validate.Length(max=2000))
    history = fields.String(allow_none=True, validate=_TEXT)
    examination = fields.String(allow_none=True, validate=_TEXT)
    summary = fields.String(allow_none=True, validate=_TEXT)
    follow_up_days = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=1, max=3650)
    )


class AmendInput(Schema):
    """Change one field of a closed visit, saying why."""

    field = fields.String(required=True, validate=validate.OneOf(AMENDABLE))
    value = fields.String(required=True, allow_none=True, validate=_TEXT)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DiagnosisInput(Schema):
    """A diagnosis: its ICD-10 code, a local name, whether it is the primary one."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    local_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    is_primary = fields.Boolean(load_default=None, allow_none=True)


#: how an amendment changes a closed visit's diagnoses
DIAGNOSIS_AMENDMENTS = ("add", "remove", "primary")


class DiagnosisAmendInput(Schema):
    """Change a closed visit's diagnoses, saying why: ``add`` a ``code``,
    ``remove`` or make ``primary`` the diagnosis ``diagnosis_id``."""

    action = fields.String(required=True, validate=validate.OneOf(DIAGNOSIS_AMENDMENTS))
    code = fields.String(validate=validate.Length(min=1, max=10))
    local_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    is_primary = fields.Boolean(load_default=None, allow_none=True)
    diagnosis_id = fields.Integer(strict=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DiagnosisChange(Schema):
    """Change a diagnosis: its local name, or make it the primary one."""

    local_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    is_primary = fields.Boolean()
