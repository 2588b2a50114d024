"""Customers: create (reporting likely duplicates), edit, delete to the
recycle bin, restore, change owner, merge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import delete, or_, select, update

from core.access import check_transfer
from core.attachments import purge_attachments, repoint_attachments
from core.custom_fields import clean_custom_fields
from core.errors import ConflictError, MissingReferenceError, NotFoundError, ValidationError, refuse
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _
from core.models import (
    Activity,
    ApprovalRequest,
    Contact,
    ContactPoint,
    Customer,
    CustomerConsent,
    PoolRelease,
    Tag,
    Team,
    User,
    utcnow,
)
from core.models.customers import name_key
from core.normalize import clean_contact_points
from core.registry import current_registry
from core.schemas import CustomerInput
from core.services.base import apply, audit, check_version, load, snapshot
from core.services.pool import move_open_tasks

_schema = CustomerInput()


@dataclass
class Created:
    """A new customer and the existing ones that look like the same business."""

    customer: Customer
    duplicates: list[Customer]


def get_customer(customer_id: int, *, include_deleted: bool = False) -> Customer:
    """The customer by id, whoever is asking (no access check: for the
    system's own work; a user's request goes through ``visible_customer``);
    ``NotFoundError`` if there is none or it is in the recycle bin."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or (customer.deleted_at is not None and not include_deleted):
        raise NotFoundError(_("customer %(id)s not found", id=customer_id))
    return customer


def create_customer(payload: dict, actor: User | None) -> Created:
    """Create a customer; report likely duplicates (same phone, e-mail or name)."""
    with transaction():
        customer = new_customer(payload)
        db.session.add(customer)
        db.session.flush()
        duplicates = find_duplicates(
            customer.name, customer.phones, customer.emails, exclude_id=customer.id
        )
        _sync_points(customer.id, None, customer.phones, customer.emails)
        audit(actor, customer, "create", None, snapshot(customer))
        emit("customer_created", customer=customer)
    return Created(customer, duplicates)


def new_customer(payload: dict, tags: Callable[[list[str]], list[Tag]] | None = None) -> Customer:
    """The unsaved, checked customer of ``payload`` (a ``ValidationError``
    naming the fields), in its owner's team; ``tags`` finds its tags by name."""
    data = _clean(load(_schema, payload))
    names = data.pop("tags")
    customer = Customer(**data, tags=(tags or tags_named)(names))
    if customer.owner_id and customer.team_id is None:
        customer.team_id = cast(User, db.session.get(User, customer.owner_id)).team_id
    return customer


def update_customer(
    customer: Customer, payload: dict, actor: User | None, expected_version: int | None = None
) -> Customer:
    """Change the given fields only; refuse a stale ``expected_version``, and
    a new owner or team without ``customer.transfer`` (:func:`check_transfer`)."""
    data = _clean(load(_schema, payload, partial=True), partial=True)
    check_transfer(actor, customer, data)
    check_version(customer, expected_version)
    with transaction():
        before = snapshot(customer)
        if "tags" in data:
            customer.tags = tags_named(data.pop("tags"))
        if "custom_fields" in data:
            merged = {**customer.custom_fields, **data.pop("custom_fields")}
            data["custom_fields"] = {k: v for k, v in merged.items() if v is not None}
        owner_changed = "owner_id" in data and data["owner_id"] != customer.owner_id
        previous_owner = customer.owner_id
        changes = apply(customer, data)
        if not changes:
            return customer
        if owner_changed and previous_owner is not None and customer.owner_id is not None:
            # Into the pool (new owner None) the tasks stay with the old owner,
            # as a pool release leaves them.
            move_open_tasks(previous_owner, customer.owner_id, customer.id)
        if "phones" in changes or "emails" in changes:
            _sync_points(customer.id, None, customer.phones, customer.emails)
        audit(actor, customer, "update", before, snapshot(customer))
        emit("customer_updated", customer=customer, changes=changes)
        if owner_changed:
            emit(
                "customer_owner_changed",
                customer=customer,
                previous_owner_id=previous_owner,
                new_owner_id=customer.owner_id,
            )
    return customer


def change_owner(
    customer: Customer,
    new_owner_id: int | None,
    actor: User | None,
    expected_version: int | None = None,
) -> Customer:
    """Hand the customer to another user (their team follows), or to the pool (``None``)."""
    team_id = None
    if new_owner_id is not None:
        owner = _active_user(new_owner_id, "owner_id")
        team_id = owner.team_id
    return update_customer(
        customer, {"owner_id": new_owner_id, "team_id": team_id}, actor, expected_version
    )


def delete_customer(
    customer: Customer, actor: User | None, expected_version: int | None = None
) -> None:
    """Move to the recycle bin (回收站); the row and its history stay."""
    check_version(customer, expected_version)
    with transaction():
        check_veto(customer, "delete")
        before = snapshot(customer)
        customer.deleted_at = utcnow()
        audit(actor, customer, "delete", before, snapshot(customer))
        emit("customer_deleted", customer=customer)


def restore_customer(customer: Customer, actor: User | None) -> Customer:
    if customer.deleted_at is None:
        raise ValidationError({"id": [_("this customer is not in the recycle bin")]})
    with transaction():
        before = snapshot(customer)
        customer.deleted_at = None
        audit(actor, customer, "restore", before, snapshot(customer))
        emit("customer_restored", customer=customer)
    return customer


MERGEABLE = (
    *("name", "kind", "industry", "grade", "source", "stage", "owner_id", "team_id"),
    *("region", "city", "address", "website", "notes"),
)


def merge_customers(
    survivor: Customer, other: Customer, actor: User | None, choose: dict[str, str] | None = None
) -> Customer:
    """Fold ``other`` into ``survivor`` (合并重复客户).

    For each field, ``choose`` may say ``"survivor"`` or ``"merged"``; by
    default the newer non-empty value wins. Phones, e-mails and tags are
    united; contacts, activities and plugin records (``trellis_merge_records``)
    move to the survivor; ``other`` goes to the recycle bin. The audit entry
    keeps both snapshots and the choices, so the merge can be explained later.
    """
    choose = dict(choose or {})
    errors = {
        f"choose.{k}": [_("unknown field, or not 'survivor' or 'merged'")]
        for k, v in choose.items()
        if k not in MERGEABLE or v not in ("survivor", "merged")
    }
    if survivor.id == other.id:
        errors["merge_id"] = [_("a customer cannot be merged with itself")]
    elif other.deleted_at is not None:
        errors["merge_id"] = [_("that customer is in the recycle bin")]
    if errors:
        raise ValidationError(errors)
    other_is_newer = other.updated_at > survivor.updated_at
    with transaction():
        check_veto(other, "merge", survivor)
        before = {"survivor": snapshot(survivor), "merged": snapshot(other)}
        for key in MERGEABLE:
            mine, theirs = getattr(survivor, key), getattr(other, key)
            default = (
                "merged"
                if theirs not in (None, "") and (other_is_newer or mine in (None, ""))
                else "survivor"
            )
            choose.setdefault(key, default)
            if choose[key] == "merged":
                setattr(survivor, key, theirs)
        check_transfer(actor, before["survivor"], snapshot(survivor))
        survivor.phones = list(dict.fromkeys(survivor.phones + other.phones))
        survivor.emails = list(dict.fromkeys(survivor.emails + other.emails))
        survivor.custom_fields = {**other.custom_fields, **survivor.custom_fields}
        survivor.tags = list({t.id: t for t in survivor.tags + other.tags}.values())
        db.session.execute(
            update(Contact).where(Contact.customer_id == other.id).values(customer_id=survivor.id)
        )
        db.session.execute(
            update(Activity).where(Activity.customer_id == other.id).values(customer_id=survivor.id)
        )
        db.session.execute(  # a request's decisions land on the survivor's timeline
            update(ApprovalRequest)
            .where(ApprovalRequest.customer_id == other.id)
            .values(customer_id=survivor.id)
        )
        db.session.execute(
            delete(ContactPoint).where(
                ContactPoint.customer_id == other.id, ContactPoint.contact_id.is_(None)
            )
        )
        db.session.execute(
            update(ContactPoint)
            .where(ContactPoint.customer_id == other.id)
            .values(customer_id=survivor.id)
        )
        db.session.execute(  # the person's latest decision per channel and purpose holds
            update(CustomerConsent)
            .where(CustomerConsent.customer_id == other.id)
            .values(customer_id=survivor.id)
        )
        repoint_attachments(other.id, survivor.id)
        current_registry().call(
            "trellis_merge_records", survivor_id=survivor.id, merged_id=other.id
        )
        _sync_points(survivor.id, None, survivor.phones, survivor.emails)
        other.deleted_at = utcnow()
        db.session.expire(survivor, ["contacts"])
        audit(
            actor,
            survivor,
            "merge",
            before,
            {"survivor": snapshot(survivor), "merged_id": other.id, "choices": choose},
        )
        emit("customer_merged", survivor=survivor, merged_id=other.id)
    return survivor


def purge_customer(customer: Customer, actor: User | None) -> None:
    """Delete a customer from the recycle bin for good, with its contacts,
    timeline and (through ``trellis_purge_records``) plugin records. The
    audit log keeps the last snapshot."""
    if customer.deleted_at is None:
        raise ValidationError({"id": [_("only customers in the recycle bin can be purged")]})
    with transaction():
        check_veto(customer, "purge")
        last = snapshot(customer)
        current_registry().call("trellis_purge_records", customer_id=customer.id)
        purge_attachments(customer.id)
        db.session.execute(
            update(Activity)
            .where(
                Activity.task_id.in_(select(Activity.id).where(Activity.customer_id == customer.id))
            )
            .values(task_id=None)
        )
        db.session.execute(delete(Activity).where(Activity.customer_id == customer.id))
        db.session.execute(delete(ContactPoint).where(ContactPoint.customer_id == customer.id))
        db.session.execute(delete(Contact).where(Contact.customer_id == customer.id))
        db.session.execute(delete(PoolRelease).where(PoolRelease.customer_id == customer.id))
        customer.tags = []
        audit(actor, customer, "purge", last, None)
        db.session.delete(customer)


def check_veto(customer: Customer, action: str, survivor: Customer | None = None) -> None:
    """Ask every plugin (``trellis_customer_veto``) whether ``action`` may go ahead;
    raise a 409 that carries each reason given."""
    reasons = [
        str(reason)
        for reason in current_registry().call(
            "trellis_customer_veto", customer=customer, action=action, survivor=survivor
        )
        if reason
    ]
    if reasons:
        message = {
            "delete": _("%(customer)s cannot go to the recycle bin: %(reasons)s"),
            "merge": _("%(customer)s cannot be merged: %(reasons)s"),
            "purge": _("%(customer)s cannot be purged: %(reasons)s"),
        }[action]
        raise ConflictError(
            message % {"customer": customer.name, "reasons": "; ".join(reasons)},
            kind="customer-vetoed",
            title=_("Refused"),
            reasons=reasons,
        )


def find_duplicates(
    name: str, phones: list[str], emails: list[str], exclude_id: int | None = None, limit: int = 10
) -> list[Customer]:
    """Customers sharing a normalised phone or e-mail (customer's or a
    contact's), or the same ``name_key`` (an empty name: none): indexed."""
    points = [("phone", p) for p in phones] + [("email", e) for e in emails]
    key = name_key(name)
    matches = [Customer.name_key == key] if key else []
    if points:
        matches.append(
            Customer.id.in_(
                select(ContactPoint.customer_id).where(
                    or_(
                        *(
                            (ContactPoint.kind == kind) & (ContactPoint.value == value)
                            for kind, value in points
                        )
                    )
                )
            )
        )
    if not matches:
        return []
    query = select(Customer).where(or_(*matches), Customer.deleted_at.is_(None))
    if exclude_id is not None:
        query = query.where(Customer.id != exclude_id)
    return list(db.session.scalars(query.order_by(Customer.id).limit(limit)))


def _clean(data: dict, *, partial: bool = False) -> dict:
    """Normalise phones/e-mails, check references and custom fields."""
    errors: dict[str, list[str]] = {}
    clean_contact_points(data, errors)
    if "name" in data:
        data["name"] = data["name"].strip()
        if not data["name"]:
            errors["name"] = [_("a customer needs a name")]
    missing = {}
    if data.get("owner_id") is not None:
        try:
            _active_user(data["owner_id"], "owner_id")
        except ValidationError as exc:
            missing.update(exc.errors)
    if data.get("team_id") is not None and db.session.get(Team, data["team_id"]) is None:
        missing["team_id"] = [_("no team with this id")]
    if "custom_fields" in data:
        try:
            data["custom_fields"] = clean_custom_fields(
                "customer", data["custom_fields"], current_registry().field_types, partial=partial
            )
        except ValidationError as exc:
            errors.update(exc.errors)
    refuse(errors, missing=missing)
    return data


def _active_user(user_id: int, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise MissingReferenceError({field: [_("no active user with this id")]})
    return user


def tags_named(names: list[str]) -> list[Tag]:
    """The tags of these names, those missing added (in the current transaction)."""
    names = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in existing:
            existing[name] = Tag(name=name)
            db.session.add(existing[name])
    return [existing[n] for n in names]


def _sync_points(
    customer_id: int, contact_id: int | None, phones: list[str], emails: list[str]
) -> None:
    """Rewrite the contact points of one customer (or one of its contacts)."""
    owner = (
        (ContactPoint.contact_id == contact_id) if contact_id else ContactPoint.contact_id.is_(None)
    )
    db.session.execute(delete(ContactPoint).where(ContactPoint.customer_id == customer_id, owner))
    db.session.add_all(
        [
            ContactPoint(kind="phone", value=p, customer_id=customer_id, contact_id=contact_id)
            for p in phones
        ]
        + [
            ContactPoint(kind="email", value=e, customer_id=customer_id, contact_id=contact_id)
            for e in emails
        ]
    )
