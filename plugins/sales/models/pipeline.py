"""Pipelines (销售流程) and their ordered stages (阶段)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import TimestampMixin, VersionedMixin, db, translator

_, _l = translator("sales")

OUTCOMES = ("open", "won", "lost")


class Pipeline(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "sales_pipeline"
    __label__ = _l("Pipeline")  # how the audit log names it

    name: Mapped[str] = mapped_column(String(120), unique=True)
    stages: Mapped[list[Stage]] = relationship(order_by="Stage.position")


class Stage(TimestampMixin, db.Model):
    """A step of a pipeline. ``outcome`` says whether a deal here is still
    open, won or lost; ``probability`` (赢率) weights the forecast."""

    __tablename__ = "sales_stage"
    __label__ = _l("Stage")  # how the audit log names it

    pipeline_id: Mapped[int] = mapped_column(ForeignKey("sales_pipeline.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    #: win probability (赢率) in percent, 0-100
    probability: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(8), default="open", server_default="open")
