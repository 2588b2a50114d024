"""Administration of users, teams, roles and permissions, custom fields and
tags: web pages over the services the directory API uses.

Every form here has the same shape (:func:`form_page`): the posted text goes
through the API's marshmallow schema by way of :func:`core.forms.payload`,
then to the same service function the JSON API calls. A rejected input comes
back with the message next to its field (422), an edit based on an old read
comes back with the input kept (409), and a saved one redirects (PRG).
Permissions are the API's: ``admin.users`` for users, teams and roles,
``admin.settings`` for custom fields and tags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from marshmallow import Schema
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from core import forms
from core.errors import StaleVersionError, ValidationError
from core.extensions import db
from core.forms import list_page
from core.i18n import _, _l
from core.models import (
    Customer,
    CustomFieldDefinition,
    DataScope,
    Role,
    Tag,
    Team,
    User,
    customer_tag,
)
from core.registry import current_registry
from core.rest.auth import require
from core.rest.directory import TeamInput
from core.schemas import UserInput
from core.services import directory as service
from core.services.base import check_version, load
from core.services.directory import FieldDefinitionInput, RoleInput, TagInput, UserChange
from core.services.users import create_team, create_user, set_password
from core.web.audit_labels import LOCALES, SCOPES
from core.web.base import role_title
from core.web.role_choices import hideable_fields, permission_groups

bp = Blueprint("directory", __name__, url_prefix="/admin")
PER_PAGE = 50
NEW_USER = ("name", "email", "password", "role_id", "team_id")
USER_CHANGE = ("name", "role_id", "team_id", "active", "locale")
ENTITIES = {"customer": _l("Customer"), "contact": _l("Contact")}


def form_page(
    template: str,
    schema: Schema,
    save: Callable[[dict, int | None], Any],
    done: Callable[[Any], str],
    target: str,
    *,
    values: dict,
    record=None,
    only: tuple[str, ...] | None = None,
    **context,
):
    """Show a form (GET) or save it (POST) with ``save(data, read_version)``.

    On success: flash ``done(saved)`` and redirect to ``target``. A
    :class:`ValidationError` shows the form again with its messages (422), a
    :class:`StaleVersionError` with the input kept and the record's current
    version, so saving again overwrites knowingly (409). Passwords are never
    sent back to the browser.
    """

    def show(shown: dict, errors: dict, status: int = 200):
        shown = {k: v for k, v in shown.items() if k != "password"}
        return render_template(
            template, record=record, values=shown, errors=errors, **context
        ), status

    if request.method == "GET":
        return show(values, {})
    data, read_version = forms.payload(schema, only=only), forms.version()
    try:
        saved = save(data, read_version)
    except ValidationError as exc:
        db.session.rollback()
        return show({**data, "version": read_version}, exc.errors, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(
            _(
                "Someone else changed this record while you were editing. Your input is kept "
                "below; check it and save again."
            ),
            "error",
        )
        return show({**data, "version": record.version}, {}, 409)
    flash(done(saved), "success")
    return redirect(target)


def found(model, record_id: int):
    """The record, or 404 (a deleted user counts as gone)."""
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "deleted_at", None) is not None:
        abort(404)
    return record


def choices() -> dict:
    """Roles and teams to pick from, as ``(id, name)`` pairs (a starting
    role by its translated title)."""
    return {
        "roles": [
            (role.id, role_title(role))
            for role in db.session.scalars(select(Role).order_by(Role.name))
        ],
        "teams": db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
    }


# Users ----------------------------------------------------------------------


@bp.route("/users")
@login_required
def users():
    require("admin.users")
    query = select(User).where(User.deleted_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = list_page()
    rows = db.session.scalars(
        query.options(joinedload(User.role), joinedload(User.team))
        .order_by(User.name, User.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "core/admin/dir_users.html",
        users=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        locales=dict(LOCALES),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    require("admin.users")
    return form_page(
        "core/admin/dir_user_form.html",
        UserInput(),
        lambda data, _version: create_user(data, current_user),
        lambda user: _("User %(name)s created.", name=user.name),
        url_for(".users"),
        values={},
        only=NEW_USER,
        locales=LOCALES,
        **choices(),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    require("admin.users")
    user = found(User, user_id)
    values = {name: getattr(user, name) for name in USER_CHANGE}
    return form_page(
        "core/admin/dir_user_form.html",
        UserChange(),
        lambda data, version: save_user(user, data, request.form.get("password", ""), version),
        lambda saved: _("User %(name)s saved.", name=saved.name),
        url_for(".users"),
        values={**values, "version": user.version},
        record=user,
        only=USER_CHANGE,
        locales=LOCALES,
        **choices(),
    )


def save_user(user: User, data: dict, password: str, version: int | None) -> User:
    """Change ``user`` and, when one is typed, set a new password.

    An admin may not deactivate themselves (nobody could undo it if they are
    the last one). The password is checked before anything is written, so a
    bad one leaves the user unchanged. Editing oneself bumps one's session
    version (role, password); the admin stays signed in on this session.
    """
    if user.id == current_user.id and data.get("active") is False:
        raise ValidationError({"active": [_("You cannot deactivate your own account.")]})
    if password:
        load(UserInput(only=("password",)), {"password": password})
    service.update_user(user, data, current_user, version)
    if password:
        set_password(user, password, current_user)
    if user.id == current_user.id:
        login_user(user)
    return user


# Teams ----------------------------------------------------------------------


@bp.route("/teams", methods=["GET", "POST"])
@login_required
def teams():
    require("admin.users")
    rows = db.session.scalars(
        select(Team).options(joinedload(Team.parent)).order_by(Team.name)
    ).all()
    return form_page(
        "core/admin/dir_teams.html",
        TeamInput(),
        lambda data, _version: add_team(data),
        lambda team: _("Team %(name)s created.", name=team.name),
        url_for(".teams"),
        values={},
        team_list=rows,
        parents=[(t.id, t.name) for t in rows],
    )


def add_team(data: dict) -> Team:
    data = load(TeamInput(), data)
    return create_team(data["name"], current_user, parent_id=data.get("parent_id"))


# Roles ----------------------------------------------------------------------


@bp.route("/roles")
@login_required
def roles():
    require("admin.users")
    rows = db.session.scalars(select(Role).order_by(Role.name)).all()
    users_per_role = dict(
        db.session.execute(
            select(User.role_id, func.count())
            .where(User.deleted_at.is_(None))
            .group_by(User.role_id)
        ).all()
    )
    return render_template(
        "core/admin/dir_roles.html",
        roles=rows,
        scopes=SCOPES,
        counts=users_per_role,
        permissions=current_registry().permissions,
    )


@bp.route("/roles/new", methods=["GET", "POST"])
@login_required
def role_new():
    require("admin.users")
    return role_form(None)


@bp.route("/roles/<int:role_id>/edit", methods=["GET", "POST"])
@login_required
def role_edit(role_id: int):
    require("admin.users")
    return role_form(found(Role, role_id))


def role_form(role: Role | None):
    values = (
        {
            "name": role.name,
            "permissions": list(role.permissions or []),
            "scope": role.scope.value,
            "hidden_fields": list(role.hidden_fields or []),
            "version": role.version,
        }
        if role
        else {"scope": DataScope.own.value}
    )
    return form_page(
        "core/admin/dir_role_form.html",
        RoleInput(),
        lambda data, version: service.save_role(role, data, current_user, version),
        lambda saved: _("Role %(name)s saved.", name=saved.name),
        url_for(".roles"),
        values=values,
        record=role,
        scopes=[(s.value, label) for s, label in SCOPES.items()],
        permissions=current_registry().permissions,
        permission_groups=permission_groups(),
        hideable=hideable_fields(),
    )


# Custom fields --------------------------------------------------------------


@bp.route("/custom-fields")
@login_required
def fields():
    require("admin.settings")
    rows = db.session.scalars(
        select(CustomFieldDefinition).order_by(
            CustomFieldDefinition.entity, CustomFieldDefinition.position, CustomFieldDefinition.key
        )
    ).all()
    return render_template(
        "core/admin/dir_fields.html",
        definitions=rows,
        entities=ENTITIES,
        types=current_registry().field_types,
    )


@bp.route("/custom-fields/new", methods=["GET", "POST"])
@login_required
def field_new():
    require("admin.settings")
    return field_form(None)


@bp.route("/custom-fields/<int:definition_id>/edit", methods=["GET", "POST"])
@login_required
def field_edit(definition_id: int):
    require("admin.settings")
    return field_form(found(CustomFieldDefinition, definition_id))


def field_form(definition: CustomFieldDefinition | None):
    names = FieldDefinitionInput().fields
    values = (
        {name: getattr(definition, name) for name in names} | {"version": definition.version}
        if definition
        else {"entity": "customer", "type": "text", "active": True, "position": 0}
    )
    return form_page(
        "core/admin/dir_field_form.html",
        FieldDefinitionInput(),
        lambda data, version: save_field(definition, data, version),
        lambda saved: _("Field %(label)s saved.", label=saved.label),
        url_for(".fields"),
        values=values,
        record=definition,
        entities=list(ENTITIES.items()),
        types=[(t.code, t.label) for t in current_registry().field_types.values()],
    )


def save_field(
    definition: CustomFieldDefinition | None, data: dict, version: int | None
) -> CustomFieldDefinition:
    """Save a definition; an existing one keeps its entity and key, since the
    values already stored are filed under them."""
    if definition is not None:
        data = {**data, "entity": definition.entity, "key": definition.key}
        check_version(definition, version)
    return service.save_field_definition(definition, data, current_user)


# Tags -----------------------------------------------------------------------


@bp.route("/tags", methods=["GET", "POST"])
@login_required
def tags():
    require("admin.settings")
    rows = db.session.execute(
        select(Tag, func.count(Customer.id))
        .outerjoin(customer_tag, customer_tag.c.tag_id == Tag.id)
        .outerjoin(
            Customer, and_(Customer.id == customer_tag.c.customer_id, Customer.deleted_at.is_(None))
        )
        .group_by(Tag.id)
        .order_by(Tag.name)
    ).all()
    return form_page(
        "core/admin/dir_tags.html",
        TagInput(),
        lambda data, _version: service.create_tag(data, current_user),
        lambda tag: _("Tag %(name)s created.", name=tag.name),
        url_for(".tags"),
        values={},
        tag_list=rows,
    )
