"""Commission rules (提成规则): progressive tiers over a rep's monthly won amount."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Team, TimestampMixin, VersionedMixin, db, instance_currency, translator

from .pipeline import Pipeline
from .product import Product

_, _l = translator("sales")


#: what a rule's tiers are over
COMMISSION_BASES = ("won", "collected")


class CommissionRule(TimestampMixin, VersionedMixin, db.Model):
    """提成规则: progressive tiers over a rep's monthly won amount in ``currency``,
    for the deals of ``pipeline_id`` (None: every pipeline), or only for the
    deal lines of ``product_id``; for the reps of ``team_id`` and its
    sub-teams, or company-wide (None). ``tiers`` is a JSON
    list of ``{"from_amount": "0.00", "rate_percent": "3.00"}`` (decimals as
    strings, so no float ever touches the money), the first from 0."""

    __tablename__ = "sales_commission_rule"
    __label__ = _l("Commission rule")  # how the audit log names it

    name: Mapped[str] = mapped_column(String(120))
    pipeline_id: Mapped[int | None] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    tiers: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: what the tiers are over: the month's won deals, or the money collected
    #: in the month (a payment reversed later is taken back in its month)
    basis: Mapped[str] = mapped_column(String(12), default="won", server_default="won")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    pipeline: Mapped[Pipeline | None] = relationship()
    product: Mapped[Product | None] = relationship()
    team: Mapped[Team | None] = relationship()
