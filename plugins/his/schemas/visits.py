"""Visits (就诊), their diagnoses and amendments as the API answers them,
the visits list's query arguments and the ICD-10 search's. The inputs
(``services.visits.inputs``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models.visit import VISIT_STATES

_ID = validate.Range(1, 2**31 - 1)


class HisVisitArgs(ListArgs):
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    department_id = fields.Integer(validate=_ID)
    doctor_id = fields.Integer(validate=_ID)
    booking_id = fields.Integer(validate=_ID)
    status = fields.String(validate=validate.OneOf(VISIT_STATES))


class HisDiagnosisOut(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    code = fields.String(metadata={"description": "ICD-10 (WHO 2019) code, e.g. J06.9"})
    description = fields.String(metadata={"description": "the code's English description"})
    local_name = fields.String(allow_none=True, metadata={"description": "the doctor's name"})
    is_primary = fields.Boolean()
    author_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class HisAmendmentOut(Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    field = fields.String()
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    reason = fields.String()
    author_id = fields.Integer(allow_none=True)
    amended_at = fields.DateTime()


class HisVisitOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    booking_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    department = fields.String()
    doctor_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    visited_at = fields.DateTime()
    status = fields.String(metadata={"enum": list(VISIT_STATES)})
    chief_complaint = fields.String(allow_none=True)
    history = fields.String(allow_none=True)
    examination = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    follow_up_days = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisVisitDetailOut(HisVisitOut):
    """A visit with its diagnoses (the primary first) and amendments (oldest first)."""

    diagnoses = fields.List(fields.Nested(HisDiagnosisOut))
    amendments = fields.List(fields.Nested(HisAmendmentOut))


class HisVisitVersionBody(Schema):
    version = fields.Integer(required=True, metadata={"description": "the version you read"})


class HisIcd10Args(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "a code's start (J06, j06.9) or words of its description"},
    )


class HisIcd10Out(Schema):
    code = fields.String()
    description = fields.String()
