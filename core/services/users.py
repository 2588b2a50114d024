"""Users, teams and roles as the CLI and (later) the admin pages manage them."""

from __future__ import annotations

from sqlalchemy import func, select

from core.errors import NotFoundError, ValidationError
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

#: The roles a new instance starts with; admins may edit or add more.
DEFAULT_ROLES = {
    "admin": (["*"], DataScope.all),
    "manager": (
        [
            "customer.read",
            "customer.write",
            "customer.export",
            "customer.transfer",
            "customer.merge",
            "pool.claim",
        ],
        DataScope.team,
    ),
    "sales": (["customer.read", "customer.write", "pool.claim"], DataScope.own),
}


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(_("no user with e-mail %(email)s", email=email))
    return user


def ensure_default_roles() -> dict[str, Role]:
    """Create the default roles that do not exist yet, with core's permissions
    plus those plugins declared for them; return all roles by name."""
    declared = current_registry().permissions.values()
    with transaction():
        roles = {r.name: r for r in db.session.scalars(select(Role))}
        for name, (permissions, scope) in DEFAULT_ROLES.items():
            if name not in roles:
                extra = [p.name for p in declared if name in p.default_roles]
                roles[name] = Role(name=name, permissions=[*permissions, *extra], scope=scope)
                db.session.add(roles[name])
    return roles


def create_user(payload: dict, actor: User | None, role: str | None = None) -> User:
    """Create a user; ``role`` is a role name (an alternative to ``role_id``)."""
    data = load(_schema, payload)
    data["email"] = data["email"].strip().lower()
    errors: dict[str, list[str]] = {}
    if db.session.scalar(select(func.count()).where(User.email == data["email"])):
        errors["email"] = [_("a user with this e-mail already exists")]
    if role is not None:
        found = db.session.scalar(select(Role).where(Role.name == role))
        if found is None:
            errors["role"] = [_("no role named %(role)r", role=role)]
        else:
            data["role_id"] = found.id
    errors.update(missing_refs(data, team_id=Team, role_id=Role))
    if errors:
        raise ValidationError(errors)
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
    name = name.strip()
    errors = missing_refs({"parent_id": parent_id}, parent_id=Team)
    if not name:
        errors["name"] = [_("a team needs a name")]
    elif db.session.scalar(select(func.count()).where(Team.name == name)):
        errors["name"] = [_("a team with this name already exists")]
    if errors:
        raise ValidationError(errors)
    with transaction():
        team = Team(name=name, parent_id=parent_id)
        db.session.add(team)
        audit(actor, team, "create", None, snapshot(team))
    return team
