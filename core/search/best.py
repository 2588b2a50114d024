"""The search box's few best matches of a kind, without ranking them all.

A fragment one customer in ten has matches ten thousand customers at the
benchmark size; the box shows eight. Ranking every match to keep eight read
every matching row. :func:`best_matches` asks three small questions instead,
each answered in the index's order and stopped at ``limit``:

1. records whose name is the query — the same terms: ``ACME`` for ``acme``,
   ``Zoë Café`` for ``zoe cafe``;
2. records whose name starts with it — its terms start with the query's:
   ``Acme Trading`` for ``acme tr``, ``上海华为科技`` for ``上海华为``;
3. every other match;

in each group the most recently added first. The groups are told apart by
the index row alone (its stored name terms; on SQLite also ``^`` in the
FTS5 query), so a record is read only when it is about to be shown — and
then checked against the caller's scoped query, as its list checks it. The
three answers are one statement (``UNION ALL``) of at most ``3 × limit`` rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, select, true, union_all
from sqlalchemy.orm import aliased

from core.access import hidden_fields
from core.declarations import Searchable
from core.extensions import db
from core.models.search import SearchDocument
from core.search.index import (
    _FTS,
    pg_match,
    searchable_for,
    sqlite_kind,
    sqlite_match,
    sqlite_query,
)
from core.search.tokens import document_terms, query_terms

#: the name of the index row's alias in the statement (PostgreSQL repeats the
#: indexed expression over it)
_DOC = "best_doc"


def best_matches(query: Select, model: type, words: str, user: Any, limit: int) -> Select:
    """``query`` (a scoped select over ``model``, e.g. a list's) narrowed to
    at most ``limit`` records that match ``words`` in the search index: exact
    names first, then names starting with ``words``, then the others — in
    each group the most recently added first. Fields the role of ``user``
    hides are not searched, and then the name does not order either."""
    item = searchable_for(model)
    terms = query_terms(words)
    hidden = hidden_fields(user, item.entity or item.kind) if user is not None else set()
    allowed = [i for i, name in enumerate(item.fields) if name not in hidden]
    if not terms or not allowed:
        return query.where(false())
    postgres = db.session.get_bind().dialect.name == "postgresql"
    doc: Any = aliased(SearchDocument, name=_DOC)
    found: Any = doc
    if postgres:  # the matches once, for the three questions (see _pg_found)
        found = _pg_found(doc, item, terms, allowed)
    # the name's terms start with the query's (its first word with the first
    # term): "acme tr" → "acme tr", a prefix of "Acme Trading"'s "acme trading"
    start = " ".join(terms)
    starts: ColumnElement[bool] = func.coalesce(found.f0, "").startswith(start, autoescape=True)
    phrase = '{f0} : ^"' + start.replace('"', "") + '"'
    # (condition on the index row, the FTS5 query on SQLite) per group; the
    # phrase alone finds the first two — every query term is in it — and
    # names the kind, cheap beside a phrase; beside common terms (an e-mail's
    # "example" and "com") checking the kind would double the third's cost
    every = sqlite_query(item, terms, allowed)
    groups: list[tuple[ColumnElement[bool], str]] = []
    if item.fields[0] in hidden:
        groups.append((true(), every))
    else:
        whole = document_terms([words])
        named = sqlite_kind(item) + " AND "
        groups += [
            (found.f0 == whole, named + phrase),
            (and_(starts, found.f0 != whole), named + phrase + "*"),
            (~starts, every + " NOT " + phrase + "*"),
        ]
    arms = []
    for tier, (on_document, asked) in enumerate(groups):
        if postgres:
            # newest first *before* the record is joined, so that the join
            # stops at ``limit`` rows instead of reading every match
            row = (
                select(found.id, found.record_id)
                .where(on_document)
                .order_by(found.id.desc())
                .offset(0)
                .subquery()
            )
            key, on = row.c.id, row.c.record_id == model.id  # type: ignore[attr-defined]
        else:
            row = doc
            key, on = doc.id, and_(doc.kind == item.kind, doc.record_id == model.id)  # type: ignore[attr-defined]
        arm = query.with_only_columns(
            model.id.label("id"),  # type: ignore[attr-defined]
            literal(tier).label("tier"),
            key.label("doc"),
            maintain_column_froms=True,
        ).join(row, on)
        if not postgres:
            arm = arm.join(_FTS, _FTS.c.rowid == doc.id).where(sqlite_match(asked), on_document)
            key = _FTS.c.rowid
        arms.append(select(arm.order_by(key.desc()).limit(limit).subquery()))
    best = union_all(*arms).subquery("best")
    return (
        query.join(best, best.c.id == model.id)  # type: ignore[attr-defined]
        .order_by(best.c.tier, best.c.doc.desc())
        .limit(limit)
    )


def _pg_found(doc: Any, item: Searchable, terms: list[str], allowed: list[int]) -> Any:
    """PostgreSQL: ``item``'s matching index rows (id, record, name terms),
    gathered once by the GIN index (``MATERIALIZED``: not re-planned per
    question, where the planner would rather walk the whole table backwards)."""
    return (
        select(doc.id, doc.record_id, doc.f0)
        .where(doc.kind == item.kind, pg_match(_DOC, item, terms, allowed))
        .cte("found")
        .prefix_with("MATERIALIZED")
        .c
    )
