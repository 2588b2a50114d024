"""SQLite: copied out and back in with SQLite's online backup API.

Copying out reads one consistent snapshot while Trellis keeps running (in
WAL mode readers never block the writer). Copying back in is one write
transaction on the live file, so every connection — a running app's
included — sees the old database or the restored one, never a mix; a
failure rolls back and leaves the live file as it was.

The restore writes *into* the live file rather than renaming a new file
over it: a rename would leave running processes writing to the old, now
nameless, file, and a stale ``-wal`` file beside the new one would be
replayed into it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from core.errors import TrellisError
from core.extensions import db
from core.i18n import _

#: how long a restore waits for another process's write to finish
LOCK_WAIT_SECONDS = 30.0


def database_path() -> Path:
    """The SQLite file of ``TRELLIS_DATABASE_URL``."""
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise TrellisError(
            _("TRELLIS_DATABASE_URL: only a SQLite database in a file can be backed up")
        )
    return Path(database)


def dump(target: Path) -> None:
    """Copy the live database into the new file ``target``, self-contained
    (no ``-wal`` beside it)."""
    try:
        with closing(sqlite3.connect(database_path())) as live:
            with closing(sqlite3.connect(target)) as copy:
                live.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise TrellisError(_("cannot copy the SQLite database: %(error)s", error=exc)) from None


def check_dump(path: Path) -> None:
    """Refuse a file that is not a sound SQLite database."""
    try:
        with closing(sqlite3.connect(path)) as copy:
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise TrellisError(
            _("the database in the backup is damaged: %(problem)s", problem=problems[0])
        )


def load(path: Path, drop: list[str]) -> None:
    """Replace the live database's content with the database at ``path``
    (``drop`` is for PostgreSQL: here every table is replaced anyway)."""

    def give_up_when_locked(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):  # waited LOCK_WAIT_SECONDS
            raise TrellisError(
                _(
                    "the database is locked by another process (%(path)s); "
                    "stop Trellis and its workers, then restore again",
                    path=str(database_path()),
                )
            )

    db.session.remove()
    db.engine.dispose()
    try:
        with closing(sqlite3.connect(path)) as backup:
            with closing(sqlite3.connect(database_path(), timeout=LOCK_WAIT_SECONDS)) as live:
                backup.backup(live, progress=give_up_when_locked)
    except sqlite3.Error as exc:
        raise TrellisError(_("cannot restore the SQLite database: %(error)s", error=exc)) from None
