"""Opening a work order (工单): the rules in one place, one transaction, the
``work_order_created`` event after it commits. Moving an order along its
lifecycle is :func:`plugins.service_dispatch.services.lifecycle.transition`."""

from __future__ import annotations

from datetime import datetime, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import case, func, select, text

from core.api import (
    ConflictError,
    Contact,
    User,
    ValidationError,
    audit,
    check_version,
    conceal,
    customer_for,
    db,
    emit,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import PRIORITIES, REPEAT_DAYS, OrderCounter, WorkOrder, WorkOrderEvent
from .entitlement import apply_entitlement
from .lifecycle import STATE_LABELS, timeline
from .validation import Id

_, _l = translator("service_dispatch")


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class WorkOrderInput(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_id = Id(required=True)
    contact_id = Id(allow_none=True)
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    category = _text(60)
    description = _text(20000)
    address = _text(300, metadata={"description": "default: the customer's city and address"})
    product = _text(120)
    serial_number = _text(80)
    appointment_at = fields.AwareDateTime(allow_none=True)
    respond_by = fields.AwareDateTime(allow_none=True)


class WorkOrderChange(Schema):
    """What may change on an order once it is open (not whose it is, not its
    state: that is the lifecycle's)."""

    title = fields.String(validate=validate.Length(min=1, max=200))
    contact_id = Id(allow_none=True)
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    category = _text(60)
    description = _text(20000)
    address = _text(300)
    product = _text(120)
    serial_number = _text(80)


#: what decides the order's contract, coverage and SLA deadlines
#: a sort key for priority by urgency (urgent first), for every list of orders
URGENCY = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=WorkOrder.priority, else_=4)
ENTITLEMENT_FIELDS = {"priority", "category", "product", "serial_number"}
#: an order done with is history: it no longer changes
FROZEN = ("closed", "cancelled")
FIELD_LABELS = {
    "title": _l("Title"),
    "contact_id": _l("Contact"),
    "priority": _l("Priority"),
    "category": _l("Category"),
    "description": _l("Description"),
    "address": _l("Address"),
    "product": _l("Product"),
    "serial_number": _l("Serial number"),
}


def _clean(data: dict) -> dict:
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip() or None
    if "title" in data and data["title"] is None:
        raise ValidationError({"title": [_("Field may not be blank.")]})
    return data


def _check_contact(data: dict, customer_id: int) -> dict[str, list[str]]:
    if data.get("contact_id") is not None:
        contact = db.session.get(Contact, data["contact_id"])
        if contact is None or contact.customer_id != customer_id or contact.deleted_at:
            return {"contact_id": [_("no contact with this id at this customer")]}
    return {}


def create_work_order(payload: dict, actor: User | None, origin: dict | None = None) -> WorkOrder:
    """Open a work order for a customer the actor may see (422 naming the
    field otherwise); its number is ``WO-<date>-<n>``, unique. ``origin``:
    fields the system sets, never the payload (``source``, ``requester_name``,
    ``requester_phone``, ``tracking_hash`` of a public request; the
    ``number`` and ``created_at`` a reviewed request was filed under)."""
    data = _clean(load(WorkOrderInput(), payload))
    customer = customer_for(data["customer_id"], actor)
    missing: dict[str, list[str]] = {}
    if customer is None:
        missing["customer_id"] = [_("no customer with this id")]
    missing.update(_check_contact(data, data["customer_id"]))
    refuse(missing=missing)
    if not data.get("address"):
        data["address"] = site_of(customer, actor)
    return _insert({**data, **(origin or {})}, customer, actor)


def site_of(customer, actor: User | None) -> str | None:
    """The customer's city and address, as far as ``actor`` may see them: a
    work order copies only what its author could read on the customer."""
    seen = conceal("customer", {"city": customer.city, "address": customer.address}, actor)
    return " ".join(p for p in (seen.get("city"), seen.get("address")) if p) or None


def _insert(data: dict, customer, actor: User | None) -> WorkOrder:
    # a reviewed public request keeps the number and the time it was filed under
    number, opened = data.pop("number", None), data.pop("created_at", None) or utcnow()
    with transaction():
        order = WorkOrder(
            **data,
            number=number or next_number(),
            status="new",
            created_at=opened,
            team_id=(actor.team_id if actor else None) or customer.team_id,
        )
        order.repeat_of_id = repeat_of(order.serial_number, order.created_at)
        apply_entitlement(order, keep_respond_by=data.get("respond_by") is not None)
        db.session.add(order)
        db.session.flush()
        db.session.add(
            WorkOrderEvent(
                work_order_id=order.id,
                action="create",
                to_status="new",
                user_id=actor.id if actor else None,
                at=opened,
            )
        )
        audit(actor, order, "create", None, snapshot(order))
        timeline(
            order,
            actor,
            _("New work order %(number)s: %(title)s", number=order.number, title=order.title),
            order.description,
        )
        emit("service_dispatch_work_order_created", order=order)
    return order


def update_work_order(
    order: WorkOrder, payload: dict, actor: User | None, expected_version: int | None = None
) -> WorkOrder:
    """Change what the payload names (422 naming the field; 409 when stale,
    or when the order is closed or cancelled). A new priority, category,
    product or serial number decides the contract, the coverage and the SLA
    deadlines again, counted from when the order was opened — as if it had
    been opened so (a respond-by set by hand is recomputed too); a new serial
    number decides again whether it is a repeat visit."""
    data = _clean(load(WorkOrderChange(), payload, partial=True))
    refuse(missing=_check_contact(data, order.customer_id))
    check_version(order, expected_version)
    if order.status in FROZEN:
        raise ConflictError(
            _(
                "Work order %(number)s can no longer be changed (%(state)s).",
                number=order.number,
                state=STATE_LABELS[order.status],
            )
        )
    changes = {k: v for k, v in data.items() if getattr(order, k) != v}
    if not changes:
        return order
    with transaction():
        before = snapshot(order)
        with db.session.no_autoflush:  # one UPDATE: one new version
            for key, value in changes.items():
                setattr(order, key, value)
            if changes.keys() & ENTITLEMENT_FIELDS:
                apply_entitlement(order)
            if "serial_number" in changes:
                order.repeat_of_id = repeat_of(order.serial_number, order.created_at, order.id)
        audit(actor, order, "update", before, snapshot(order))
        timeline(
            order,
            actor,
            _(
                "Work order %(number)s changed: %(fields)s",
                number=order.number,
                fields=", ".join(str(FIELD_LABELS[k]) for k in changes),
            ),
            None,
        )
    return order


def repeat_of(
    serial_number: str | None, opened_at: datetime, order_id: int | None = None
) -> int | None:
    """The order of ``serial_number`` (other than ``order_id``) completed last
    in the ``REPEAT_DAYS`` before ``opened_at``: an order opened then is a
    repeat visit of it (the SLA report's repeat visits and first-time fixes)."""
    if not serial_number:
        return None
    return db.session.scalar(
        select(WorkOrder.id)
        .where(
            WorkOrder.serial_number == serial_number,
            WorkOrder.id != (order_id or 0),
            WorkOrder.completed_at < opened_at,
            WorkOrder.completed_at >= opened_at - timedelta(days=REPEAT_DAYS),
            WorkOrder.deleted_at.is_(None),
        )
        .order_by(WorkOrder.completed_at.desc(), WorkOrder.id.desc())
        .limit(1)
    )


def next_number() -> str:
    """``WO-<UTC date>-<4 digits>``, counting up within the day.

    The day's counter row is bumped in the caller's transaction (an upsert,
    the same SQL on SQLite and PostgreSQL): it stays locked until that
    transaction ends, so two clerks opening orders at once get one number
    after the other and never the same. The first order of a day starts
    after the day's highest number already given (orders from before the
    counter existed)."""
    day = f"{utcnow():%Y%m%d}"
    prefix = f"WO-{day}-"
    last = db.session.scalar(
        select(func.max(WorkOrder.number)).where(WorkOrder.number.startswith(prefix))
    )
    start = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    serial = db.session.scalar(
        text(
            f"INSERT INTO {OrderCounter.__tablename__} (day, last) VALUES (:day, :start) "
            f"ON CONFLICT (day) DO UPDATE SET last = {OrderCounter.__tablename__}.last + 1 "
            "RETURNING last"
        ),
        {"day": day, "start": start},
    )
    return f"{prefix}{serial:04d}"
