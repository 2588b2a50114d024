"""A segment (客户分群): a named, saved set of conditions on customers.

Only the definition is stored; its members are computed when asked (a
*dynamic* segment), so a customer who comes to match joins it at once and
the answer always follows the asker's scope. ``conditions`` is a list of
``{"field", "op", "value", "days", "negate"}`` (see
``services.conditions``), combined by ``match``: ``all`` (and) or ``any``
(or); ``negate`` turns one condition into its ``not``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import SoftDeleteMixin, TimestampMixin, User, VersionedMixin, db

MATCHES = ("all", "any")


class Segment(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """Private to its owner unless ``shared``; who may see its members is
    decided per viewer, never stored."""

    __tablename__ = "marketing_segment"
    __table_args__ = (Index("ix_marketing_segment_owner", "owner_id", "shared"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    match: Mapped[str] = mapped_column(String(8), default="all")
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    owner: Mapped[User | None] = relationship()
