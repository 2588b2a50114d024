"""Editing users, roles, tags and custom-field definitions (admin work)."""

from __future__ import annotations

import marshmallow
import pytz
from flask import current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.errors import TakenError, ValidationError, refuse
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import CustomFieldDefinition, DataScope, Role, Tag, Team, User
from core.registry import current_registry
from core.schemas import Flag, Id
from core.services.base import apply, audit, check_version, load, missing_refs, save, snapshot
from core.services.tokens import revoke_user_tokens


def known_timezone(value: str | None) -> None:
    if value is not None and value not in pytz.all_timezones_set:
        raise marshmallow.ValidationError(_("unknown time zone; use a name such as Asia/Shanghai"))


def known_theme(value: str | None) -> None:
    themes = current_app.extensions["trellis_themes"]
    if value is not None and value not in themes:
        raise marshmallow.ValidationError(
            _("no such theme; use one of: %(names)s", names=", ".join(sorted(themes)))
        )


class UserChange(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    role_id = Id(allow_none=True)
    team_id = Id(allow_none=True)
    active = Flag()
    locale = fields.String(allow_none=True, validate=validate.OneOf(["en", "zh_CN"]))
    timezone = fields.String(allow_none=True, validate=known_timezone)
    theme = fields.String(allow_none=True, validate=known_theme)


class RoleInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    permissions = fields.List(
        fields.String(metadata={"declared": "permissions", "also": ["*"]}), load_default=list
    )
    scope = fields.Enum(DataScope, load_default=DataScope.own)
    hidden_fields = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$")), load_default=list
    )


class TagInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    color = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=16))


class FieldDefinitionInput(Schema):
    class Meta:
        #: a choice field needs its options (for the OpenAPI document)
        json_schema = {
            "if": {
                "properties": {"type": {"enum": ["choice", "multi_choice"]}},
                "required": ["type"],
            },
            "then": {"properties": {"options": {"minItems": 1}}, "required": ["options"]},
        }

    entity = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,63}$"))
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, metadata={"declared": "field_types"})
    options = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    required = Flag(load_default=False)
    position = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10_000))
    active = Flag(load_default=True)


def update_user(
    user: User, payload: dict, actor: User | None, expected_version: int | None = None
) -> User:
    """Change a user; deactivating or changing the role ends their sessions,
    deactivating also revokes their API tokens (reactivating does not revive them)."""
    data = load(UserChange(), payload, partial=True)
    refuse(missing=missing_refs(data, role_id=Role, team_id=Team))
    check_version(user, expected_version)
    with transaction():
        before = snapshot(user)
        changes = apply(user, data)
        if {"active", "role_id"} & set(changes):
            user.session_version += 1
        if "active" in changes and not user.active:
            revoke_user_tokens(user, actor, "deactivated")
        if changes:
            audit(actor, user, "update", before, snapshot(user))
    return user


def save_role(
    role: Role | None, payload: dict, actor: User | None, expected_version: int | None = None
) -> Role:
    """Create (``role`` None) or replace a role; permissions must be declared."""
    data = load(RoleInput(), payload)
    declared = current_registry().permissions
    unknown = [p for p in data["permissions"] if p != "*" and p not in declared]
    if unknown:
        raise ValidationError({"permissions": [_("unknown permission %(p)r", p=unknown[0])]})
    clash = db.session.scalar(select(Role.id).where(Role.name == data["name"]))
    if clash and (role is None or clash != role.id):
        raise TakenError({"name": [_("a role with this name already exists")]})
    if role is not None:
        check_version(role, expected_version)
    return save(Role, role, data, actor)


def create_tag(payload: dict, actor: User | None) -> Tag:
    data = load(TagInput(), payload)
    data["name"] = data["name"].strip()
    if not data["name"]:
        raise ValidationError({"name": [_("a tag needs a name of at most 60 characters")]})
    if db.session.scalar(select(func.count()).where(Tag.name == data["name"])):
        raise TakenError({"name": [_("a tag with this name already exists")]})
    return save(Tag, None, data, actor)


def save_field_definition(
    definition: CustomFieldDefinition | None, payload: dict, actor: User | None
) -> CustomFieldDefinition:
    data = load(FieldDefinitionInput(), payload)
    errors: dict[str, list[str]] = {}
    taken: dict[str, list[str]] = {}
    if data["type"] not in current_registry().field_types:
        errors["type"] = [_("unknown field type %(t)r", t=data["type"])]
    if data["type"] in ("choice", "multi_choice") and not data["options"]:
        errors["options"] = [_("a choice field needs options")]
    clash = db.session.scalar(
        select(CustomFieldDefinition.id).where(
            CustomFieldDefinition.entity == data["entity"], CustomFieldDefinition.key == data["key"]
        )
    )
    if clash and (definition is None or clash != definition.id):
        taken["key"] = [_("this entity already has a field with this key")]
    refuse(errors, taken=taken)
    return save(CustomFieldDefinition, definition, data, actor)
