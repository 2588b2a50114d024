"""Premiums (保费): a term's instalments (期缴保费) and the payments
recorded against them. A refund is a payment with a negative amount."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin, db, translator

from .policy import Policy

_, _l = translator("insurance")

PAYMENT_METHODS = ("bank_transfer", "cash", "card", "alipay", "wechat_pay", "direct_debit", "other")
#: ``ix_insurance_instalment_open``'s columns after ``policy_id``
OPEN_LIST = ("due_on", "seq", "customer_id", "agent_id", "team_id", "settled_on")
_OPEN = {"sqlite_where": text("settled_on IS NULL"), "postgresql_where": text("settled_on IS NULL")}


class PremiumInstalment(TimestampMixin, VersionedMixin, db.Model):
    """One premium instalment of a term: ``amount`` due on ``due_on``;
    ``paid`` so far; ``settled_on`` when paid in full (or closed by a
    cancellation). ``customer_id`` to ``currency`` are the policy's, copied
    so the overdue lists read one table."""

    __tablename__ = "insurance_instalment"
    __label__ = _l("Instalment")
    __table_args__ = (
        Index("uq_insurance_instalment_seq", "policy_id", "seq", unique=True),
        # all the overdue lists filter on (the customer, the scope's agent and
        # team, the open date they sort by), so that they count and narrow
        # their rows on the index alone
        Index("ix_insurance_instalment_open", "policy_id", *OPEN_LIST, **_OPEN),
        Index("ix_insurance_instalment_due", "due_on", "id", "agent_id", "team_id", **_OPEN),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    settled_on: Mapped[date | None] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    currency: Mapped[str] = mapped_column(String(3))

    policy: Mapped[Policy] = relationship()


class PremiumPayment(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """Money received for an instalment (negative: a refund paid out)."""

    __tablename__ = "insurance_payment"
    __label__ = _l("Premium payment")
    __table_args__ = (
        Index(
            "uq_insurance_payment_reference",
            "policy_id",
            "reference",
            unique=True,
            sqlite_where=text("reference IS NOT NULL"),
            postgresql_where=text("reference IS NOT NULL"),
        ),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_instalment.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(80))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    currency: Mapped[str] = mapped_column(String(3))

    policy: Mapped[Policy] = relationship()
    instalment: Mapped[PremiumInstalment | None] = relationship()
