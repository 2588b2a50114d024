"""What the ward, bed, admission, transfer and discharge inputs read."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Amount

from ...models import DEPOSIT_METHODS

_ID = validate.Range(1, 2**31 - 1)
_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
#: what a nurse may set a bed to by hand (``occupied`` only by an admission)
BED_MOVES = ("free", "reserved", "cleaning")


class HisWardInput(Schema):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    department_id = fields.Integer(required=True, validate=_ID)


class HisBedInput(Schema):
    ward_id = fields.Integer(required=True, validate=_ID)
    code = fields.String(required=True, validate=_CODE)


class HisBedStateInput(Schema):
    state = fields.String(required=True, validate=validate.OneOf(BED_MOVES))


class HisAdmitInput(Schema):
    """Admit a patient: from an outpatient visit (``visit_id``) or directly."""

    customer_id = fields.Integer(required=True, validate=_ID)
    visit_id = fields.Integer(load_default=None, allow_none=True, validate=_ID)
    department_id = fields.Integer(required=True, validate=_ID)
    ward_id = fields.Integer(required=True, validate=_ID)
    bed_id = fields.Integer(load_default=None, allow_none=True, validate=_ID)
    doctor_id = fields.Integer(required=True, validate=_ID)
    diagnosis_code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    admitted_at = fields.AwareDateTime(load_default=None, allow_none=True)
    deposit = Amount(positive=True, load_default=None, allow_none=True)
    deposit_method = fields.String(load_default="cash", validate=validate.OneOf(DEPOSIT_METHODS))


class HisTransferInput(Schema):
    """Move an admitted patient to another bed (of this or another ward)."""

    bed_id = fields.Integer(required=True, validate=_ID)


class HisDischargeInput(Schema):
    diagnosis_code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
