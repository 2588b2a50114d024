"""Photos and documents on a work order: checked, stored, listed, sent as a
download (the page's and the API's alike), purged.

The checks and the disk are core's kit (``core.api``: ``check_files``,
``write_files`` …): a file's type is decided by its first bytes, never by
the name or the type the browser claims, and the name follows the type. The
bytes live in the instance folder under ``uploads/service_dispatch/`` with a
random name and the type's extension; the row keeps the sender's name (with
that extension) for the download, which is always an attachment, never
shown inline nor type-sniffed. The orders keep their own table
(``service_dispatch_attachment``), older than core's ``attachment``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import abort
from flask_login import current_user
from sqlalchemy import delete, func, select
from werkzeug.datastructures import FileStorage

from core.api import (
    Upload,
    User,
    ValidationError,
    audit,
    check_files,
    db,
    emit,
    send_stored_file,
    snapshot,
    transaction,
    translator,
    upload_folder,
    write_files,
)
from core.api import remove_files as remove_stored_files

from ..models import Attachment, WorkOrder

_, _l = translator("service_dispatch")

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ORDER = 10
OWNER = "service_dispatch"  # the folder under uploads/


def check(
    files: Iterable[FileStorage | None], already: int = 0, *, images_only: bool = False
) -> list[Upload]:
    """Read and check ``files`` with a work order's limits (10 MB, 10 files);
    one 422 naming ``file`` lists every problem."""
    return check_files(
        files, already, max_files=MAX_PER_ORDER, max_bytes=MAX_BYTES, images_only=images_only
    )


def folder() -> Path:
    """The orders' files' folder, ``uploads/service_dispatch/``."""
    return upload_folder(OWNER)


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
    size, stored_name}`` each. If one fails, or the transaction rolls back,
    those written are removed."""
    return write_files(uploads, OWNER)


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
    return send_stored_file(path_of(row), row.filename, row.content_type)


def remove_files(stored_names: list[str]) -> None:
    """Delete stored files (a purge, or a write that was rolled back)."""
    remove_stored_files(stored_names, OWNER)


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
