"""Who uses Trellis: users, the teams they belong to, and their roles."""

from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.models.base import SoftDeleteMixin, TimestampMixin, VersionedMixin


class DataScope(str, enum.Enum):
    """Which records a role sees: its own, its team's (and sub-teams'), or all."""

    own = "own"
    team = "team"
    all = "all"


class Team(TimestampMixin, VersionedMixin, Model):
    """团队 / 部门. Teams nest: a user whose role has team scope sees their
    team and every team below it."""

    __tablename__ = "team"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    parent: Mapped[Team | None] = relationship(remote_side="Team.id")


class Role(TimestampMixin, VersionedMixin, Model):
    """A named set of permission strings plus a data scope.

    Permissions are declared by core and by plugins (``trellis_permissions``);
    ``"*"`` grants all of them.
    """

    __tablename__ = "role"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    scope: Mapped[DataScope] = mapped_column(
        Enum(DataScope, native_enum=False, length=8), default=DataScope.own
    )
    #: fields this role may not see, copy or export, e.g. ``["customer.phones"]``
    hidden_fields: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    def hides(self, entity: str, field: str) -> bool:
        return f"{entity}.{field}" in (self.hidden_fields or ())

    def grants(self, permission: str) -> bool:
        return "*" in self.permissions or permission in self.permissions


class User(UserMixin, TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """A person who signs in. Deactivated users keep their history."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    theme: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"), index=True)
    #: bumped to end every session of the user (logout everywhere, password change)
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    role: Mapped[Role | None] = relationship()

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active and self.deleted_at is None

    def get_id(self) -> str:
        """flask-login's session key: ``<id>:<session version>``, so bumping
        ``session_version`` ends every session of the user."""
        return f"{self.id}:{self.session_version}"

    def can(self, permission: str) -> bool:
        return self.role is not None and self.role.grants(permission)

    def __repr__(self) -> str:
        return f"<User {self.email}>"
