"""Where attached files live on disk, and how their bytes follow the
database: written before the rows, removed again if the transaction rolls
back; deleted only once the transaction that deletes their rows commits.

The files are under the instance folder's ``uploads/`` (which a backup holds
and a restore puts back), in a folder per owner — core's own are in
``uploads/core/`` — each under a new random name with its type's extension,
readable by the server's own user only.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from flask import current_app, send_file
from flask.wrappers import Response
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.attachments.files import EXTENSIONS, Upload, named
from core.extensions import db

#: session.info: files written in this transaction (removed unless it commits)
_WRITTEN = "trellis_attachments_written"
#: session.info: files whose rows this transaction deletes (removed once it commits)
_DOOMED = "trellis_attachments_doomed"


def folder(owner: str = "core") -> Path:
    """The folder of ``owner``'s files, created owner-only (0700) like ``uploads/`` above it."""
    uploads = Path(current_app.instance_path) / "uploads"
    uploads.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = uploads / owner
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file that only the server's own user may read (0600)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def write(uploads: list[Upload], owner: str = "core") -> list[dict[str, Any]]:
    """Write the files under new random names in ``owner``'s folder;
    ``{filename, content_type, size, stored_name}`` each. If one fails,
    those written are removed; if the current transaction rolls back, so are
    they all."""
    written: list[dict[str, Any]] = []
    base = folder(owner)
    try:
        for upload in uploads:
            stored = uuid.uuid4().hex + EXTENSIONS[upload.content_type][0]
            _write_private(base / stored, upload.data)
            written.append(
                {
                    "filename": upload.filename,
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "stored_name": stored,
                }
            )
    except BaseException:
        remove_files([w["stored_name"] for w in written], owner)
        raise
    db.session.info.setdefault(_WRITTEN, []).extend(base / w["stored_name"] for w in written)
    return written


def remove_files(stored_names: list[str], owner: str = "core") -> None:
    """Delete stored files at once (a write that failed)."""
    base = folder(owner)
    for name in stored_names:
        (base / name).unlink(missing_ok=True)


def remove_after_commit(stored_names: list[str], owner: str = "core") -> None:
    """Delete these files once the current transaction commits — keep them if
    it rolls back, as its rows are then kept too."""
    base = folder(owner)
    db.session.info.setdefault(_DOOMED, []).extend(base / name for name in stored_names)


def send_stored(path: Path, filename: str, content_type: str) -> Response:
    """The file at ``path`` as a download: always an attachment, never shown
    inline nor type-sniffed by the browser, never cached by a proxy."""
    response = send_file(
        path,
        mimetype=content_type,
        as_attachment=True,
        download_name=named(filename, content_type),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)  # theirs now: the rows that name them are stored
    for path in session.info.pop(_DOOMED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed without a commit
        session.info.pop(_DOOMED, None)
        for path in session.info.pop(_WRITTEN, []):
            path.unlink(missing_ok=True)
