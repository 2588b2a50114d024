"""Static lists: who sees which list, saving one, its members.

A list is seen like a segment — its owner's, and everyone's who may see
segments when ``shared`` — and changed only by its owner or someone who
sees every record. Its members are kept, not computed; who sees which
member is still core's scope (:func:`members_query`). A customer is put on
a list only if the one putting it there sees it, so a list never tells a
rep of a customer they may not see; freezing a segment puts on the list
the members its creator sees at that moment, in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, delete, func, insert, literal, select

from core.api import (
    Customer,
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    delete_rows,
    load,
    repoint,
    scoped,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import StaticList, StaticListMember
from ..schemas.lists import MarketingListChange, MarketingListInput, MarketingListMembersInput
from . import segments, sharing

_, _l = translator("marketing")

#: the most customers one list holds
MAX_MEMBERS = 100_000


def visible_lists(user: User | None) -> Select:
    return sharing.visible(StaticList, user)


def search_lists(user: User | None, args: dict) -> Select:
    return sharing.searched(StaticList, user, args)


def visible_list(list_id: int, user: User | None) -> StaticList:
    return sharing.visible_one(StaticList, list_id, user, _("list %(id)s not found", id=list_id))


def may_change(found: StaticList, user: User | None) -> bool:
    return sharing.may_change(found, user)


def _may_change(found: StaticList, user: User | None) -> None:
    sharing.check_may_change(found, user, _("Only the list's owner may change it."))


def create_list(payload: dict, actor: User | None) -> StaticList:
    """A new list owned by ``actor``: empty, with ``customer_ids``, or
    frozen from segment ``segment_id`` (its members as ``actor`` sees them)."""
    data = load(MarketingListInput(), payload)
    data["name"] = data["name"].strip()
    segment = None
    if data.get("segment_id") is not None:
        try:
            segment = segments.visible_segment(data["segment_id"], actor)
        except NotFoundError as exc:
            raise ValidationError({"segment_id": [str(exc)]}) from exc
    ids = _visible_ids(data.pop("customer_ids", None) or [], actor)
    with transaction():
        found = StaticList(**data, owner_id=actor.id if actor else None)
        db.session.add(found)
        db.session.flush()
        if segment is not None:
            _freeze(found, segment, actor)
        _add(found, ids, actor)
        audit(actor, found, "create", None, snapshot(found))
    return found


def _freeze(found: StaticList, segment, actor: User | None) -> None:
    members = segments.members_query(segment, actor).order_by(None)
    size = db.session.scalar(members.with_only_columns(func.count(Customer.id))) or 0
    if size > MAX_MEMBERS:
        raise ValidationError(
            {"segment_id": [_("A list holds at most %(max)s customers.", max=MAX_MEMBERS)]}
        )
    now = utcnow()
    rows = members.with_only_columns(
        literal(found.id),
        Customer.id,
        literal(actor.id if actor else None),
        literal(now),
        literal(now),
    )
    columns = ["list_id", "customer_id", "added_by_id", "created_at", "updated_at"]
    db.session.execute(insert(StaticListMember).from_select(columns, rows))


def _visible_ids(ids: Iterable[int], actor: User | None) -> list[int]:
    """``ids`` if ``actor`` sees every one of them; a 422 naming them otherwise."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    seen = set(
        db.session.scalars(
            scoped(select(Customer.id), Customer, actor).where(Customer.id.in_(wanted))
        )
    )
    if missing := [i for i in wanted if i not in seen]:
        shown = ", ".join(str(i) for i in missing[:10])
        raise ValidationError({"customer_ids": [_("No such customer: %(ids)s.", ids=shown)]})
    return wanted


def _add(found: StaticList, ids: list[int], actor: User | None) -> int:
    """Put ``ids`` on the list, those not on it yet; how many were added."""
    if not ids:
        return 0
    on = set(
        db.session.scalars(
            select(StaticListMember.customer_id).where(
                StaticListMember.list_id == found.id, StaticListMember.customer_id.in_(ids)
            )
        )
    )
    new = [i for i in ids if i not in on]
    total = db.session.scalar(select(func.count()).where(StaticListMember.list_id == found.id))
    if (total or 0) + len(new) > MAX_MEMBERS:
        raise ValidationError(
            {"customer_ids": [_("A list holds at most %(max)s customers.", max=MAX_MEMBERS)]}
        )
    by = actor.id if actor else None
    db.session.add_all(
        StaticListMember(list_id=found.id, customer_id=i, added_by_id=by) for i in new
    )
    return len(new)


def add_members(found: StaticList, payload: dict, actor: User | None) -> int:
    """Put the customers ``payload`` names on the list (those ``actor`` sees)."""
    _may_change(found, actor)
    ids = _visible_ids(load(MarketingListMembersInput(), payload)["customer_ids"], actor)
    with transaction():
        added = _add(found, ids, actor)
        audit(actor, found, "update", None, {"added": ids})
    return added


def remove_members(found: StaticList, payload: dict, actor: User | None) -> int:
    """Take the customers ``payload`` names off the list (those ``actor`` sees)."""
    _may_change(found, actor)
    ids = _visible_ids(load(MarketingListMembersInput(), payload)["customer_ids"], actor)
    with transaction():
        removed = db.session.execute(
            delete(StaticListMember).where(
                StaticListMember.list_id == found.id, StaticListMember.customer_id.in_(ids)
            )
        )
        audit(actor, found, "update", {"removed": ids}, None)
    return getattr(removed, "rowcount", 0) or 0


def update_list(
    found: StaticList, payload: dict, actor: User | None, version: int | None = None
) -> StaticList:
    _may_change(found, actor)
    data = load(MarketingListChange(), payload, partial=True)
    version = data.pop("version", version)
    check_version(found, version)
    with transaction():
        before = snapshot(found)
        for key, value in data.items():
            setattr(found, key, value.strip() if key == "name" else value)
        audit(actor, found, "update", before, snapshot(found))
    return found


def delete_list(found: StaticList, actor: User | None, version: int | None = None) -> None:
    """Into the bin; its members stay, for a restore."""
    _may_change(found, actor)
    check_version(found, version)
    with transaction():
        before = snapshot(found)
        found.deleted_at = utcnow()
        audit(actor, found, "delete", before, snapshot(found))


def members_query(found: StaticList, user: User | None) -> Select:
    """The list's members ``user`` may see, through core's scoped query."""
    return scoped(select(Customer), Customer, user).where(member_of(found.id))


def member_of(list_id: int) -> ColumnElement[bool]:
    return Customer.id.in_(
        select(StaticListMember.customer_id).where(StaticListMember.list_id == list_id)
    )


def count_members(found: StaticList, user: User | None) -> int:
    query = members_query(found, user).with_only_columns(func.count(Customer.id))
    return db.session.scalar(query.order_by(None)) or 0


def member_condition(value: str, user: User | None) -> ColumnElement[bool]:
    """The customers list's ``filter=list:<id>`` (core applies the scope)."""
    if not value.isdigit() or (user is not None and not user.can("marketing.segment.read")):
        raise ValidationError({"list": [_("Unknown list.")]})
    return member_of(visible_list(int(value), user).id)


def list_options(user: User | None) -> list[tuple[str, str]]:
    if user is not None and not user.can("marketing.segment.read"):
        return []
    shown = visible_lists(user).order_by(StaticList.name)
    return [(str(found.id), found.name) for found in db.session.scalars(shown)]


def repoint_members(survivor_id: int, merged_id: int) -> int:
    """Merged customers: the merged one's places go to the survivor (once)."""
    on = select(StaticListMember.list_id).where(StaticListMember.customer_id == survivor_id)
    db.session.execute(
        delete(StaticListMember).where(
            StaticListMember.customer_id == merged_id, StaticListMember.list_id.in_(on)
        )
    )
    return repoint(StaticListMember, "customer_id", merged_id, survivor_id)


def purge_members(customer_id: int) -> None:
    delete_rows(StaticListMember, "customer_id", customer_id)
