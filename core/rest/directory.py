"""Users, teams, roles, tags and custom-field definitions under ``/api/v1``.

Everyone signed in may read the directory (to pick an owner or a tag);
changing it needs ``admin.users`` or ``admin.settings``.
"""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import CustomFieldDefinition, DataScope, Role, Tag, Team, User
from core.rest.auth import require
from core.rest.customers import body, expected_version
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.schemas import Id, UserInput
from core.search import text_contains
from core.services import directory as service
from core.services.base import load
from core.services.directory import FieldDefinitionInput, RoleInput, TagInput, UserChange
from core.services.users import create_team, create_user

bp = Blueprint("api_directory", __name__, description="Users, teams, roles, tags, custom fields")


class UserOut(Schema):
    id = fields.Integer(required=True)
    email = fields.Method("email_if_admin", allow_none=True)
    name = fields.String(required=True)
    team_id = fields.Integer(allow_none=True)
    role_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    locale = fields.String(allow_none=True)
    version = fields.Integer()

    def email_if_admin(self, user):
        return user.email if current_user.can("admin.users") or user.id == current_user.id else None


class TeamOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)


class TeamInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    parent_id = Id(allow_none=True)


class RoleOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    permissions = fields.List(fields.String())
    scope = fields.Enum(DataScope)
    hidden_fields = fields.List(fields.String())
    version = fields.Integer()


class TagOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    color = fields.String(allow_none=True)


class FieldDefinitionOut(FieldDefinitionInput):
    id = fields.Integer(required=True)
    declared_by = fields.String(allow_none=True)
    version = fields.Integer()


def _get(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFoundError(_("%(kind)s %(id)s not found", kind=model.__tablename__, id=record_id))
    return record


USER_SORTABLE = {"name": User.name, "created_at": User.created_at}


@bp.route("/users", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, USER_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(UserOut, "UserPage"))
def list_users(args):
    query = select(User).where(User.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(text_contains(User.name, args["q"]))
    return paginate(query, args, USER_SORTABLE, "name")


@bp.route("/users", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": UserInput}}})
@bp.response(201, UserOut)
def add_user():
    require("admin.users")
    return create_user(body(), current_user)


@bp.route("/users/<int:user_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": UserChange}}})
@bp.response(200, UserOut)
def change_user(user_id: int):
    """Edit a user; ``active: false`` deactivates and ends their sessions."""
    require("admin.users")
    payload = body()
    return service.update_user(
        _get(User, user_id), payload, current_user, expected_version(payload)
    )


@bp.route("/teams", methods=["GET"])
@bp.response(200, TeamOut(many=True))
def list_teams():
    return db.session.scalars(select(Team).order_by(Team.name)).all()


@bp.route("/teams", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": TeamInput}}})
@bp.response(201, TeamOut)
def add_team():
    require("admin.users")
    data = load(TeamInput(), body())
    return create_team(data["name"], current_user, parent_id=data.get("parent_id"))


@bp.route("/roles", methods=["GET"])
@bp.response(200, RoleOut(many=True))
def list_roles():
    return db.session.scalars(select(Role).order_by(Role.name)).all()


@bp.route("/roles", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": RoleInput}}})
@bp.response(201, RoleOut)
def add_role():
    require("admin.users")
    return service.save_role(None, body(), current_user)


@bp.route("/roles/<int:role_id>", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": RoleInput}}})
@bp.response(200, RoleOut)
def replace_role(role_id: int):
    require("admin.users")
    payload = body()
    return service.save_role(_get(Role, role_id), payload, current_user, expected_version(payload))


@bp.route("/tags", methods=["GET"])
@bp.response(200, TagOut(many=True))
def list_tags():
    return db.session.scalars(select(Tag).order_by(Tag.name)).all()


@bp.route("/tags", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": TagInput}}})
@bp.response(201, TagOut)
def add_tag():
    require("admin.settings")
    return service.create_tag(body(), current_user)


@bp.route("/custom-fields", methods=["GET"])
@bp.response(200, FieldDefinitionOut(many=True))
def list_custom_fields():
    return db.session.scalars(
        select(CustomFieldDefinition).order_by(
            CustomFieldDefinition.entity, CustomFieldDefinition.position
        )
    ).all()


@bp.route("/custom-fields", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": FieldDefinitionInput}}})
@bp.response(201, FieldDefinitionOut)
def add_custom_field():
    require("admin.settings")
    return service.save_field_definition(None, body(), current_user)


@bp.route("/custom-fields/<int:definition_id>", methods=["PUT"])
@bp.doc(requestBody={"content": {"application/json": {"schema": FieldDefinitionInput}}})
@bp.response(200, FieldDefinitionOut)
def replace_custom_field(definition_id: int):
    require("admin.settings")
    return service.save_field_definition(
        _get(CustomFieldDefinition, definition_id), body(), current_user
    )
