"""What every service shares: loading input through a schema, checking the
ids it names, the stale version check, saving and writing the audit log."""

from __future__ import annotations

import enum
import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import marshmallow
from sqlalchemy import CursorResult, inspect
from sqlalchemy.orm import Mapper

from core.errors import StaleVersionError, ValidationError
from core.extensions import db
from core.i18n import _, _l, translate_validation
from core.models import AuditEntry, User, utcnow
from core.pii import hidden_in_audit, is_encrypted, mask
from core.requests import nul_field


def load(schema: marshmallow.Schema, payload: Any, *, partial: bool = False) -> dict:
    """Validate ``payload``; raise :class:`ValidationError` with per-field messages."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["expected an object"]})
    if (field := nul_field(payload)) is not None:  # a CSV row, a job's payload: not only HTTP
        raise ValidationError({field: [_("NUL characters are not allowed")]})
    try:
        return schema.load(payload, partial=partial)
    except marshmallow.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationError({k: _flatten(v) for k, v in messages.items()}) from None


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in _flatten(v)]
    return [translate_validation(str(m)) for m in messages]


def check_version(record: Any, expected: int | None) -> None:
    """Refuse a write based on an old read (optimistic locking → HTTP 409)."""
    if expected is not None and expected != record.version:
        raise StaleVersionError(record.__tablename__, record.id, expected, record.version)


def snapshot(record: Any) -> dict[str, Any]:
    """The record's column values as JSON-safe data, for the audit log.

    Pending changes are flushed first, so values the database or the mapper
    generate (the bumped ``version``) are the ones recorded. Encrypted
    personal data is recorded masked, its look-up hash not at all
    (:mod:`core.pii`).
    """
    state = inspect(record)
    if state.persistent and state.modified:  # what ``record in session.dirty`` asks, in O(1)
        db.session.flush()
    return {
        key: mask(getattr(record, key)) if encrypted else _json_safe(getattr(record, key))
        for key, encrypted in _audited_columns(state.mapper)
    }


@functools.cache
def _audited_columns(mapper: Mapper) -> tuple[tuple[str, bool], ...]:
    """The columns an audit snapshot records, with whether each is
    encrypted: worked out once per model, not once per record."""
    return tuple(
        (attr.key, is_encrypted(attr))
        for attr in mapper.column_attrs
        if attr.key not in ("created_at", "updated_at", "password_hash")
        and not hidden_in_audit(attr)
    )


def _json_safe(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def audit(
    actor: User | None,
    record: Any,
    action: str,
    before: dict | None,
    after: dict | None,
    entity: str | None = None,
) -> None:
    """Add an audit entry in the current transaction (flushes to get the id)."""
    if record.id is None:
        db.session.flush()
    if before is not None and after is not None:  # keep only what changed
        keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(keys)}
        after = {k: after.get(k) for k in sorted(keys)}
    db.session.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            entity=entity or record.__tablename__,
            entity_id=record.id,
            action=action,
            before=before,
            after=after,
        )
    )


def save(model: type[Any], record: Any, data: dict[str, Any], actor: User | None) -> Any:
    """Create a ``model`` (``record`` None) or overwrite ``record`` with
    ``data``, audited as ``create`` or ``update``, in one transaction."""
    from core.events import transaction

    with transaction():
        before = snapshot(record) if record is not None else None
        record = record if record is not None else model()
        apply(record, data)
        db.session.add(record)
        db.session.flush()
        audit(actor, record, "update" if before else "create", before, snapshot(record))
    return record


def move_to_bin(record: Any, actor: User | None) -> None:
    """Put a soft-deletable ``record`` in the recycle bin (``deleted_at``
    now), audited as ``delete``, in one transaction — what undoing an import
    of a plugin's records does, for a record that has no delete service."""
    from core.events import transaction

    with transaction():
        before = snapshot(record)
        record.deleted_at = utcnow()
        audit(actor, record, "delete", before, snapshot(record))


def delete_record(record: Any, actor: User | None) -> None:
    """Delete one row for good, its last snapshot kept in the audit log, in one transaction."""
    from core.events import transaction

    with transaction():
        audit(actor, record, "delete", snapshot(record), None)
        db.session.delete(record)


#: what ``missing_refs`` says, by the table an id should name
_MISSING = {"team": _l("no team with this id"), "role": _l("no role with this id")}


def missing_refs(data: dict[str, Any], **models) -> dict[str, list[str]]:
    """Errors for the ids in ``data`` (``field=Model``) that name no row."""
    return {
        field: [str(_MISSING.get(model.__tablename__, _l("no record with this id")))]
        for field, model in models.items()
        if data.get(field) is not None and db.session.get(model, data[field]) is None
    }


def apply(record, values: dict[str, Any]) -> dict[str, tuple]:
    """Set attributes; return ``{field: (before, after)}`` of what really changed."""
    changes = {}
    for key, value in values.items():
        old = getattr(record, key)
        if old != value:
            changes[key] = (_json_safe(old), _json_safe(value))
            setattr(record, key, value)
    return changes


def repoint(model: type[Any], column: str, old: int, new: int | None) -> int:
    """Point every ``model`` row whose ``column`` is ``old`` at ``new`` (in
    the current transaction); bumps ``version`` where the model has one.
    Plugins use it to move their records on merge and transfer."""
    from sqlalchemy import update

    attr = getattr(model, column)
    values = {attr: new}
    if hasattr(model, "version"):
        values[model.version] = model.version + 1
    result = db.session.execute(update(model).where(attr == old).values(values))
    return cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a CursorResult


def delete_rows(model: type[Any], column: str, value: int) -> int:
    """Delete every ``model`` row whose ``column`` is ``value`` (purge)."""
    from sqlalchemy import delete

    result = db.session.execute(delete(model).where(getattr(model, column) == value))
    return cast(CursorResult[Any], result).rowcount  # a DELETE's result is a CursorResult
