"""Backing up and restoring an instance (``trellis backup``, ``trellis restore``).

A backup is one archive file (:mod:`.archive`): a manifest, the database as
its own tools copy it while Trellis runs (:mod:`.sqlite`: SQLite's online
backup API; :mod:`.postgres`: ``pg_dump``), and the uploads folder
(:mod:`.uploads`). It is written beside its final name and renamed into
place only when complete, owner-only (0600), so a full disk or a crash
leaves no half archive behind.

A restore (:mod:`.restore`) checks everything before it touches anything,
then replaces the database in one transaction and the uploads folder by
renames. The settings — ``trellis.toml``, the secret key, the environment —
are not in the archive: keep them with the rest of the server's set-up.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from core import __version__
from core import migrate as mig
from core.backup import database, uploads
from core.backup.archive import DATABASE_MEMBERS, FORMAT, FORMAT_VERSION, checksum, write_archive
from core.backup.restore import Restore, open_backup
from core.errors import TrellisError
from core.extensions import db
from core.i18n import _
from core.registry import current_registry

__all__ = ["Restore", "create_backup", "default_folder", "open_backup"]


def default_folder() -> Path:
    return Path(current_app.instance_path) / "backups"


def create_backup(path: Path | None, say: Callable[[str], None] = lambda line: None) -> Path:
    """Write a backup to ``path`` (a file, a folder to name it in, or a
    device or pipe to stream it to; default: the instance's ``backups/``)
    and return where it went. ``say`` hears what is being done."""
    revisions = database.revisions()
    if not revisions:
        raise TrellisError(
            _(
                "the database at %(url)s is not initialised: nothing to back up",
                url=db.engine.url.render_as_string(hide_password=True),
            )
        )
    taken = datetime.now(UTC)
    target = _target(path, taken)
    streamed = target.exists() and not stat.S_ISREG(target.stat().st_mode)
    try:
        work = Path(
            tempfile.mkdtemp(
                prefix=".trellis-backup-",
                dir=current_app.instance_path if streamed else target.parent,
            )
        )
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        member = DATABASE_MEMBERS[database.dialect()]
        say(_("Copying the database…"))
        database.tools().dump(work / member)
        files = {member: work / member, **uploads.files()}
        manifest = _manifest(taken, revisions, member, files)
        say(_("Writing %(path)s…", path=str(target)))
        if streamed:
            with target.open("wb") as out:
                write_archive(out, manifest, files)
        else:
            partial = work / "archive.partial"
            with os.fdopen(
                os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb"
            ) as out:
                write_archive(out, manifest, files)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _target(path: Path | None, taken: datetime) -> Path:
    name = f"trellis-backup-{taken:%Y%m%dT%H%M%SZ}.tar.gz"
    if path is None:
        path = default_folder()
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    return path / name if path.is_dir() else path


def _manifest(taken: datetime, revisions: list[str], member: str, files: dict[str, Path]) -> dict:
    sums = {}
    for name, path in files.items():
        try:
            sums[name] = checksum(path)
        except OSError as exc:
            raise TrellisError(
                _("cannot read %(path)s: %(reason)s", path=str(path), reason=exc.strerror)
            ) from None
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "trellis_version": __version__,
        "created_at": taken.isoformat(timespec="seconds"),
        "dialect": database.dialect(),
        "revisions": revisions,
        "branches": mig.status().current,
        "plugins": current_registry().enabled_names,
        "tables": database.tables(),
        "database": member,
        "files": sums,
    }


def _cannot_write(target: Path, exc: OSError) -> TrellisError:
    return TrellisError(
        _(
            "cannot write the backup to %(path)s: %(reason)s",
            path=str(target),
            reason=exc.strerror or str(exc),
        )
    )
