"""What the formulary, prescriptions and examination orders read: the
marshmallow schemas the API's request bodies and the web forms share."""

from __future__ import annotations

import re

from marshmallow import Schema, fields, post_load, validate
from marshmallow import ValidationError as FieldError

from core.api import Amount, Flag, NotBlank, translator

from ...models import DRUG_CATEGORIES, RESULT_FLAGS, WARNING_KINDS

_, _l = translator("his")

_ID = validate.Range(1, 2**31 - 1)
#: a drug's code: letters, digits, "-", "_" and "."
CODE = [validate.Length(min=1, max=32), validate.Regexp(r"^[A-Za-z0-9_.-]+$")]


def _text(max_length: int, **kwargs) -> fields.String:
    """A required line of text: not blank, at most ``max_length`` long."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), NotBlank()], **kwargs)


def _optional(max_length: int) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_length))


class Whole(fields.Integer):
    """A whole number as JSON writes one (``3`` or ``3.0``); text or a
    fraction is refused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Dose(fields.Decimal):
    """A dose above 0 written as a string ("500", "0.25"): at most six
    digits before the point and three after; the OpenAPI document carries
    the pattern the field checks."""

    pattern = r"^([1-9][0-9]{0,5}(\.[0-9]{1,3})?|0\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"

    def __init__(self, **kwargs) -> None:
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise FieldError(_("give a dose above 0 such as 500 or 0.25"))
        return super()._deserialize(value, attr, data, **kwargs)


class Tidy(Schema):
    """Strips the text fields it loads; an empty optional one becomes None."""

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = value.strip() or None
        return data


class DrugChange(Tidy):
    """What editing a drug of the formulary may change."""

    code = fields.String(validate=CODE, metadata={"description": "unique, e.g. AMOX500"})
    generic_name = _text(120, metadata={"description": "the international name"})
    brand_name = _optional(120)
    name_zh = _optional(120)
    form = _text(40, metadata={"description": "tablet, capsule, syrup, injection …"})
    strength = _optional(40)
    unit = _text(20, metadata={"description": "what a quantity counts: box, bottle …"})
    pack_size = Whole(allow_none=True, validate=validate.Range(1, 100000))
    price = Amount()
    currency = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^[A-Z]{3}$"),
        metadata={"description": "the instance's currency when null or left out"},
    )
    category = fields.String(validate=validate.OneOf(DRUG_CATEGORIES))
    allergen_class = _optional(120)
    active = Flag()


class DrugInput(DrugChange):
    """A new drug of the formulary (currency: the instance's unless given)."""

    code = fields.String(required=True, validate=CODE, metadata={"description": "unique"})
    generic_name = _text(120, required=True)
    form = _text(40, required=True)
    unit = _text(20, required=True)
    price = Amount(required=True)


class PrescriptionLineInput(Tidy):
    """One drug of a prescription."""

    drug_id = Whole(required=True, validate=_ID)
    dose = Dose(required=True, metadata={"description": "per intake, in dose_unit"})
    dose_unit = _text(20, required=True, metadata={"description": "mg, ml, tablet …"})
    route = _text(20, required=True, metadata={"description": "oral, iv, im, topical …"})
    frequency = _text(20, required=True, metadata={"description": "qd, bid, tid, prn …"})
    days = Whole(required=True, validate=validate.Range(1, 365))
    quantity = Whole(
        required=True,
        validate=validate.Range(1, 9999),
        metadata={"description": "in the drug's unit"},
    )
    note = _optional(200)


class PrescriptionChange(Tidy):
    """A draft's note and its lines (the lines given replace them all)."""

    note = _optional(500)
    lines = fields.List(
        fields.Nested(PrescriptionLineInput), validate=validate.Length(min=1, max=30)
    )


class PrescriptionInput(PrescriptionChange):
    """A new prescription in an open visit."""

    visit_id = Whole(required=True, validate=_ID)
    lines = fields.List(
        fields.Nested(PrescriptionLineInput), required=True, validate=validate.Length(min=1, max=30)
    )


class OverrideInput(Schema):
    """The doctor's reason to sign despite a warning on a line."""

    line_id = Whole(required=True, validate=_ID)
    kind = fields.String(required=True, validate=validate.OneOf(WARNING_KINDS))
    reason = _text(200, required=True)


class SignInput(Schema):
    overrides = fields.List(fields.Nested(OverrideInput), load_default=list)


class CancelInput(Schema):
    reason = _text(200, required=True)


class ExamOrderInput(Tidy):
    """An examination order: an active lab or imaging item of the price list."""

    visit_id = Whole(required=True, validate=_ID)
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    note = _optional(200)


class ResultInput(Tidy):
    """A result: a value (with its unit and flag) or a text, or both."""

    value = _optional(40)
    unit = _optional(20)
    flag = fields.String(allow_none=True, validate=validate.OneOf(RESULT_FLAGS))
    text = fields.String(allow_none=True, validate=validate.Length(max=5000))
