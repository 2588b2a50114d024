"""What the static-list API reads and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Flag, ListArgs, NotBlank

#: customers one call adds or removes at most
MAX_IDS = 1000
_ID = fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1))


class MarketingListInput(Schema):
    """A list: its name, what it is for, ``shared``, and what it starts with —
    the members of segment ``segment_id`` now, and/or ``customer_ids``."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )
    shared = Flag(load_default=True)
    segment_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 2**31 - 1)
    )
    customer_ids = fields.List(_ID, load_default=list, validate=validate.Length(max=MAX_IDS))


class MarketingListChange(Schema):
    """What a change may send, and the version read."""

    name = fields.String(validate=[validate.Length(min=1, max=120), NotBlank()])
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    shared = Flag()
    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1))


class MarketingListMembersInput(Schema):
    customer_ids = fields.List(_ID, required=True, validate=validate.Length(min=1, max=MAX_IDS))


class MarketingListOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    shared = fields.Boolean()
    owner_id = fields.Integer(allow_none=True)
    segment_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingListArgs(ListArgs):
    """``q``: part of the name."""


class MarketingChangedOut(Schema):
    """How many customers a call put on the list, or took off it."""

    changed = fields.Integer()
