"""The search index's documents: one row per searchable record."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import Model


class SearchDocument(Model):
    """The index terms of one record (``kind``, ``record_id``): up to four
    fields (``f0``–``f3``, in the order its :class:`~core.declarations.Searchable`
    names them), each a space-separated list of terms
    (:func:`core.search.tokens.document_terms`). Written in the same
    transaction as the record; the database's own full-text index
    (:mod:`core.search.ddl`) sits on top."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    f0: Mapped[str | None] = mapped_column(Text)
    f1: Mapped[str | None] = mapped_column(Text)
    f2: Mapped[str | None] = mapped_column(Text)
    f3: Mapped[str | None] = mapped_column(Text)
