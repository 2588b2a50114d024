"""``trellis backup`` and ``trellis restore``: the database, the uploads and
a manifest in one archive file, and back; see :mod:`core.backup` and
docs/backup.md."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.cli.base import _fail, with_app
from core.errors import TrellisError
from core.i18n import _, ngettext


def _say(line: str) -> None:
    """Progress, for a person watching (not in cron's mail)."""
    if sys.stderr.isatty():
        click.echo(line, err=True)


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_app
def backup(path: Path | None) -> None:
    """Write the database, the uploads and a manifest to one archive file.

    PATH is a file, or a folder to name it in; default: backups/ in the
    instance folder. Safe while Trellis runs.
    """
    from core.backup import create_backup

    written = create_backup(path, _say)
    if written.is_file():
        size = written.stat().st_size
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
        click.echo(_("Backup written to %(path)s (%(size)s)", path=str(written), size=shown))
    else:  # streamed to a device or a pipe: stdout may be the archive itself
        click.echo(_("Backup written to %(path)s", path=str(written)), err=True)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the live data without asking.")
@with_app
def restore(path: Path, yes: bool) -> None:
    """Replace the database and the uploads with the backup at PATH.

    The archive is checked first (checksums, database kind, migrations);
    a backup from an older Trellis is restored as it was, then
    `trellis db upgrade` brings it up to date.
    """
    from core.backup import open_backup
    from core.extensions import db

    if not yes and not sys.stdin.isatty():
        _fail(_("--yes is required when not running on a terminal; nothing was restored"))
    try:
        with open_backup(path) as archive:
            if not yes:
                question = _(
                    "Replace the database %(database)s and all uploaded files with the "
                    "backup of %(created)s?",
                    database=db.engine.url.render_as_string(hide_password=True),
                    created=archive.manifest["created_at"],
                )
                if not click.confirm(question, default=False):
                    _fail(_("nothing was restored"))
            try:
                archive.apply()
            except TrellisError as exc:
                _fail(_("%(problem)s; the database and uploads are unchanged", problem=str(exc)))
    except TrellisError as exc:
        _fail(_("%(problem)s; nothing was restored", problem=str(exc)))
    click.echo(
        ngettext(
            "Restored the backup of %(created)s (Trellis %(version)s): "
            "the database and %(num)d uploaded file.",
            "Restored the backup of %(created)s (Trellis %(version)s): "
            "the database and %(num)d uploaded files.",
            archive.uploaded_files,
            created=archive.manifest["created_at"],
            version=archive.manifest["trellis_version"],
        )
    )
    if archive.behind:
        click.echo(
            _(
                "The backup is older than this Trellis (%(branches)s): "
                "run `trellis db upgrade` before starting Trellis.",
                branches=", ".join(archive.behind),
            )
        )
