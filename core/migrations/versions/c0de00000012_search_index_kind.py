"""search index knows each document's kind (SQLite): a query for one kind no
longer walks the matches of every other kind (PostgreSQL: nothing to do)

Revision ID: c0de00000012
Revises: c0de00000011
Create Date: 2026-12-05 07:00:00
"""

from alembic import op

from core.search.ddl import create_statements, drop_statements

revision = 'c0de00000012'
down_revision = 'c0de00000011'
branch_labels = None
depends_on = None

#: the FTS5 table and triggers as c0de00000008 made them (no kind column)
_BEFORE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "f0, f1, f2, f3, content='search_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, f0, f1, f2, f3) "
    "VALUES (new.id, new.f0, new.f1, new.f2, new.f3); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, f0, f1, f2, f3) "
    "VALUES ('delete', old.id, old.f0, old.f1, old.f2, old.f3); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, f0, f1, f2, f3) "
    "VALUES ('delete', old.id, old.f0, old.f1, old.f2, old.f3); "
    "INSERT INTO search_fts(rowid, f0, f1, f2, f3) "
    "VALUES (new.id, new.f0, new.f1, new.f2, new.f3); END",
]
#: re-read every document into the new table (external content: the rows stay)
_REBUILD = "INSERT INTO search_fts(search_fts) VALUES ('rebuild')"


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in drop_statements('sqlite') + create_statements('sqlite'):
        op.execute(statement)
    op.execute(_REBUILD)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for statement in drop_statements('sqlite') + _BEFORE:
        op.execute(statement)
    op.execute(_REBUILD)
