"""What planning the clinic reads: the marshmallow schemas the API's
request bodies and the web forms share (departments, clinic sessions, a
week template, stopping a session)."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from core.api import Amount, Flag, NotBlank

from ...models import PERIODS, REGISTRATION_TYPES

_ID = validate.Range(1, 2**31 - 1)


class Whole(fields.Integer):
    """A whole number as JSON writes one (``3`` or ``3.0``); text, a
    fraction or a yes/no is refused. Forms send numbers through
    ``core.forms.payload``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


_QUOTA = validate.Range(0, 999)
#: a department's code: letters, digits, "-" and "_"
CODE = [validate.Length(min=1, max=20), validate.Regexp(r"^[A-Za-z0-9_-]+$")]
NAME = [validate.Length(min=1, max=80), NotBlank()]


class DepartmentChange(Schema):
    """What editing a department may change (``active`` false deactivates it)."""

    code = fields.String(validate=CODE, metadata={"description": "unique, e.g. CARD"})
    name = fields.String(validate=NAME)
    team_id = Whole(
        allow_none=True,
        validate=_ID,
        metadata={"description": "the core team of its staff; no other department's"},
    )
    active = Flag()
    sort_order = Whole(validate=validate.Range(-9999, 9999))

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        for name in ("code", "name"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        if data.get("code"):
            data["code"] = data["code"].upper()
        return data


class DepartmentInput(DepartmentChange):
    """A new department; without ``team_id`` a team of its name is made
    (or the team of that name no department holds is taken)."""

    code = fields.String(required=True, validate=CODE, metadata={"description": "unique"})
    name = fields.String(required=True, validate=NAME)


class SessionChange(Schema):
    """What editing a clinic session may change."""

    registration_type = fields.String(validate=validate.OneOf(REGISTRATION_TYPES))
    fee = Amount()
    desk_quota = Whole(validate=_QUOTA)
    online_quota = Whole(validate=_QUOTA)


class SessionInput(SessionChange):
    """A clinic session (出诊): one doctor's period of a day in a department."""

    department_id = Whole(required=True, validate=_ID)
    doctor_id = Whole(
        required=True, validate=_ID, metadata={"description": "a doctor of the department's team"}
    )
    day = fields.Date(required=True, metadata={"description": "today or later"})
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    registration_type = fields.String(
        load_default="general", validate=validate.OneOf(REGISTRATION_TYPES)
    )
    fee = Amount(required=True)
    desk_quota = Whole(required=True, validate=_QUOTA)
    online_quota = Whole(required=True, validate=_QUOTA)


class TemplateInput(Schema):
    """A week template: the same doctor, periods and weekdays for ``weeks``
    weeks from ``start`` (today or later)."""

    department_id = Whole(required=True, validate=_ID)
    doctor_id = Whole(required=True, validate=_ID)
    start = fields.Date(required=True, metadata={"description": "the first day; today or later"})
    weeks = Whole(required=True, validate=validate.Range(1, 12))
    weekdays = fields.List(
        Whole(validate=validate.Range(1, 7)),
        required=True,
        validate=validate.Length(min=1, max=7),
        metadata={"description": "ISO weekdays: 1 Monday … 7 Sunday"},
    )
    periods = fields.List(
        fields.String(validate=validate.OneOf(PERIODS)),
        required=True,
        validate=validate.Length(min=1, max=3),
    )
    registration_type = fields.String(
        load_default="general", validate=validate.OneOf(REGISTRATION_TYPES)
    )
    fee = Amount(required=True)
    desk_quota = Whole(required=True, validate=_QUOTA)
    online_quota = Whole(required=True, validate=_QUOTA)


class StopInput(Schema):
    """Stopping a session (停诊): why."""

    reason = fields.String(required=True, validate=[validate.Length(min=1, max=200), *NAME[1:]])

    @post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        data["reason"] = data["reason"].strip()
        return data
