"""The index behind ``search_document``, per database.

- SQLite: an FTS5 table over the document's kind and four fields (external
  content, kept in step by triggers), with prefix indexes for two- and
  three-letter prefixes, since a query's terms are matched as prefixes. The
  kind is indexed so that a query for one kind (``{kind} : "sales deal"``)
  never walks the matches of another.
- PostgreSQL: a GIN index over a ``tsvector`` made of the stored terms, each
  field under its own weight (A–D), so that a query can leave out a field the
  user's role hides. The terms are read as they are (the ``tsvector`` input
  syntax, not a text-search parser): no stemming, no dictionary, the same
  terms on both databases.

The migration and ``metadata.create_all`` both run these statements.
"""

from __future__ import annotations

FIELDS = ("f0", "f1", "f2", "f3")
#: PostgreSQL's index over an expression the models cannot declare (autogenerate skips it)
PG_INDEX = "ix_search_document_terms"
WEIGHTS = ("A", "B", "C", "D")


def pg_vector_sql(table: str = "search_document") -> str:
    """The indexed expression; a query must repeat it word for word. Each
    term gets a position (``term:1``) because a weight is kept per position."""
    return " || ".join(
        f"setweight(CAST(regexp_replace(coalesce({table}.{f}, ''), '(\\S+)', '\\1:1', 'g')"
        f" AS tsvector), '{w}')"
        for f, w in zip(FIELDS, WEIGHTS, strict=True)
    )


_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "kind, f0, f1, f2, f3, content='search_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, kind, f0, f1, f2, f3) "
    "VALUES (new.id, new.kind, new.f0, new.f1, new.f2, new.f3); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, kind, f0, f1, f2, f3) "
    "VALUES ('delete', old.id, old.kind, old.f0, old.f1, old.f2, old.f3); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, kind, f0, f1, f2, f3) "
    "VALUES ('delete', old.id, old.kind, old.f0, old.f1, old.f2, old.f3); "
    "INSERT INTO search_fts(rowid, kind, f0, f1, f2, f3) "
    "VALUES (new.id, new.kind, new.f0, new.f1, new.f2, new.f3); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]


def create_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return list(_SQLITE_CREATE)
    if dialect == "postgresql":
        return [f"CREATE INDEX {PG_INDEX} ON search_document USING gin (({pg_vector_sql()}))"]
    return []


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return list(_SQLITE_DROP)
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS {PG_INDEX}"]
    return []
