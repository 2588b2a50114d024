"""Photos and documents on a work order: checked, stored, listed, sent as a
download (the page's and the API's alike), purged.

A file's type is decided by its first bytes (its "magic"), never by the name
or the type the browser claims, so a script renamed ``photo.jpg`` is refused.
The name follows the type too: a PNG sent as ``page.html`` is kept and sent
back as ``page.png``. The bytes live in the instance folder under
``uploads/service_dispatch/`` with a random name and the type's extension;
the row keeps the sender's name (with that extension) for the download,
which is always an attachment, never shown inline nor type-sniffed.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_login import current_user
from sqlalchemy import delete, func, select
from werkzeug.datastructures import FileStorage

from core.api import (
    StateError,
    User,
    ValidationError,
    audit,
    db,
    emit,
    snapshot,
    transaction,
    translator,
)

from ..models import Attachment, WorkOrder

_, _l = translator("service_dispatch")

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ORDER = 10
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
#: the HEIF brands an iPhone photo (``ftyp`` box) may carry
HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
#: the extensions of each accepted type; a name gets the first unless it has one of them
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/pdf": (".pdf",),
}


@dataclass
class Upload:
    """A checked file, not yet stored."""

    filename: str
    content_type: str
    data: bytes


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or ``None`` if not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def named(name: str, kind: str) -> str:
    """``name`` with an extension of the type ``kind``: kept when it has one
    already (``Photo.JPEG``), else put in place of its own (``x.html`` →
    ``x.png``) or added (``scan`` → ``scan.pdf``); at most 200 characters."""
    extensions = EXTENSIONS.get(kind)
    if not extensions:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and f".{ext.lower()}" in extensions:
        return name
    base = stem if dot and stem else name
    return base[: 200 - len(extensions[0])] + extensions[0]


def chosen(files: list[FileStorage]) -> list[FileStorage]:
    """The parts that carry a file (a form with no file chosen posts an empty part)."""
    return [f for f in files if f is not None and f.filename]


def check(files: list[FileStorage], already: int = 0, *, images_only: bool = False) -> list[Upload]:
    """Read and check ``files``; one 422 naming ``file`` lists every problem."""
    problems: list[str] = []
    files = chosen(files)
    if already + len(files) > MAX_PER_ORDER:
        problems.append(_("At most %(num)d files per work order.", num=MAX_PER_ORDER))
    uploads = []
    for storage in files[:MAX_PER_ORDER]:
        # no control characters: a name with a line break could not be sent
        # back in the download's Content-Disposition header
        raw = Path(storage.filename.replace("\\", "/")).name
        name = "".join(c for c in raw if c.isprintable())[:200] or "file"
        data = storage.stream.read(MAX_BYTES + 1)
        kind = sniff(data[:16])
        if len(data) > MAX_BYTES:
            problems.append(_("%(name)s is larger than 10 MB.", name=name))
        elif not data:
            problems.append(_("%(name)s is empty.", name=name))
        elif kind is None or (images_only and kind not in IMAGE_TYPES):
            problems.append(
                _("%(name)s is not a JPEG, PNG, WebP or HEIC photo.", name=name)
                if images_only
                else _("%(name)s is not a JPEG, PNG, WebP, HEIC photo or a PDF.", name=name)
            )
        else:
            uploads.append(Upload(named(name, kind), kind, data))
    if problems:
        # the order already holds files: a clash with what is stored (409), not bad input
        full = len(problems) == 1 and len(files) <= MAX_PER_ORDER < already + len(files)
        raise (StateError if full else ValidationError)({"file": problems})
    return uploads


def folder() -> Path:
    """The files' folder, created owner-only (0700) like ``uploads/`` above it."""
    uploads = Path(current_app.instance_path) / "uploads"
    uploads.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = uploads / "service_dispatch"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file that only the server's own user may read (0600)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def path_of(attachment: Attachment) -> Path:
    return folder() / attachment.stored_name


def count_for(order: WorkOrder) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.work_order_id == order.id)
        )
        or 0
    )


def write(uploads: list[Upload]) -> list[dict]:
    """Write the files under new random names; ``{filename, content_type,
    size, stored_name}`` each. If one fails, those written are removed."""
    written: list[dict] = []
    try:
        for upload in uploads:
            stored = uuid.uuid4().hex + EXTENSIONS[upload.content_type][0]
            _write_private(folder() / stored, upload.data)
            written.append(
                {
                    "filename": upload.filename,
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "stored_name": stored,
                }
            )
    except BaseException:
        remove_files([w["stored_name"] for w in written])
        raise
    return written


def adopt(order: WorkOrder, files: list[dict], actor: User | None) -> list[Attachment]:
    """Add the rows of files already written (:func:`write`) to ``order``,
    inside the caller's transaction."""
    rows = []
    for written in files:
        row = Attachment(
            work_order_id=order.id, **written, uploaded_by_id=actor.id if actor else None
        )
        db.session.add(row)
        db.session.flush()
        audit(actor, row, "create", None, snapshot(row))
        rows.append(row)
    return rows


def store(order: WorkOrder, uploads: list[Upload], actor: User | None) -> list[Attachment]:
    """Write the files and add their rows inside the caller's transaction;
    if it fails, the files written are removed again."""
    written = write(uploads)
    try:
        return adopt(order, written, actor)
    except BaseException:
        remove_files([w["stored_name"] for w in written])
        raise


def add_attachments(
    order: WorkOrder, files: list[FileStorage], actor: User | None
) -> list[Attachment]:
    """Check and attach ``files`` to ``order``: all of them or none."""
    uploads = check(files, count_for(order))
    if not uploads:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    stored: list[str] = []
    try:
        with transaction():
            rows = store(order, uploads, actor)
            stored = [r.stored_name for r in rows]
    except BaseException:
        remove_files(stored)
        raise
    return rows


def attachments_of(order: WorkOrder) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.work_order_id == order.id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def attachment_of(order: WorkOrder, attachment_id: int) -> Attachment | None:
    return db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.work_order_id == order.id
        )
    )


def may_attach() -> bool:
    """Agents who open orders and engineers who work on them add files."""
    return current_user.can("service.order.write") or current_user.can("service.engineer")


def send_attachment(order: WorkOrder, attachment_id: int):
    """The file as a download (never shown inline, never type-sniffed);
    404 if it is not this order's or its bytes are gone."""
    row = attachment_of(order, attachment_id)
    if row is None or not path_of(row).is_file():
        abort(404)
    path = path_of(row)
    response = send_file(
        path,
        mimetype=row.content_type,
        as_attachment=True,
        download_name=named(row.filename, row.content_type),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def remove_files(stored_names: list[str]) -> None:
    """Delete stored files (a purge, or a write that was rolled back)."""
    for name in stored_names:
        (folder() / name).unlink(missing_ok=True)


def purge(orders) -> None:
    """Delete the attachments of the orders ``orders`` selects (a customer's
    purge): the rows now, the files once the purge has committed (the
    plugin's own ``attachments_purged`` event) — a purge that fails and is
    rolled back keeps both."""
    names = list(
        db.session.scalars(
            select(Attachment.stored_name).where(Attachment.work_order_id.in_(orders))
        )
    )
    db.session.execute(delete(Attachment).where(Attachment.work_order_id.in_(orders)))
    if names:
        emit("service_dispatch_attachments_purged", stored_names=names)
