"""Field engineers (工程师): the users work orders go to."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import TimestampMixin, User, VersionedMixin, db, translator

_, _l = translator("service_dispatch")


class Engineer(TimestampMixin, VersionedMixin, db.Model):
    """A user who goes out on jobs: the categories they can handle and the
    regions they cover (compared with the order's category and the
    customer's region when dispatching)."""

    __tablename__ = "service_dispatch_engineer"
    __label__ = _l("Engineer")  # how the audit log names it

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship()
