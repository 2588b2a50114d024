"""The uploads folder (``uploads/`` in the instance folder, where core and
plugins keep the files users upload, e.g. work-order photos): listed for a
backup, swapped whole for a restore.

A restore unpacks the backup's uploads beside the live folder (on the same
file system, following a symlink to where the files really are), then swaps
the two with renames; :func:`swap` hands back a function that puts the old
folder back if the database restore fails afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from core.errors import TrellisError
from core.i18n import _

FOLDER = "uploads"


def folder() -> Path:
    """Where the uploads are (a symlinked folder resolved to its target)."""
    return (Path(current_app.instance_path) / FOLDER).resolve()


def files() -> dict[str, Path]:
    """Member name (``uploads/...``) -> path of every file in the folder."""
    root = folder()
    if not root.is_dir():
        return {}
    found = {}
    for directory, _dirs, names in sorted(os.walk(root)):
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found[f"{FOLDER}/{path.relative_to(root).as_posix()}"] = path
    return found


def swap(new: Path, parking: Path) -> Callable[[], None]:
    """Put the folder ``new`` in the live folder's place, the live one at
    ``parking``; return what undoes it."""
    live = folder()
    had = live.exists()
    try:
        if had:
            os.rename(live, parking)
        try:
            os.rename(new, live)
        except OSError:
            if had:
                os.rename(parking, live)
            raise
    except OSError as exc:
        raise TrellisError(
            _("cannot replace %(folder)s: %(reason)s", folder=str(live), reason=exc.strerror)
        ) from None

    def undo() -> None:
        os.rename(live, new)
        if had:
            os.rename(parking, live)

    return undo
