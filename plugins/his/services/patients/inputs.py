"""What registering, editing and marking a patient deceased read: the
marshmallow schemas the API's request bodies and the web forms share."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from core.api import NotBlank, Phone

from ...models import ID_TYPES, SEXES

_ID = validate.Range(1, 2**31 - 1)
#: a name: 1 to 120 characters, not only blanks
NAME = [validate.Length(min=1, max=120), NotBlank()]
#: allergies and chronic conditions: up to 50 entries of up to 80 characters
ENTRIES = validate.Length(max=50)
ENTRY = fields.String(validate=validate.Length(min=1, max=80))
_TEXT = (
    "id_type",
    "national_id",
    "guardian_name",
    "guardian_relation",
    "emergency_name",
    "emergency_relation",
)


class PatientChange(Schema):
    """The medical record's own fields (name, phones and address are the
    customer's, edited on the customer's page); what a PATCH may change."""

    sex = fields.String(
        allow_none=True,
        validate=validate.OneOf(SEXES),
        metadata={"description": "M, F or U (unknown); none: as the national ID says, or U"},
    )
    birth_date = fields.Date(allow_none=True)
    id_type = fields.String(allow_none=True, validate=validate.OneOf(ID_TYPES))
    national_id = fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={"description": "身份证号; kept encrypted, shown masked without his.patient.pii"},
    )
    guardian_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    guardian_relation = fields.String(allow_none=True, validate=validate.Length(max=40))
    guardian_phone = Phone(allow_none=True, validate=validate.Length(max=40))
    emergency_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    emergency_relation = fields.String(allow_none=True, validate=validate.Length(max=40))
    emergency_phone = Phone(allow_none=True, validate=validate.Length(max=40))
    allergies = fields.List(ENTRY, validate=ENTRIES)
    chronic_conditions = fields.List(ENTRY, validate=ENTRIES)

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        for name in _TEXT:
            if isinstance(data.get(name), str):
                data[name] = data[name].strip() or None
        if "sex" in data and data["sex"] is None:
            del data["sex"]  # not given: the number's, or left as it is
        for name in ("allergies", "chronic_conditions"):
            if name in data:
                data[name] = list(dict.fromkeys(e.strip() for e in data[name] if e.strip()))
        return data


class PatientInput(PatientChange):
    """A new patient: a new person (``name``, ``phone``, ``address``,
    ``owner_id``, ``team_id`` make the customer), or an existing customer of
    kind person (``customer_id``) becoming a patient."""

    customer_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "an existing customer of kind person; else name makes one"},
    )
    name = fields.String(validate=NAME, metadata={"description": "required without customer_id"})
    phone = Phone(allow_none=True, validate=validate.Length(max=40))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    owner_id = fields.Integer(
        allow_none=True, validate=_ID, metadata={"description": "the responsible clinician"}
    )
    team_id = fields.Integer(
        allow_none=True, validate=_ID, metadata={"description": "the caring department's team"}
    )

    @post_load
    def tidy_person(self, data: dict, **kwargs) -> dict:
        for name in ("name", "address"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip() or None
        return data


class DeceasedInput(Schema):
    deceased_on = fields.Date(required=True, metadata={"description": "the day of death"})
