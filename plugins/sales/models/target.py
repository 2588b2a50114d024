"""Monthly sales targets (业绩目标) of a rep or a team."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Team, TimestampMixin, User, db, instance_currency, translator

_, _l = translator("sales")


#: what a target counts: deals won, contracts signed, or money collected (回款)
TARGET_MEASURES = ("won", "contracted", "collected")


class SalesTarget(TimestampMixin, db.Model):
    """业绩目标: the amount one rep (``user_id``) or one team (``team_id``,
    sub-teams included) should reach in a calendar month ``YYYY-MM`` (UTC),
    by ``measure``: the deals won, the contracts signed or the payments
    collected in the month."""

    __tablename__ = "sales_target"
    __label__ = _l("Target")  # how the audit log names it
    # one target per rep, month and measure, one per team, month and measure:
    # a UNIQUE over (month, user_id, team_id) cannot say it, as SQL NULLs
    # never collide
    __table_args__ = tuple(
        Index(
            f"uq_sales_target_month_{who}",
            "month",
            "measure",
            column,
            unique=True,
            sqlite_where=text(f"{column} IS NOT NULL"),
            postgresql_where=text(f"{column} IS NOT NULL"),
        )
        for who, column in (("user", "user_id"), ("team", "team_id"))
    )

    month: Mapped[str] = mapped_column(String(7), index=True)
    measure: Mapped[str] = mapped_column(String(12), default="won", server_default="won")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)

    user: Mapped[User | None] = relationship()
    team: Mapped[Team | None] = relationship()
