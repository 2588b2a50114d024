"""Response schemas: how core's records look to API clients."""

from flask import g
from flask_login import current_user
from marshmallow import Schema, fields, post_dump

from core.access import conceal, hidden_fields
from core.models import CustomerKind, Grade, Stage
from core.schemas import Id


class FieldAccess(Schema):
    """Drops the fields the caller's role hides (field-level access), so no
    API answer can carry them, whichever endpoint dumps the record."""

    entity = ""

    @post_dump
    def hide(self, data, **kwargs):
        cache = g.setdefault("trellis_hidden_fields", {})  # once per request, not per row
        if self.entity not in cache:
            cache[self.entity] = bool(hidden_fields(current_user, self.entity))
        return conceal(self.entity, data, current_user) if cache[self.entity] else data


class TagOut(Schema):
    id = fields.Integer()
    name = fields.String()


class CustomerOut(FieldAccess):
    entity = "customer"

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.Enum(CustomerKind)
    industry = fields.String(allow_none=True)
    grade = fields.Enum(Grade, allow_none=True)
    source = fields.String(allow_none=True)
    stage = fields.Enum(Stage)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    region = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phones = fields.List(fields.String())
    emails = fields.List(fields.String())
    website = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    custom_fields = fields.Dict()
    tags = fields.Function(lambda c: [t.name for t in c.tags], metadata={"type": "array"})
    last_contacted_at = fields.AwareDateTime(allow_none=True)
    next_follow_up_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    deleted_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer(required=True)


class DuplicateOut(Schema):
    id = fields.Integer()
    name = fields.String()


class CustomerCreated(CustomerOut):
    likely_duplicates = fields.List(fields.Nested(DuplicateOut))


class ContactOut(FieldAccess):
    entity = "contact"

    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = fields.String(allow_none=True)
    phones = fields.List(fields.String())
    emails = fields.List(fields.String())
    is_primary = fields.Boolean()
    birthday = fields.Date(allow_none=True)
    preferred_channel = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer(required=True)


class ActivityOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    direction = fields.String(allow_none=True)
    subject = fields.String(required=True)
    body = fields.String(allow_none=True)
    occurred_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    done_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    contact_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    link_type = fields.String(allow_none=True)
    link_id = fields.Integer(allow_none=True)
    link_url = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "in a timeline: the page of the plugin record the activity is about, "
            "when the user may open it"
        },
    )
    version = fields.Integer(required=True)


class AuditOut(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(allow_none=True)
    entity = fields.String(required=True)
    entity_id = fields.Integer(required=True)
    action = fields.String(required=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    created_at = fields.AwareDateTime()


class MergeInput(Schema):
    merge_id = Id(required=True)
    choose = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "field -> 'survivor' or 'merged'; default: the newer non-empty value"
        },
    )


class PluginOut(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String()
    requires = fields.List(fields.String())
    enabled = fields.Boolean(required=True)
    builtin = fields.Boolean(required=True)


class TokenOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    expires_at = fields.AwareDateTime(required=True)


class TokenCreated(TokenOut):
    token = fields.String(required=True, metadata={"description": "the secret; shown only once"})
