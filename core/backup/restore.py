"""Restoring a backup: first every check, then the swap.

:func:`open_backup` unpacks the archive into a working folder beside the
uploads and checks it — readable, a manifest, every checksum, the same
database dialect, no migration this code does not know, a database file its
tools can read — before anything live is touched. :meth:`Restore.apply`
then swaps the uploads folder and replaces the database; if the database
fails, the old uploads folder is put back and the database is as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.backup import database, postgres, uploads
from core.backup.archive import read_archive
from core.errors import TrellisError
from core.i18n import _
from core.registry import current_registry


class Restore:
    """A backup unpacked and checked, ready to replace the live data."""

    def __init__(self, work: Path, manifest: dict[str, Any], behind: list[str]) -> None:
        self.work = work
        self.manifest = manifest
        #: branches whose newest migration the backup lacks (`trellis db upgrade`)
        self.behind = behind

    @property
    def uploaded_files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith("uploads/"))

    def apply(self) -> None:
        """Swap in the uploads, then replace the database (or undo the swap)."""
        undo = uploads.swap(self.work / "uploads", self.work / "uploads-before")
        try:
            database.tools().load(self.work / self.manifest["database"], self._extra_tables())
        except BaseException:
            undo()
            raise

    def _extra_tables(self) -> list[str]:
        """Trellis tables the live database has and the backup has not: a
        plugin enabled after the backup was made."""
        ours = set(current_registry().table_owners)
        return sorted((set(database.tables()) & ours) - set(self.manifest["tables"]))


@contextmanager
def open_backup(path: Path) -> Iterator[Restore]:
    """Unpack and check the archive at ``path``; the working folder goes
    when the block ends. Raises a one-line :class:`TrellisError`."""
    parent = uploads.folder().parent
    try:
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".trellis-restore-", dir=parent))
    except OSError as exc:
        raise TrellisError(
            _("cannot unpack the backup: %(reason)s", reason=exc.strerror or str(exc))
        ) from None
    try:
        behind: list[str] = []

        def check(manifest: dict[str, Any]) -> None:
            behind.extend(_check(path, manifest))

        manifest = read_archive(path, work, check)
        (work / "uploads").mkdir(mode=0o700, exist_ok=True)
        database.tools().check_dump(work / manifest["database"])
        yield Restore(work, manifest, behind)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check(path: Path, manifest: dict[str, Any]) -> list[str]:
    """Refuse an archive this instance cannot take; return the branches it
    is behind on."""
    ours = database.dialect()
    if manifest["dialect"] != ours:
        raise TrellisError(
            _(
                "%(path)s: a backup of a %(theirs)s database cannot be restored into this "
                "%(ours)s database (TRELLIS_DATABASE_URL)",
                path=str(path),
                theirs=manifest["dialect"],
                ours=ours,
            )
        )
    unknown, behind = database.compare(manifest["revisions"])
    if unknown:
        raise TrellisError(
            _(
                "%(path)s: made by a newer Trellis or with a plugin not installed here "
                "(unknown migration %(revision)s); upgrade Trellis to restore it",
                path=str(path),
                revision=unknown[0],
            )
        )
    if ours == "postgresql":  # before unpacking: the tools the restore needs are there
        for name in ("pg_restore", "psql"):
            postgres.tool(name)
    return behind
