"""Segments: who sees which definition, saving one, and its members.

A segment's definition is private to its owner unless ``shared``. Its
members are always asked of core's scoped customer query
(:func:`members_query`): the same shared segment shows a rep their own
matching customers and a manager their team's. A condition on a field the
asker's role hides is refused — to save it and to count it — since the
count of customers with a hidden value would tell the value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from core.api import (
    Customer,
    ForbiddenError,
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    hidden_fields,
    load,
    scoped,
    sees_all,
    snapshot,
    text_contains,
    transaction,
    translator,
    utcnow,
)

from ..models import Segment
from ..schemas import MarketingPreviewInput, MarketingSegmentChange, MarketingSegmentInput
from .conditions import check, compile_conditions, hidden_condition_fields

_, _l = translator("marketing")


def visible_segments(user: User | None) -> Select:
    """The live segments ``user`` may see: the shared ones and their own
    (every one for someone who sees every record)."""
    query = select(Segment).where(Segment.deleted_at.is_(None))
    if user is None or sees_all(user):
        return query
    return query.where(or_(Segment.shared.is_(True), Segment.owner_id == user.id))


def search_segments(user: User | None, args: dict) -> Select:
    query = visible_segments(user)
    if args.get("q"):
        query = query.where(text_contains(Segment.name, args["q"]))
    return query


def visible_segment(segment_id: int, user: User | None) -> Segment:
    """The segment if ``user`` may see it; ``NotFoundError`` otherwise."""
    segment = db.session.scalar(visible_segments(user).where(Segment.id == segment_id))
    if segment is None:
        raise NotFoundError(_("segment %(id)s not found", id=segment_id))
    return segment


def may_change(segment: Segment, user: User | None) -> bool:
    """Its owner changes a segment, and someone who sees every record."""
    return user is None or sees_all(user) or segment.owner_id == user.id


def checked(data: dict, user: User | None) -> dict:
    """``data`` with its conditions checked: each problem is a 422 naming
    ``conditions.<n>.<key>``; a condition on a field hidden from ``user``'s
    role is refused as one."""
    errors: dict[str, list[str]] = {}
    conditions = data.get("conditions") or []
    hidden = hidden_fields(user, "customer")
    named = set(hidden_condition_fields(conditions, hidden))
    for n, condition in enumerate(conditions):
        if condition.get("field") in named:
            errors[f"conditions.{n}.field"] = [_("This field is hidden from your role.")]
            continue
        for key, messages in check(condition).items():
            errors[f"conditions.{n}.{key}"] = messages
    if errors:
        raise ValidationError(errors)
    data["conditions"] = [_stored(c) for c in conditions]
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    return data


def _stored(condition: dict) -> dict[str, Any]:
    """A condition as kept: its keys in one order, text values trimmed."""
    value = condition.get("value")
    return {
        "field": condition["field"].strip(),
        "op": condition["op"],
        "value": value.strip() if isinstance(value, str) else value,
        "days": condition.get("days"),
        "negate": bool(condition.get("negate")),
    }


def create_segment(payload: dict, actor: User | None) -> Segment:
    """A new segment owned by ``actor``, audited, in one transaction."""
    data = checked(load(MarketingSegmentInput(), payload), actor)
    with transaction():
        segment = Segment(**data, owner_id=actor.id if actor else None)
        db.session.add(segment)
        db.session.flush()
        audit(actor, segment, "create", None, snapshot(segment))
    return segment


def update_segment(
    segment: Segment, payload: dict, actor: User | None, version: int | None = None
) -> Segment:
    """Change what ``payload`` names (a stale ``version`` is a 409)."""
    _may_change(segment, actor)
    data = load(MarketingSegmentChange(), payload, partial=True)
    version = data.pop("version", version)
    data = checked(data, actor) if "conditions" in data else data
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    check_version(segment, version)
    with transaction():
        before = snapshot(segment)
        for key, value in data.items():
            setattr(segment, key, value)
        audit(actor, segment, "update", before, snapshot(segment))
    return segment


def delete_segment(segment: Segment, actor: User | None, version: int | None = None) -> None:
    """Move a segment to the bin (its members are customers: none is touched)."""
    _may_change(segment, actor)
    check_version(segment, version)
    with transaction():
        before = snapshot(segment)
        segment.deleted_at = utcnow()
        audit(actor, segment, "delete", before, snapshot(segment))


def _may_change(segment: Segment, actor: User | None) -> None:
    if not may_change(segment, actor):
        raise ForbiddenError(_("Only the segment's owner may change it."))


def members_query(segment: Segment | dict, user: User | None) -> Select:
    """The customers ``user`` may see that match ``segment`` (a saved one
    or ``{"match", "conditions"}``), through core's scoped query."""
    match = segment.match if isinstance(segment, Segment) else segment["match"]
    conditions = segment.conditions if isinstance(segment, Segment) else segment["conditions"]
    if named := hidden_condition_fields(conditions, hidden_fields(user, "customer")):
        message = _(
            "A condition names a field hidden from your role: %(fields)s.", fields=", ".join(named)
        )
        raise ValidationError({"conditions": [message]})
    query = scoped(select(Customer), Customer, user)
    return query.where(compile_conditions(match, conditions))


def count_members(segment: Segment | dict, user: User | None) -> int:
    query = members_query(segment, user).with_only_columns(func.count(Customer.id))
    return db.session.scalar(query.order_by(None)) or 0


def preview(payload: dict, user: User | None) -> int:
    """How many customers ``user`` sees that match unsaved conditions."""
    return count_members(checked(load(MarketingPreviewInput(), payload), user), user)
