"""The formulary, prescriptions and examination orders as the API answers
them, and their lists' query arguments. The inputs
(``services.orders.inputs``) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import (
    DRUG_CATEGORIES,
    EXAM_KINDS,
    EXAM_STATES,
    PRESCRIPTION_STATES,
    RESULT_FLAGS,
    WARNING_KINDS,
)
from ..services.orders.inputs import CancelInput, PrescriptionChange, ResultInput, SignInput

_ID = validate.Range(1, 2**31 - 1)


class HisDrugArgs(ListArgs):
    active = fields.Boolean(metadata={"description": "only active (true) or inactive drugs"})


class HisDrugOut(Schema):
    id = fields.Integer()
    code = fields.String()
    generic_name = fields.String()
    brand_name = fields.String(allow_none=True)
    name_zh = fields.String(allow_none=True)
    form = fields.String()
    strength = fields.String(allow_none=True)
    unit = fields.String()
    pack_size = fields.Integer(allow_none=True)
    price = fields.Decimal(as_string=True)
    currency = fields.String()
    category = fields.String(metadata={"enum": list(DRUG_CATEGORIES)})
    allergen_class = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisRxWarningOut(Schema):
    line_id = fields.Integer()
    position = fields.Integer()
    kind = fields.String(metadata={"enum": list(WARNING_KINDS)})
    message = fields.String()


class HisRxOverrideOut(Schema):
    id = fields.Integer()
    line_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(WARNING_KINDS)})
    warning = fields.String()
    reason = fields.String()
    by_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class HisPrescriptionLineOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    drug_id = fields.Integer()
    drug_code = fields.String(attribute="drug.code")
    drug_name = fields.String(attribute="drug.generic_name")
    dose = fields.Decimal(as_string=True)
    dose_unit = fields.String()
    route = fields.String()
    frequency = fields.String()
    days = fields.Integer()
    quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    note = fields.String(allow_none=True)
    overrides = fields.List(fields.Nested(HisRxOverrideOut))


class HisPrescriptionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    visit_id = fields.Integer()
    customer_id = fields.Integer()
    doctor_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(PRESCRIPTION_STATES)})
    note = fields.String(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(HisPrescriptionLineOut))
    warnings = fields.List(
        fields.Nested(HisRxWarningOut),
        metadata={"description": "a draft's warnings now: each needs an override to sign"},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisPrescriptionArgs(ListArgs):
    visit_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    status = fields.String(validate=validate.OneOf(PRESCRIPTION_STATES))


def _version() -> fields.Integer:
    return fields.Integer(
        required=True,
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "the version you read"},
    )


class HisPrescriptionChangeBody(PrescriptionChange):
    version = _version()


class HisSignBody(SignInput):
    version = _version()


class HisCancelBody(CancelInput):
    version = _version()


class HisResultBody(ResultInput):
    version = _version()


class HisExamOrderOut(Schema):
    id = fields.Integer()
    number = fields.String()
    visit_id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(EXAM_KINDS)})
    item_code = fields.String()
    item_name = fields.String()
    price = fields.Decimal(as_string=True)
    currency = fields.String()
    status = fields.String(metadata={"enum": list(EXAM_STATES)})
    note = fields.String(allow_none=True)
    ordered_by_id = fields.Integer(allow_none=True)
    result_value = fields.String(allow_none=True)
    result_unit = fields.String(allow_none=True)
    result_flag = fields.String(allow_none=True, metadata={"enum": list(RESULT_FLAGS)})
    result_text = fields.String(allow_none=True)
    resulted_at = fields.DateTime(allow_none=True)
    resulted_by_id = fields.Integer(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class HisExamOrderArgs(ListArgs):
    visit_id = fields.Integer(validate=_ID)
    customer_id = fields.Integer(validate=_ID, metadata={"description": "the patient's customer"})
    kind = fields.String(validate=validate.OneOf(EXAM_KINDS))
    status = fields.String(validate=validate.OneOf(EXAM_STATES))


class HisResultImportOut(Schema):
    imported = fields.Integer()
    orders = fields.List(fields.Nested(HisExamOrderOut))


class HisExamItemOut(Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String(allow_none=True)
    category = fields.String(metadata={"enum": list(EXAM_KINDS)})
    price = fields.Decimal(as_string=True)
    currency = fields.String()
