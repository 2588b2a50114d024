"""The counters behind numbered documents (``core.numbering``)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model


class NumberSequence(Model):
    """The last number given out in one sequence and period: ``key`` is the
    sequence's name and the pattern with its date filled in
    (``sales.contract|HT-202612-#``, the counter
    shown as ``#``), so a pattern with a month restarts
    every month and one without a date never does."""

    __tablename__ = "number_sequence"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)
