"""Attachments as records: attach files to a plugin's record, list them,
remove one, decide who may download one, and keep them with their customer
through a merge and a purge.

Whether someone may attach or remove is the owning plugin's rule (it checks
its own permission and scope before calling :func:`attach`). Whether someone
may download is the answer the plugin already gives for its timeline entries
(``trellis_timeline_links``): a record the user may open — a url for its id —
lets them download its files; anything else is a 404, which does not tell
whether the file exists — and every download is audited (``download`` on
the record, naming the file), as a claim's medical papers must be.

A file may carry a ``kind`` (what it is to the record: a claim's
``invoice``, a policy's ``recorded_sale``). Which kinds a record takes is
its plugin's rule, passed to :func:`attach` as ``kinds``; core stores the
kind, filters by it (:func:`attachments_of`) and says which required kinds a
record still lacks (:func:`missing_kinds`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from flask import abort
from flask.wrappers import Response
from sqlalchemy import delete, func, select, update
from werkzeug.datastructures import FileStorage

from core.attachments import storage
from core.attachments.files import MAX_BYTES, MAX_FILES, check
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import Attachment, AuditEntry, User
from core.registry import current_registry
from core.services.base import audit, snapshot

#: the longest kind a file may carry (``attachment.kind``)
KIND_LENGTH = 40


def attachments_of(link_type: str, link_id: int, kind: str | None = None) -> list[Attachment]:
    """The files of one record, oldest first — only those of ``kind`` when given."""
    query = select(Attachment).where(
        Attachment.link_type == link_type, Attachment.link_id == link_id
    )
    if kind is not None:
        query = query.where(Attachment.kind == kind)
    return list(db.session.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def missing_kinds(link_type: str, link_id: int, required: Iterable[str]) -> list[str]:
    """The kinds in ``required`` (in its order) of which the record holds no file."""
    wanted = list(dict.fromkeys(required))
    if not wanted:
        return []
    held = set(
        db.session.scalars(
            select(Attachment.kind).where(
                Attachment.link_type == link_type,
                Attachment.link_id == link_id,
                Attachment.kind.in_(wanted),
            )
        )
    )
    return [kind for kind in wanted if kind not in held]


def check_kind(kind: str | None, kinds: Collection[str] | None = None) -> str | None:
    """``kind`` if the record takes it, else a 422 naming ``kind``: with
    ``kinds`` (the owning plugin's list) one of them is required; without,
    any short name or none."""
    kind = (kind or "").strip() or None
    if kinds is not None:
        if kind is None:
            raise ValidationError({"kind": [_("Choose what the file is.")]})
        if kind not in kinds:
            raise ValidationError(
                {"kind": [_("Must be one of: %(kinds)s.", kinds=", ".join(kinds))]}
            )
    elif kind is not None and len(kind) > KIND_LENGTH:
        raise ValidationError({"kind": [_("At most %(num)d characters.", num=KIND_LENGTH)]})
    return kind


def count_of(link_type: str, link_id: int) -> int:
    """How many files one record holds."""
    query = select(func.count()).where(
        Attachment.link_type == link_type, Attachment.link_id == link_id
    )
    return db.session.scalar(query) or 0


def attachment_of(link_type: str, link_id: int, attachment_id: int) -> Attachment | None:
    """The file ``attachment_id`` if it is one of this record's, else ``None``."""
    return db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id,
            Attachment.link_type == link_type,
            Attachment.link_id == link_id,
        )
    )


def attach(
    link_type: str,
    link_id: int,
    customer_id: int | None,
    files: Iterable[FileStorage | None],
    user: User | None,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
    kind: str | None = None,
    kinds: Collection[str] | None = None,
) -> list[Attachment]:
    """Check ``files`` (see :func:`core.attachments.files.check`) and attach
    them to the record ``link_type``/``link_id`` of customer ``customer_id``,
    each audited and each of ``kind`` (checked by :func:`check_kind` against
    the record's ``kinds``): all of them in one transaction, or — a 422
    naming ``kind`` or ``file``, or a failure — none, and no file left on disk."""
    kind = check_kind(kind, kinds)
    uploads = check(files, count_of(link_type, link_id), max_files=max_files, max_bytes=max_bytes)
    if not uploads:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    written: list[dict] = []
    try:
        with transaction():
            written = storage.write(uploads)
            rows = []
            for file in written:
                row = Attachment(
                    link_type=link_type,
                    link_id=link_id,
                    customer_id=customer_id,
                    uploaded_by_id=user.id if user else None,
                    kind=kind,
                    **file,
                )
                db.session.add(row)
                db.session.flush()
                audit(user, row, "create", None, snapshot(row))
                rows.append(row)
    except BaseException:
        storage.remove_files([w["stored_name"] for w in written])
        raise
    return rows


def remove_attachment(attachment: Attachment, user: User | None) -> None:
    """Delete the file's row (audited) and, once that commits, its bytes."""
    with transaction():
        audit(user, attachment, "delete", snapshot(attachment), None)
        storage.remove_after_commit([attachment.stored_name])
        db.session.delete(attachment)


def may_download(attachment: Attachment, user: User | None) -> bool:
    """Whether ``user`` may open the record the file is on: the owning
    plugin's ``trellis_timeline_links`` gives a url for its id."""
    registry = current_registry()
    owner = registry.table_owners.get(attachment.link_type)
    if owner is None or user is None:
        return False
    answers = registry.call_on(
        owner,
        "trellis_timeline_links",
        link_type=attachment.link_type,
        ids=[attachment.link_id],
        user=user,
    )
    return any(answer and answer.get(attachment.link_id) for answer in answers)


def download(attachment_id: int, user: User | None) -> Response:
    """The file as a download (:func:`core.attachments.storage.send_stored`)
    for who may open its record, audited on the record; 404 for everyone
    else, and when its bytes are gone."""
    row = db.session.get(Attachment, attachment_id)
    if row is None or user is None or not may_download(row, user):
        abort(404)
    path = storage.folder() / row.stored_name
    if not path.is_file():
        abort(404)
    with transaction():
        db.session.add(
            AuditEntry(
                user_id=user.id,
                entity=row.link_type,
                entity_id=row.link_id,
                action="download",
                before=None,
                after={"attachment_id": row.id, "filename": row.filename, "kind": row.kind},
            )
        )
    return storage.send_stored(path, row.filename, row.content_type)


def repoint_attachments(merged_id: int, survivor_id: int) -> None:
    """A merge: the merged customer's files now belong to the survivor."""
    db.session.execute(
        update(Attachment)
        .where(Attachment.customer_id == merged_id)
        .values(customer_id=survivor_id)
        .execution_options(synchronize_session=False)
    )


def purge_attachments(customer_id: int) -> None:
    """A purge: the customer's files go — the rows now, the bytes once the
    purge commits (a purge rolled back keeps both)."""
    names = list(
        db.session.scalars(
            select(Attachment.stored_name).where(Attachment.customer_id == customer_id)
        )
    )
    db.session.execute(
        delete(Attachment)
        .where(Attachment.customer_id == customer_id)
        .execution_options(synchronize_session=False)
    )
    storage.remove_after_commit(names)
