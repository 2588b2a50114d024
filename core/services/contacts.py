"""Contacts (联系人) of a customer."""

from __future__ import annotations

from sqlalchemy import update

from core.errors import NotFoundError, ValidationError, refuse
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _
from core.models import Contact, Customer, User, utcnow
from core.normalize import clean_contact_points
from core.schemas import ContactInput
from core.services.base import apply, audit, check_version, load, snapshot
from core.services.customers import _sync_points

_schema = ContactInput()


def get_contact(contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise NotFoundError(_("contact %(id)s not found", id=contact_id))
    return contact


def create_contact(payload: dict, actor: User | None) -> Contact:
    """Create a contact of a customer from ``payload`` (validated by the
    contact schema), audited and announced as ``contact_created``; a contact
    marked primary becomes the customer's only primary one."""
    data = _clean(load(_schema, payload))
    with transaction():
        contact = Contact(**data)
        db.session.add(contact)
        db.session.flush()
        if contact.is_primary:
            _only_primary(contact)
        _sync_points(contact.customer_id, contact.id, contact.phones, contact.emails)
        audit(actor, contact, "create", None, snapshot(contact))
        emit("contact_created", contact=contact)
    return contact


def update_contact(
    contact: Contact, payload: dict, actor: User | None, expected_version: int | None = None
) -> Contact:
    data = _clean(load(_schema, payload, partial=True))
    if "customer_id" in data and data["customer_id"] != contact.customer_id:
        raise ValidationError(
            {
                "customer_id": [
                    _("a contact cannot move to another customer; merge the customers instead")
                ]
            }
        )
    check_version(contact, expected_version)
    with transaction():
        before = snapshot(contact)
        changes = apply(contact, data)
        if not changes:
            return contact
        if contact.is_primary and "is_primary" in changes:
            _only_primary(contact)
        if "phones" in changes or "emails" in changes:
            _sync_points(contact.customer_id, contact.id, contact.phones, contact.emails)
        audit(actor, contact, "update", before, snapshot(contact))
    return contact


def delete_contact(
    contact: Contact, actor: User | None, expected_version: int | None = None
) -> None:
    check_version(contact, expected_version)
    with transaction():
        before = snapshot(contact)
        contact.deleted_at = utcnow()
        _sync_points(contact.customer_id, contact.id, [], [])
        audit(actor, contact, "delete", before, snapshot(contact))


def _only_primary(contact: Contact) -> None:
    db.session.execute(
        update(Contact)
        .where(
            Contact.customer_id == contact.customer_id,
            Contact.id != contact.id,
            Contact.is_primary.is_(True),
        )
        .values(is_primary=False, version=Contact.version + 1)
    )


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean_contact_points(data, errors)
    if "name" in data:
        data["name"] = data["name"].strip()
        if not data["name"]:
            errors["name"] = [_("a contact needs a name")]
    missing = {}
    if "customer_id" in data:
        customer = db.session.get(Customer, data["customer_id"])
        if customer is None or customer.deleted_at is not None:
            missing["customer_id"] = [_("no customer with this id")]
    refuse(errors, missing=missing)
    return data
