"""Who sees and who changes a marketing record that is private to its
owner unless ``shared`` — a segment, a static list: its owner and, when
shared, every user who may see segments; changed by its owner or by
someone who sees every record. Only live records (not in the bin)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from core.api import ForbiddenError, NotFoundError, User, db, sees_all, text_contains


def visible(model: Any, user: User | None) -> Select:
    query = select(model).where(model.deleted_at.is_(None))
    if user is None or sees_all(user):
        return query
    return query.where(or_(model.shared.is_(True), model.owner_id == user.id))


def searched(model: Any, user: User | None, args: dict) -> Select:
    """:func:`visible`, narrowed to the names holding ``args["q"]``."""
    query = visible(model, user)
    if args.get("q"):
        query = query.where(text_contains(model.name, args["q"]))
    return query


def visible_one(model: Any, record_id: int, user: User | None, missing: str) -> Any:
    """The record if ``user`` may see it; ``NotFoundError(missing)`` otherwise."""
    found = db.session.scalar(visible(model, user).where(model.id == record_id))
    if found is None:
        raise NotFoundError(missing)
    return found


def may_change(record: Any, user: User | None) -> bool:
    return user is None or sees_all(user) or record.owner_id == user.id


def check_may_change(record: Any, user: User | None, refusal: str) -> None:
    if not may_change(record, user):
        raise ForbiddenError(refusal)
