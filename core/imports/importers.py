"""What can be imported: an :class:`Importer` per target, core's customers
and contacts, and those plugins declare through ``trellis_importers`` — one
registry (``current_registry().importers``), filled the same way for both.

An importer says how a row becomes a record: ``validate(payload, actor)``
loads the row's values (text, as the mapping read them) through the
target's schema and rules and returns the clean values, or raises
``ValidationError`` naming the fields; ``find(values, actor)`` is the
existing record the row is a duplicate of (or ``None``); ``keys(values)``
the row's dedupe keys, to find duplicates within the file; ``create``,
``update`` and ``delete`` write through the target's own services (inside
the import's transaction), ``visible`` says whether the importing user may
change a record.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema
from sqlalchemy import func, select

from core.access import visible_customer_ids
from core.errors import ValidationError, refuse
from core.extensions import db
from core.i18n import _, _l
from core.imports.activities import ACTIVITIES
from core.imports.declaration import Importer
from core.models import Contact, ContactPoint, Customer, User
from core.models.customers import name_key
from core.normalize import clean_contact_points
from core.registry import current_registry
from core.schemas import ContactInput, CustomerInput
from core.services.base import load
from core.services.contacts import create_contact, delete_contact, update_contact
from core.services.customers import (
    create_customer,
    delete_customer,
    find_duplicates,
    update_customer,
)

#: the schemas rows load through, made once (a schema costs more to make than to use)
_CUSTOMER_INPUT, _CONTACT_INPUT = CustomerInput(), ContactInput()
#: what importing needs (besides the target's own write permission)
IMPORT = "customer.import"


def importers() -> dict[str, Importer]:
    """Every importer of the application, by name."""
    return current_registry().importers


def importer_of(name: str) -> Importer:
    """The importer called ``name``; a 422 naming ``target`` if there is none."""
    found = importers().get(name)
    if found is None:
        raise ValidationError({"target": [_("no such import target: %(name)s", name=name or "—")]})
    return found


def may_import(user: User | None, importer: Importer) -> bool:
    if user is None:
        return True
    return user.can(IMPORT) and (importer.permission is None or user.can(importer.permission))


def current_values(record: Any, names: list[str]) -> dict[str, Any]:
    """The record's values of ``names`` as the target's input takes them
    (an enum's value, a date as ISO, tags by name): what undo writes back."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        if name == "tags":
            value = [tag.name for tag in value]
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):  # a money column: its text, as JSON can hold it
            value = str(value)
        elif isinstance(value, (list, dict)):
            value = type(value)(value)
        out[name] = value
    return out


def checked(schema: Schema, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` if they load through ``schema`` and their phones and
    e-mails are valid (a ``ValidationError`` naming the fields if not), the
    phones and e-mails normalised: still the input the services take."""
    data = load(schema, values)
    errors: dict[str, list[str]] = {}
    clean_contact_points(data, errors)
    refuse(errors)
    return {**values, "phones": data.get("phones", []), "emails": data.get("emails", [])}


# ----------------------------------------------------------------- customers

CUSTOMER_FIELDS = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "industry": _l("Industry"),
    "grade": _l("Grade"),
    "source": _l("Source"),
    "stage": _l("Stage"),
    "owner": _l("Owner (e-mail)"),
    "region": _l("Region"),
    "city": _l("City"),
    "address": _l("Address"),
    "phones": _l("Phones"),
    "emails": _l("E-mails"),
    "website": _l("Website"),
    "notes": _l("Notes"),
    "tags": _l("Tags"),
}
CUSTOMER_ALIASES = {
    "名称": "name",
    "客户名称": "name",
    "客户": "name",
    "公司": "name",
    "公司名称": "name",
    "company": "name",
    "customer": "name",
    "行业": "industry",
    "客户级别": "grade",
    "级别": "grade",
    "来源": "source",
    "客户状态": "stage",
    "负责人": "owner",
    "地区": "region",
    "区域": "region",
    "城市": "city",
    "地址": "address",
    "手机": "phones",
    "电话": "phones",
    "手机号": "phones",
    "phone": "phones",
    "mobile": "phones",
    "tel": "phones",
    "邮箱": "emails",
    "电子邮件": "emails",
    "email": "emails",
    "e-mail": "emails",
    "网站": "website",
    "备注": "notes",
    "note": "notes",
    "标签": "tags",
    "tag": "tags",
}


def owner_of(values: dict[str, Any], actor: User | None) -> None:
    """Turn an ``owner`` e-mail into ``owner_id`` (and the owner's team):
    another user than ``actor`` only if ``actor`` may transfer customers.
    Without one a new customer is the importing user's (:func:`_create_customer`)."""
    email = values.pop("owner", None)
    if email is None:
        return
    owner = db.session.scalar(
        select(User).where(func.lower(User.email) == str(email).strip().lower())
    )
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": [_("no active user with this e-mail")]})
    if actor is not None and owner.id != actor.id and not actor.can("customer.transfer"):
        raise ValidationError({"owner": [_("you may not assign customers to another user")]})
    values["owner_id"] = owner.id
    values["team_id"] = owner.team_id


def _validate_customer(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = dict(payload)
    owner_of(values, actor)
    return checked(_CUSTOMER_INPUT, values)


def _find_customer(values: dict[str, Any], actor: User | None) -> Customer | None:
    found = find_duplicates(
        values.get("name", ""), values.get("phones", []), values.get("emails", []), limit=1
    )
    return found[0] if found else None


def _customer_keys(values: dict[str, Any]) -> list[str]:
    return (
        [f"phone:{p}" for p in values.get("phones", [])]
        + [f"email:{e}" for e in values.get("emails", [])]
        + [f"name:{name_key(values.get('name', ''))}"]
    )


def _customer_visible(customer: Customer, actor: User | None) -> bool:
    return actor is None or (
        db.session.scalar(
            visible_customer_ids(actor, per_row=True).where(Customer.id == customer.id)
        )
        is not None
    )


def _create_customer(values: dict[str, Any], actor: User | None) -> Customer:
    owner = {"owner_id": actor.id} if actor is not None else {}
    return create_customer({**owner, **values}, actor).customer


CUSTOMERS = Importer(
    name="customers",
    label=_l("Customers"),
    schema=CustomerInput,
    model=Customer,
    fields=CUSTOMER_FIELDS,
    aliases=CUSTOMER_ALIASES,
    list_fields=("phones", "emails", "tags"),
    validate=_validate_customer,
    find=_find_customer,
    keys=_customer_keys,
    create=lambda values, actor: _create_customer(values, actor),
    update=lambda record, values, actor: update_customer(record, values, actor),
    delete=lambda record, actor: delete_customer(record, actor),
    visible=_customer_visible,
    order=10,
)


# ------------------------------------------------------------------ contacts

CONTACT_FIELDS = {
    "name": _l("Name"),
    "customer": _l("Customer"),
    "title": _l("Title"),
    "phones": _l("Phones"),
    "emails": _l("E-mails"),
    "birthday": _l("Birthday"),
    "notes": _l("Notes"),
}
CONTACT_ALIASES = {
    "姓名": "name",
    "名称": "name",
    "联系人": "name",
    "联系人姓名": "name",
    "客户": "customer",
    "客户名称": "customer",
    "公司": "customer",
    "公司名称": "customer",
    "company": "customer",
    "organization": "customer",
    "职位": "title",
    "职务": "title",
    "手机": "phones",
    "电话": "phones",
    "手机号": "phones",
    "phone": "phones",
    "mobile": "phones",
    "邮箱": "emails",
    "电子邮件": "emails",
    "email": "emails",
    "e-mail": "emails",
    "生日": "birthday",
    "备注": "notes",
    "note": "notes",
}


def _validate_contact(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = dict(payload)
    company = values.pop("customer", None)
    if company is None:
        raise ValidationError({"customer": [_("a contact needs the name of its customer")]})
    query = select(Customer.id).where(
        Customer.name_key == name_key(str(company)), Customer.deleted_at.is_(None)
    )
    if actor is not None:
        query = query.where(Customer.id.in_(visible_customer_ids(actor)))
    customer_id = db.session.scalar(query.order_by(Customer.id).limit(1))
    if customer_id is None:
        raise ValidationError({"customer": [_("no customer you may see is called so")]})
    values["customer_id"] = customer_id
    return checked(_CONTACT_INPUT, values)


def _find_contact(values: dict[str, Any], actor: User | None) -> Contact | None:
    points = [("phone", p) for p in values.get("phones", [])] + [
        ("email", e) for e in values.get("emails", [])
    ]
    for kind, value in points:
        contact_id = db.session.scalar(
            select(ContactPoint.contact_id)
            .join(Contact, Contact.id == ContactPoint.contact_id)
            .where(
                ContactPoint.kind == kind, ContactPoint.value == value, Contact.deleted_at.is_(None)
            )
            .limit(1)
        )
        if contact_id is not None:
            return db.session.get(Contact, contact_id)
    return db.session.scalar(
        select(Contact)
        .where(
            func.lower(Contact.name) == values.get("name", "").strip().lower(),
            Contact.customer_id == values.get("customer_id"),
            Contact.deleted_at.is_(None),
        )
        .limit(1)
    )


def _contact_keys(values: dict[str, Any]) -> list[str]:
    name = values.get("name", "").strip().lower()
    return (
        [f"phone:{p}" for p in values.get("phones", [])]
        + [f"email:{e}" for e in values.get("emails", [])]
        + [f"name:{name}|{values.get('customer_id')}"]
    )


CONTACTS = Importer(
    name="contacts",
    label=_l("Contacts"),
    schema=ContactInput,
    model=Contact,
    fields=CONTACT_FIELDS,
    aliases=CONTACT_ALIASES,
    list_fields=("phones", "emails"),
    validate=_validate_contact,
    find=_find_contact,
    keys=_contact_keys,
    create=create_contact,
    update=lambda record, values, actor: update_contact(record, values, actor),
    delete=lambda record, actor: delete_contact(record, actor),
    visible=lambda contact, actor: _customer_visible(contact.customer, actor),
    order=20,
)

#: core's importers, registered like the plugins' (``trellis_importers``);
#: activities in their own module (:mod:`core.imports.activities`)
CORE_IMPORTERS = [CUSTOMERS, CONTACTS, ACTIVITIES]
