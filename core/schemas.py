"""marshmallow schemas for core's records: one definition of valid input.

Service functions load their input through these, so the JSON API, the web
forms, the CLI and the demo loader all obey the same rules and report the
same per-field messages.
"""

from __future__ import annotations

import re
from typing import TypeGuard

from marshmallow import EXCLUDE, Schema, fields, validate
from marshmallow import ValidationError as FieldError

from core.i18n import _
from core.models import CustomerKind, Grade, Stage
from core.normalize import normalize_phone

#: ids are 32-bit on every database; larger numbers are refused at the edge
MAX_ID = 2**31 - 1


def Id(strict: bool = True, **kwargs) -> fields.Integer:  # noqa: N802  (reads like a field)
    """A record id: a whole number from 1 to 2**31 - 1 (``strict=False`` for
    query strings, where numbers arrive as text)."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


class Flag(fields.Boolean):
    """A yes/no of a JSON body: ``true`` or ``false`` only (``0``, ``"yes"``
    … are refused, as the OpenAPI ``boolean`` says). Web forms send real
    booleans through ``core.forms.payload``; query strings keep marshmallow's
    lenient ``Boolean`` ("1", "true", "on" …)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


#: an amount: at most ten digits before the point, two after, no sign, no
#: leading zero ("1999.90", "0.5", "12"); positive ones are above zero
AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"
POSITIVE_AMOUNT_PATTERN = r"^([1-9][0-9]{0,9}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"


class Amount(fields.Decimal):
    """Money or a quantity, written as a string ("1999.90") so that no
    float rounds it: from 0 (above 0 when ``positive``) to 9999999999.99,
    at most two decimal places. The OpenAPI document carries the same
    pattern the field checks, so a client can validate before sending."""

    def __init__(self, *, positive: bool = False, **kwargs) -> None:
        super().__init__(as_string=True, **kwargs)
        self.positive = positive
        self.pattern = POSITIVE_AMOUNT_PATTERN if positive else AMOUNT_PATTERN

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise FieldError(
                _("give an amount above 0 such as 12.50, with at most two decimal places")
                if self.positive
                else _("give an amount such as 12.50, with at most two decimal places")
            )
        return super()._deserialize(value, attr, data, **kwargs)


class Phone(fields.String):
    """A phone number as people type it, stored in E.164 (``+8613800138000``,
    see :func:`core.normalize.normalize_phone`); a number libphonenumber does
    not know is refused with the reason, under the field's name. ``None`` and
    an empty string stay empty when the field allows none."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if self.allow_none and isinstance(value, str) and not value.strip():
            value = None  # as if left out: no length or other check to pass
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        typed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_phone(typed)
        except ValueError as error:
            raise FieldError(str(error)) from None


#: blank in either dialect: Python's ``\s`` and JSON Schema's (ECMA-262)
#: ``\s`` differ (U+0085 and U+001C–U+001F are blank only to Python, U+FEFF
#: only to ECMA), so the rule names their union and a client that checks the
#: OpenAPI pattern agrees with the server on every string
NOT_BLANK_PATTERN = r"[^\s\u0085\u001c-\u001f\ufeff]"
_NOT_BLANK = re.compile(NOT_BLANK_PATTERN)


class NotBlank(validate.Regexp):
    """Refuses text with nothing but blanks in it; the OpenAPI document
    carries the same ``pattern`` (searched, as JSON Schema does)."""

    def __init__(self) -> None:
        super().__init__(NOT_BLANK_PATTERN)

    def __call__(self, value):
        if _NOT_BLANK.search(value) is None:
            raise FieldError(_("This field may not be blank."))
        return value


def is_id(value: object) -> TypeGuard[int]:
    """True for a value that can be a record id (checked before a lookup)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class CustomerInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(CustomerKind, load_default=CustomerKind.company)
    industry = fields.String(allow_none=True, validate=validate.Length(max=80))
    grade = fields.Enum(Grade, allow_none=True)
    source = fields.String(allow_none=True, validate=validate.Length(max=60))
    stage = fields.Enum(Stage, load_default=Stage.lead)
    owner_id = Id(allow_none=True)
    team_id = Id(allow_none=True)
    region = fields.String(allow_none=True, validate=validate.Length(max=80))
    city = fields.String(allow_none=True, validate=validate.Length(max=80))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    phones = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    emails = fields.List(fields.String(validate=validate.Length(max=254)), load_default=list)
    website = fields.String(allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(allow_none=True, validate=validate.Length(max=20000))
    custom_fields = fields.Dict(keys=fields.String(), load_default=dict)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list)


class ContactInput(Schema):
    customer_id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    title = fields.String(allow_none=True, validate=validate.Length(max=120))
    phones = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    emails = fields.List(fields.String(validate=validate.Length(max=254)), load_default=list)
    is_primary = Flag(load_default=False)
    birthday = fields.Date(allow_none=True)
    preferred_channel = fields.String(
        allow_none=True, validate=validate.OneOf(["phone", "email", "sms", "wechat", "visit"])
    )
    notes = fields.String(allow_none=True, validate=validate.Length(max=20000))


class ActivityInput(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    direction = fields.String(allow_none=True, validate=validate.OneOf(["in", "out"]))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(allow_none=True, validate=validate.Length(max=20000))
    occurred_at = fields.AwareDateTime(allow_none=True, default_timezone=None)
    due_at = fields.AwareDateTime(allow_none=True)
    customer_id = Id(allow_none=True)
    contact_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)
    task_id = Id(allow_none=True)
    outcome = fields.String(allow_none=True, validate=validate.Length(max=32))
    link_type = fields.String(allow_none=True, validate=validate.Length(max=64))
    link_id = Id(allow_none=True)


class UserInput(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=8, max=256), load_only=True
    )
    role_id = Id(allow_none=True)
    team_id = Id(allow_none=True)
    locale = fields.String(allow_none=True, validate=validate.OneOf(["en", "zh_CN"]))
    timezone = fields.String(allow_none=True, validate=validate.Length(max=64))


class TokenInput(Schema):
    """A new personal API token. ``expires_in_days`` left out (or null) means
    the configured default; the configured maximum is checked by the service."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    expires_in_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))


class FollowUpPlanInput(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    rule = fields.String(required=True, validate=validate.Length(min=1, max=64))
    params = fields.Dict(load_default=dict)
    team_id = Id(allow_none=True)
    active = Flag(load_default=True)
