"""Wards, beds, admissions and deposits as the API answers them, and the
lists' query arguments. The inputs (``services.inpatient.inputs``) live
with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import ADMISSION_STATES, BED_STATES

_ID = validate.Range(1, 2**31 - 1)


class HisWardArgs(ListArgs):
    department_id = fields.Integer(validate=_ID)


class HisBedArgs(ListArgs):
    ward_id = fields.Integer(validate=_ID)
    state = fields.String(validate=validate.OneOf(BED_STATES))


class HisAdmissionArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    department_id = fields.Integer(validate=_ID)
    ward_id = fields.Integer(validate=_ID)
    doctor_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(ADMISSION_STATES))


class HisBedOut(Schema):
    id = fields.Integer()
    ward_id = fields.Integer()
    code = fields.String()
    state = fields.String(metadata={"enum": list(BED_STATES)})
    admission_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HisWardOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    department_id = fields.Integer()
    active = fields.Boolean()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HisWardDetailOut(HisWardOut):
    beds = fields.List(fields.Nested(HisBedOut))


class HisDepositOut(Schema):
    id = fields.Integer()
    admission_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    method = fields.String()
    received_at = fields.DateTime()
    received_by_id = fields.Integer(allow_none=True)


class HisAdmissionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    customer_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    department_id = fields.Integer()
    ward_id = fields.Integer()
    bed_id = fields.Integer(allow_none=True)
    doctor_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(ADMISSION_STATES)})
    admitted_at = fields.DateTime()
    diagnosis_code = fields.String(metadata={"description": "admitting diagnosis, ICD-10"})
    diagnosis_name = fields.String()
    discharged_at = fields.DateTime(allow_none=True)
    discharged_by_id = fields.Integer(allow_none=True)
    discharge_code = fields.String(allow_none=True)
    discharge_name = fields.String(allow_none=True)
    discharge_note = fields.String(allow_none=True)
    followup_plan_id = fields.Integer(
        allow_none=True, metadata={"description": "the post-discharge follow-up plan"}
    )
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HisAdmissionDetailOut(HisAdmissionOut):
    deposits = fields.Method(
        "_deposits",
        metadata={"type": "array", "items": {"type": "object"}, "description": "its deposits"},
    )

    def _deposits(self, admission) -> list[dict]:
        from ..services.inpatient import deposits_of

        return HisDepositOut(many=True).dump(deposits_of(admission))
