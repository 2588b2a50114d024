"""Requests customers file themselves (报修) through a public link, and the
tracking link they get back.

A company gives out request links, each with a secret key. A request posted
to an active link whose phone is nobody's creates a customer in the pool
(公海) of the link's team and opens a work order with ``source="public"``.
Anyone can type a phone number, so a request whose phone is an existing
customer's (the customer's own or one of its contacts') changes nothing: it
waits as a :class:`ServiceRequest` until a dispatcher links it to that
customer or opens a new one (:mod:`.review`). The visitor cannot tell the
two apart: both get a work order number and a tracking token. The token is
given once: only its sha256 is kept, so the database cannot give it away
and a forged token matches nothing (core's tracking links,
``core.api.new_tracking_token``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.api import (
    Contact,
    Customer,
    Team,
    User,
    ValidationError,
    audit,
    create_contact,
    create_customer,
    db,
    find_duplicates,
    new_tracking_token,
    normalize_phone,
    scoped,
    snapshot,
    tracking_match,
    transaction,
    translator,
)

from ..models import RequestLink, ServiceRequest, WorkOrder
from . import attachments, dispatch, orders

_, _l = translator("service_dispatch")

#: the form's fields and their longest accepted value; the first three are required
FIELDS = {
    "name": 120,
    "phone": 40,
    "description": 5000,
    "address": 300,
    "product": 120,
    "serial_number": 80,
    "category": 60,
}
REQUIRED = ("name", "phone", "description")


@dataclass
class Filed:
    """A filed request — a work order, or a request waiting for review — and
    the token only its customer holds."""

    record: WorkOrder | ServiceRequest
    token: str

    @property
    def number(self) -> str:
        return self.record.number


# --- request links (the admin's side) ---------------------------------------


def links() -> list[RequestLink]:
    return list(db.session.scalars(select(RequestLink).order_by(RequestLink.id)))


def link_for(key: str) -> RequestLink | None:
    """The active link with this key (``None`` for a wrong or switched-off key)."""
    return db.session.scalar(
        select(RequestLink).where(RequestLink.key == key[:64], RequestLink.active.is_(True))
    )


def create_link(name: str, team_id: int | None, actor: User | None) -> RequestLink:
    """A new link with a fresh unguessable key; requests join ``team_id``'s pool."""
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 120:
        errors["name"] = [_("Give the link a name of at most 120 characters.")]
    if team_id is not None and db.session.get(Team, team_id) is None:
        errors["team_id"] = [_("no team with this id")]
    if errors:
        raise ValidationError(errors)
    with transaction():
        link = RequestLink(name=name, key=secrets.token_urlsafe(24), active=True, team_id=team_id)
        db.session.add(link)
        db.session.flush()
        audit(actor, link, "create", None, snapshot(link))
    return link


def set_active(link: RequestLink, active: bool, actor: User | None) -> RequestLink:
    """Switch a link off (its key then answers 404) or on again."""
    with transaction():
        before = snapshot(link)
        link.active = active
        audit(actor, link, "update", before, snapshot(link))
    return link


# --- finding the customer -----------------------------------------------------


def clean_phone(raw: str | None, field: str = "phone") -> str:
    """The phone as core stores it (``+8613800138000``); 422 naming ``field``."""
    try:
        return normalize_phone(raw or "")
    except ValueError:
        raise ValidationError({field: [_("This is not a phone number.")]}) from None


def customers_with_phone(phone: str, limit: int = 50) -> list[Customer]:
    """Live customers with this normalised phone, on the customer or on one of
    its contacts, oldest first. Not scoped: callers that show them scope them."""
    # customer names are never empty, so only the phone can match
    return find_duplicates("", [phone], [], limit=limit)


def visible_customers_with_phone(raw: str | None, user: User | None) -> list[Customer]:
    """For an agent's lookup: the customers with this phone that ``user`` may
    see (422 naming ``phone`` if it is not a phone number)."""
    ids = [c.id for c in customers_with_phone(clean_phone(raw), limit=200)]
    return list(
        db.session.scalars(
            scoped(select(Customer), Customer, user)
            .where(Customer.id.in_(ids))
            .order_by(Customer.name, Customer.id)
            .limit(50)
        )
    )


def _contact(customer: Customer, name: str, phone: str, actor: User | None) -> Contact:
    """The customer's contact with this phone, else with this name, else a new one."""
    live = [c for c in customer.contacts if c.deleted_at is None]
    for contact in live:
        if phone in (contact.phones or []):
            return contact
    for contact in live:
        if contact.name.strip().lower() == name.lower():
            return contact
    return create_contact(
        {"customer_id": customer.id, "name": name, "phones": [phone], "is_primary": not live}, actor
    )


# --- filing a request -----------------------------------------------------------


def categories() -> list[str]:
    """What a customer may pick as the problem: the skills of active engineers,
    so that a request can be dispatched by skill."""
    return sorted({s for e in dispatch.engineers(active_only=True) for s in e.skills or ()})


def check_request(form: dict[str, str | None]) -> dict:
    """The trimmed fields; one 422 names every missing or wrong field."""
    data = {k: (form.get(k) or "").strip() or None for k in FIELDS}
    errors: dict[str, list[str]] = {}
    for key, longest in FIELDS.items():
        if data[key] is None and key in REQUIRED:
            errors[key] = [_("Please fill in this field.")]
        elif data[key] is not None and len(data[key]) > longest:
            errors[key] = [_("At most %(num)d characters.", num=longest)]
    if "phone" not in errors:
        try:
            data["phone_normal"] = clean_phone(data["phone"])
        except ValidationError as exc:
            errors.update(exc.errors)
    offered = categories()
    if data["category"] and offered and data["category"] not in offered:
        errors["category"] = [_("Pick one of the listed problems.")]
    if errors:
        raise ValidationError(errors)
    return data


def title_of(data: dict) -> str:
    first_line = data["description"].splitlines()[0].strip()
    return (f"{data['product']}: {first_line}" if data.get("product") else first_line)[:200]


def file_request(link: RequestLink, form: dict, files: list[FileStorage] = ()) -> Filed:
    """Turn a public request into a work order: everything, or (422 naming
    the fields) nothing — no customer, contact, order or file."""
    data = check_request(form)
    uploads = attachments.check(list(files), images_only=True)
    if customers_with_phone(data["phone_normal"], limit=1):
        return _hold(link, data, uploads)
    return _file(link, data, uploads)


def _hold(link: RequestLink, data: dict, uploads: list[attachments.Upload]) -> Filed:
    """Keep the request for review, under the order number it will get."""
    (token, hashed), written = new_tracking_token(), []
    try:
        with transaction():
            written = attachments.write(uploads)
            held = ServiceRequest(
                number=orders.next_number(),
                link_id=link.id,
                team_id=link.team_id,
                title=title_of(data),
                phone_normal=data["phone_normal"],
                tracking_hash=hashed,
                files=written,
                **{k: data[k] for k in FIELDS},
            )
            db.session.add(held)
            db.session.flush()
            audit(None, held, "create", None, snapshot(held))
    except BaseException:
        attachments.remove_files([w["stored_name"] for w in written])
        raise
    return Filed(held, token)


def _file(link: RequestLink, data: dict, uploads: list[attachments.Upload]) -> Filed:
    (token, hashed), written = new_tracking_token(), []
    try:
        with transaction():
            order = _open(link, data, hashed)
            written = [a.stored_name for a in attachments.store(order, uploads, None)]
    except BaseException:
        attachments.remove_files(written)
        raise
    return Filed(order, token)


def _open(link: RequestLink, data: dict, tracking_hash: str) -> WorkOrder:
    """A new customer in the link's team pool, its contact, the order."""
    customer = new_customer(data, link.team_id, None)
    return open_order(customer, data, None, {"tracking_hash": tracking_hash})


def new_customer(data: dict, team_id: int | None, actor: User | None) -> Customer:
    """The requester as a new customer in ``team_id``'s pool."""
    return create_customer(
        {
            "name": data["name"],
            "kind": "person",
            "phones": [data["phone_normal"]],
            "address": data["address"],
            "team_id": team_id,
        },
        actor,
    ).customer


def open_order(customer: Customer, data: dict, actor: User | None, origin: dict) -> WorkOrder:
    """The requester's contact at ``customer`` (found or new) and the order;
    ``origin``: the tracking hash, and a reviewed request's number and time."""
    contact = _contact(customer, data["name"], data["phone_normal"], actor)
    return orders.create_work_order(
        {
            "title": title_of(data),
            "customer_id": customer.id,
            "contact_id": contact.id,
            "priority": "normal",
            "category": data["category"],
            "description": data["description"],
            "address": data["address"],
            "product": data["product"],
            "serial_number": data["serial_number"],
        },
        actor,
        origin={
            "source": "public",
            "requester_name": data["name"],
            "requester_phone": data["phone"],
            **origin,
        },
    )


# --- tracking ----------------------------------------------------------------


def tracked_order(token: str) -> WorkOrder | ServiceRequest | None:
    """The order (or the request waiting for review) a tracking token belongs
    to, found by the token's hash (``core.api.tracking_match``); ``None`` for
    a forged one."""
    return db.session.scalar(
        select(WorkOrder).where(
            tracking_match(WorkOrder.tracking_hash, token), WorkOrder.deleted_at.is_(None)
        )
    ) or db.session.scalar(
        select(ServiceRequest).where(tracking_match(ServiceRequest.tracking_hash, token))
    )


def public_history(order: WorkOrder | ServiceRequest) -> list[tuple]:
    """``(when, state)`` for each step: no names, no notes."""
    if isinstance(order, ServiceRequest):
        return [(order.created_at, "new")]
    return [(e.at, e.to_status) for e in order.events]
