"""The live database as a backup sees it: its dialect's copy functions
(:mod:`.sqlite`, :mod:`.postgres`), its migration revisions and tables, and
how an archive's revisions compare with what this code knows."""

from __future__ import annotations

from types import ModuleType

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect

from core import migrate as mig
from core.backup import postgres, sqlite
from core.extensions import db


def dialect() -> str:
    return db.engine.dialect.name


def tools() -> ModuleType:
    """The module that dumps, checks and loads this dialect's database."""
    return postgres if dialect() == "postgresql" else sqlite


def revisions() -> list[str]:
    """The database's migration heads (its ``alembic_version`` rows)."""
    mig.check_connection()
    with db.engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def tables() -> list[str]:
    """The tables of the database (its default schema)."""
    return sorted(inspect(db.engine).get_table_names())


def compare(archived: list[str]) -> tuple[list[str], list[str]]:
    """``(unknown, behind)`` for an archive's revisions: those this code
    does not know (a newer Trellis, a plugin not installed here), and the
    enabled branches whose newest revision the archive does not reach."""
    script = ScriptDirectory.from_config(mig.alembic_config())
    unknown, reached = [], set()
    for revision in archived:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None or known.revision != revision:  # "head", "base" … name no revision
            unknown.append(revision)
            continue
        reached |= {r.revision for r in script.iterate_revisions(revision, "base")}
    behind = [
        branch
        for branch in mig.enabled_branches()
        if script.get_revision(f"{branch}@head").revision not in reached
    ]
    return unknown, behind
