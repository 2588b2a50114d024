"""Users, teams and roles as the CLI and (later) the admin pages manage them."""

from __future__ import annotations

from sqlalchemy import func, select

from core.errors import NotFoundError, refuse
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import DataScope, Role, Team, User
from core.registry import current_registry
from core.schemas import UserInput
from core.security import hash_password
from core.services.base import audit, load, missing_refs, snapshot
from core.services.tokens import revoke_user_tokens

_schema = UserInput()


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(_("no user with e-mail %(email)s", email=email))
    return user


def ensure_default_roles() -> dict[str, Role]:
    """Create the starting roles (core's and the plugins' ``trellis_roles``)
    that do not exist yet, with their permissions plus those declared for
    them in ``default_roles``; return all roles by name."""
    registry = current_registry()
    with transaction():
        roles = {r.name: r for r in db.session.scalars(select(Role))}
        for name, template in registry.roles.items():
            if name not in roles:
                extra = [p.name for p in registry.permissions.values() if name in p.default_roles]
                roles[name] = Role(
                    name=name,
                    permissions=list(dict.fromkeys([*template.permissions, *extra])),
                    scope=DataScope(template.scope),
                )
                db.session.add(roles[name])
    return roles


def create_user(payload: dict, actor: User | None, role: str | None = None) -> User:
    """Create a user; ``role`` is a role name (an alternative to ``role_id``)."""
    data = load(_schema, payload)
    data["email"] = data["email"].strip().lower()
    taken: dict[str, list[str]] = {}
    if db.session.scalar(select(func.count()).where(User.email == data["email"])):
        taken["email"] = [_("a user with this e-mail already exists")]
    missing = missing_refs(data, team_id=Team, role_id=Role)
    if role is not None:
        found = db.session.scalar(select(Role).where(Role.name == role))
        if found is None:
            missing["role"] = [_("no role named %(role)r", role=role)]
        else:
            data["role_id"] = found.id
    refuse(missing=missing, taken=taken)
    password = data.pop("password", None)
    with transaction():
        user = User(**data, password_hash=hash_password(password) if password else None)
        db.session.add(user)
        audit(actor, user, "create", None, snapshot(user))
    return user


def set_password(user: User, password: str, actor: User | None) -> None:
    """Set a new password; end the user's other sessions and revoke their API tokens."""
    load(UserInput(only=("password",)), {"password": password})
    with transaction():
        user.password_hash = hash_password(password)
        user.session_version += 1
        audit(actor, user, "set_password", None, None)
        revoke_user_tokens(user, actor, "password")


def create_team(name: str, actor: User | None, parent_id: int | None = None) -> Team:
    """A new team (under ``parent_id``), audited; 422 naming ``name`` when it is
    empty or taken."""
    name = name.strip()
    invalid, taken = {}, {}
    if not name:
        invalid["name"] = [_("a team needs a name")]
    elif db.session.scalar(select(func.count()).where(Team.name == name)):
        taken["name"] = [_("a team with this name already exists")]
    refuse(invalid, missing=missing_refs({"parent_id": parent_id}, parent_id=Team), taken=taken)
    with transaction():
        team = Team(name=name, parent_id=parent_id)
        db.session.add(team)
        audit(actor, team, "create", None, snapshot(team))
    return team
