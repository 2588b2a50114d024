"""A static list (静态名单): customers picked by hand or frozen from a
segment at one moment — unlike a segment, its members stay until someone
removes them. Who sees which member is still decided per viewer, by core's
scope: a rep looking at a shared list sees only the members they may see."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import SoftDeleteMixin, TimestampMixin, User, VersionedMixin, db


class StaticList(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """Private to its owner unless ``shared``; ``segment_id`` remembers the
    segment it was frozen from, if any."""

    __tablename__ = "marketing_list"
    __table_args__ = (Index("ix_marketing_list_owner", "owner_id", "shared"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("marketing_segment.id"))

    owner: Mapped[User | None] = relationship()


class StaticListMember(TimestampMixin, db.Model):
    """One customer on one list, once (``created_at``: when it was put
    there; ``added_by_id``: by whom)."""

    __tablename__ = "marketing_list_member"
    __table_args__ = (
        UniqueConstraint("list_id", "customer_id"),
        Index("ix_marketing_list_member_customer", "customer_id"),
    )

    list_id: Mapped[int] = mapped_column(ForeignKey("marketing_list.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
