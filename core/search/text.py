"""Text search in lists — core's and plugins' — by one rule on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import QueryableAttribute

from core.extensions import db


def text_contains(
    column: ColumnElement[Any] | QueryableAttribute[Any], q: str
) -> ColumnElement[bool]:
    """SQL: ``column`` contains ``q``, ignoring case (ASCII letters), with
    ``%`` and ``_`` in ``q`` taken literally. SQLite's ``LIKE`` ignores case
    already (and keeps the plans the list benchmarks were measured with);
    PostgreSQL's does not, so there it is ``ILIKE``: "acme" finds "Acme Ltd"
    on both."""
    if db.engine.dialect.name == "postgresql":
        return column.icontains(q, autoescape=True)
    return column.contains(q, autoescape=True)
