"""Asking the index: which records of a kind match a query, for this user.

:func:`search_match` is the filter a list or the search box adds to its own
scoped query — the index narrows, the scope still decides what the user may
see. A field the user's role hides is left out of the match, so a hidden
phone number cannot be found by typing it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import TSQUERY

from core.access import hidden_fields
from core.declarations import Searchable
from core.errors import PluginError
from core.extensions import db
from core.models.search import SearchDocument
from core.registry import current_registry
from core.search.ddl import FIELDS, WEIGHTS, pg_vector_sql
from core.search.tokens import query_terms

#: at most this many fields per searchable (the index has four columns)
MAX_FIELDS = len(FIELDS)
_FTS = sql_table("search_fts", column("rowid"))


def check_searchable(item: Searchable) -> None:
    """Stop start-up on a declaration the index cannot hold (one per model)."""
    if not item.kind or len(item.kind) > 40:
        raise PluginError(f"searchable {item.kind!r}: kind must be 1 to 40 characters")
    if not 1 <= len(item.fields) <= MAX_FIELDS:
        raise PluginError(f"searchable {item.kind!r}: 1 to {MAX_FIELDS} fields")
    for name in item.fields:
        if not hasattr(item.model, name):
            raise PluginError(f"searchable {item.kind!r}: {item.model.__name__} has no {name!r}")


def searchable_for(model: type) -> Searchable:
    item = current_registry().searchable_models.get(model)
    if item is not None:
        return item
    raise PluginError(f"{model.__name__} is not declared searchable (trellis_searchables)")


def matching_ids(item: Searchable, query: str, user: Any = None) -> Select | None:
    """The ids of ``item``'s records whose indexed fields hold every term of
    ``query`` (as a prefix of a term), leaving out fields hidden from
    ``user``; ``None`` when nothing can match (no terms, every field hidden)."""
    terms = query_terms(query)
    hidden = hidden_fields(user, item.entity or item.kind) if user is not None else set()
    allowed = [i for i, name in enumerate(item.fields) if name not in hidden]
    if not terms or not allowed:
        return None
    ids = select(SearchDocument.record_id).where(SearchDocument.kind == item.kind)
    if db.session.get_bind().dialect.name == "postgresql":
        return ids.where(pg_match("search_document", item, terms, allowed))
    return ids.join(_FTS, _FTS.c.rowid == SearchDocument.id).where(
        sqlite_match(sqlite_query(item, terms, allowed))
    )


def pg_match(
    table: str, item: Searchable, terms: list[str], allowed: list[int]
) -> ColumnElement[bool]:
    """PostgreSQL: ``table`` (``search_document`` or an alias's name) holds every term
    in an allowed field. Weights only when a declared field is hidden: a
    query with weights makes the database re-read every matching row's terms
    (the index does not keep weights), one that has none is answered by the
    index alone — 30 times faster for a fragment one customer in ten has."""
    weights = "" if len(allowed) == len(item.fields) else "".join(WEIGHTS[i] for i in allowed)
    asked = " & ".join(f"'{term}':*{weights}" for term in terms)
    vector: ColumnElement[Any] = literal_column(f"({pg_vector_sql(table)})")
    return vector.op("@@")(cast(literal(asked), TSQUERY))


def sqlite_query(item: Searchable, terms: list[str], allowed: list[int], kind: bool = False) -> str:
    """SQLite: the FTS5 query for documents holding every term in one of
    ``item``'s allowed fields. With ``kind`` it names the kind too, so that
    asking for contacts does not walk the customers that match; it costs
    FTS5 a look at every match's kind, so where the matches are read anyway
    (counting a list) the join to ``search_document`` checks it instead."""
    columns = " ".join(FIELDS[i] for i in allowed)
    asked = "{" + columns + "} : (" + " AND ".join(f'"{term}"*' for term in terms) + ")"
    return (sqlite_kind(item) + " AND " if kind else "") + asked


def sqlite_kind(item: Searchable) -> str:
    """SQLite: the FTS5 query for ``item``'s documents (``sales.deal`` →
    ``{kind} : "sales deal"``; a kind that shares words with another is told
    apart by the join to ``search_document``)."""
    return '{kind} : "' + " ".join(re.split(r"[\W_]+", item.kind)).strip() + '"'


def sqlite_match(asked: str) -> ColumnElement[bool]:
    return literal_column("search_fts").op("MATCH")(asked)


def search_match(model: type, query: str, user: Any = None) -> ColumnElement[bool]:
    """SQL: this ``model`` row is found by ``query`` in the search index (for
    ``user``: fields their role hides are not searched). Add it to the
    list's own scoped query; a query with nothing to look for matches nothing."""
    found = matching_ids(searchable_for(model), query, user)
    return false() if found is None else model.id.in_(found)  # type: ignore[attr-defined]


def search_rank(model: type, query: str) -> ColumnElement[int]:
    """An ``ORDER BY`` key: 0 when the record's name is the query, 1 when it
    starts with it, 2 otherwise — for the search box, before the name."""
    name = getattr(model, searchable_for(model).fields[0])
    words = " ".join(query.split()).lower()
    lowered = func.lower(name)
    return case((lowered == words, 0), (lowered.startswith(words, autoescape=True), 1), else_=2)
