"""What the plugin reads and answers, as marshmallow schemas (named
``Marketing…``: the OpenAPI document names each schema after its class)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import CustomerKind, Flag, Grade, ListArgs, NotBlank, Stage

from ..models.segment import MATCHES
from ..services.conditions import MAX_DAYS, OP_LABELS

#: a condition's value: text, a number, or a list of texts or ids (for "is one of")
VALUE_SCHEMA = {
    "oneOf": [
        {"type": "string", "maxLength": 200},
        {"type": "number"},
        {"type": "array", "maxItems": 50, "items": {"type": ["string", "integer"]}},
        {"type": "null"},
    ]
}


class MarketingConditionInput(Schema):
    """One condition: ``field`` (GET /segments/fields lists them), an ``op``
    the field takes, its ``value`` (none for ``empty``), ``days`` (a window
    for ``activities``) and ``negate`` (not)."""

    field = fields.String(required=True, validate=[validate.Length(min=1, max=80), NotBlank()])
    # the operator and the days are checked with the field (services.conditions.check), so
    # that a refusal names the condition's key: the document states the same bounds
    op = fields.String(required=True, metadata={"enum": list(OP_LABELS)})
    value = fields.Raw(load_default=None, allow_none=True, metadata=VALUE_SCHEMA)
    days = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"minimum": 1, "maximum": MAX_DAYS},
    )
    negate = Flag(load_default=False)


class MarketingSegmentInput(Schema):
    """A segment: its name, what it is for, whether every user who may see
    segments sees it (``shared``), and its conditions joined by ``match``."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )
    match = fields.String(load_default="all", validate=validate.OneOf(MATCHES))
    shared = Flag(load_default=True)
    conditions = fields.List(
        fields.Nested(MarketingConditionInput), load_default=list, validate=validate.Length(max=20)
    )


class MarketingSegmentChange(MarketingSegmentInput):
    """What a change may send (any of a segment's fields) and the version read."""

    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1))


class MarketingPreviewInput(Schema):
    """Conditions to count before saving them."""

    match = fields.String(load_default="all", validate=validate.OneOf(MATCHES))
    conditions = fields.List(
        fields.Nested(MarketingConditionInput), load_default=list, validate=validate.Length(max=20)
    )


class MarketingConditionOut(Schema):
    field = fields.String()
    op = fields.String()
    value = fields.Raw(allow_none=True, metadata=VALUE_SCHEMA)
    days = fields.Integer(allow_none=True)
    negate = fields.Boolean()


class MarketingSegmentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    match = fields.String()
    shared = fields.Boolean()
    owner_id = fields.Integer(allow_none=True)
    conditions = fields.List(fields.Nested(MarketingConditionOut))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingSegmentArgs(ListArgs):
    """``q``: part of the name."""


class MarketingCountOut(Schema):
    count = fields.Integer()


class MarketingMemberOut(Schema):
    """A member as the list shows it (the customer's page has the rest)."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.Enum(CustomerKind, by_value=True)
    stage = fields.Enum(Stage, by_value=True)
    grade = fields.Enum(Grade, by_value=True, allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    last_contacted_at = fields.DateTime(allow_none=True)


class MarketingFieldOut(Schema):
    """A field a condition may name, with the operators and values it takes."""

    key = fields.String()
    label = fields.String()
    kind = fields.String()
    ops = fields.List(fields.String())
    choices = fields.List(fields.String())
