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

from sqlalchemy import ColumnElement, Select, func, select

from core.api import (
    Customer,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    scoped,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Segment
from ..schemas import MarketingPreviewInput, MarketingSegmentChange, MarketingSegmentInput
from . import sharing
from .conditions import check, compile_conditions, hidden_condition_fields
from .references import includes

_, _l = translator("marketing")


def visible_segments(user: User | None) -> Select:
    """The live segments ``user`` may see: the shared ones and their own
    (every one for someone who sees every record)."""
    return sharing.visible(Segment, user)


def search_segments(user: User | None, args: dict) -> Select:
    return sharing.searched(Segment, user, args)


def visible_segment(segment_id: int, user: User | None) -> Segment:
    """The segment if ``user`` may see it; ``NotFoundError`` otherwise."""
    return sharing.visible_one(
        Segment, segment_id, user, _("segment %(id)s not found", id=segment_id)
    )


def may_change(segment: Segment, user: User | None) -> bool:
    """Its owner changes a segment, and someone who sees every record."""
    return sharing.may_change(segment, user)


def checked(data: dict, user: User | None, segment_id: int | None = None) -> dict:
    """``data`` with its conditions checked: each problem is a 422 naming
    ``conditions.<n>.<key>``. Refused as one: a condition on a field hidden
    from ``user``'s role (or a fact they may not ask), a segment they do not
    see, and — saving segment ``segment_id`` — one that includes it."""
    errors: dict[str, list[str]] = {}
    conditions = data.get("conditions") or []
    for n, condition in enumerate(conditions):
        if hidden_condition_fields([condition], user):
            errors[f"conditions.{n}.field"] = [_("This field is hidden from your role.")]
            continue
        errors.update({f"conditions.{n}.{k}": m for k, m in check(condition).items()})
        if condition.get("field") != "segment" or f"conditions.{n}.value" in errors:
            continue
        if not db.session.scalar(
            visible_segments(user)
            .where(Segment.id == condition["value"])
            .with_only_columns(Segment.id)
        ):
            errors[f"conditions.{n}.value"] = [_("Unknown segment.")]
        elif segment_id is not None and includes([condition], segment_id):
            errors[f"conditions.{n}.value"] = [_("A segment cannot include itself.")]
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
    data = checked(data, actor, segment.id) if "conditions" in data else data
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
    sharing.check_may_change(segment, actor, _("Only the segment's owner may change it."))


def members_query(segment: Segment | dict, user: User | None) -> Select:
    """The customers ``user`` may see that match ``segment`` (a saved one
    or ``{"match", "conditions"}``), through core's scoped query."""
    match = segment.match if isinstance(segment, Segment) else segment["match"]
    conditions = segment.conditions if isinstance(segment, Segment) else segment["conditions"]
    if named := hidden_condition_fields(conditions, user):
        message = _(
            "A condition names a field hidden from your role: %(fields)s.", fields=", ".join(named)
        )
        raise ValidationError({"conditions": [message]})
    query = scoped(select(Customer), Customer, user)
    return query.where(compile_conditions(match, conditions))


def member_condition(value: str, user: User | None) -> ColumnElement[bool]:
    """The customers list's ``filter=segment:<id>`` (core's
    ``trellis_customer_filters``): the SQL condition of a segment ``user``
    sees, which core applies under ``user``'s scope."""
    if not value.isdigit() or (user is not None and not user.can("marketing.segment.read")):
        raise ValidationError({"segment": [_("Unknown segment.")]})
    segment = visible_segment(int(value), user)
    members_query(segment, user)  # a condition on a field hidden from the user is refused
    return compile_conditions(segment.match, segment.conditions or [], frozenset({segment.id}))


def segment_options(user: User | None) -> list[tuple[str, str]]:
    """The segments ``user`` may filter the customers list by."""
    if user is not None and not user.can("marketing.segment.read"):
        return []
    shown = visible_segments(user).order_by(Segment.name)
    return [(str(s.id), s.name) for s in db.session.scalars(shown)]


def count_members(segment: Segment | dict, user: User | None) -> int:
    query = members_query(segment, user).with_only_columns(func.count(Customer.id))
    return db.session.scalar(query.order_by(None)) or 0


def preview(payload: dict, user: User | None) -> int:
    """How many customers ``user`` sees that match unsaved conditions."""
    return count_members(checked(load(MarketingPreviewInput(), payload), user), user)
