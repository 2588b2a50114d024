"""Entitlement: is a job covered by a warranty or service contract (保修 /
服务合同), or chargeable — and by when must it be answered and resolved.

:func:`apply_entitlement` runs when an order is opened. It picks the
contract that covers the order (:func:`covering_contract`: a contract for
the order's serial number beats one for its product, which beats a blanket
contract for everything the customer has), and sets the SLA deadlines from
the policy for the order's category and priority (:func:`sla_policy`),
counted in business hours on the business calendar.

Contracts belong to a customer and are seen by whoever sees the customer
(core's scoped query helper on ``Customer``); any other is a 404.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from core.api import (
    Customer,
    MissingReferenceError,
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    customer_for,
    db,
    load,
    scoped,
    snapshot,
    text_contains,
    transaction,
    translator,
    utcnow,
)

from ..models import CONTRACT_KINDS, Contract, SlaPolicy, WorkOrder
from .business_hours import BeyondHorizon, Calendar, add_business_hours, load_calendar
from .validation import Id

_, _l = translator("service_dispatch")

KIND_LABELS = {"warranty": _l("Warranty"), "contract": _l("Service contract")}


# ------------------------------------------------------------------- coverage


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().casefold() == b.strip().casefold()


def _rank(contract: Contract, product: str | None, serial: str | None) -> int | None:
    """0 for the order's serial number, 1 for its product, 2 for a blanket
    contract; ``None`` when the contract does not cover this product."""
    if contract.serial_number:
        if not _same(contract.serial_number, serial):
            return None
        return 0 if not (contract.product and product) or _same(contract.product, product) else None
    if contract.product:
        return 1 if _same(contract.product, product) else None
    return 2


def covering_contract(
    customer_id: int, product: str | None, serial_number: str | None, category: str | None, on: date
) -> Contract | None:
    """The customer's live contract that covers the job on ``on``, or ``None``.

    A contract covers from ``starts_on`` to ``ends_on`` inclusive, the
    categories it lists (all when it lists none; an order without a category
    only under such a contract). Several may apply: the most specific wins
    (serial number, then product, then blanket), then the one that runs
    longest, then the oldest."""
    rows = db.session.scalars(
        select(Contract).where(
            Contract.customer_id == customer_id,
            Contract.deleted_at.is_(None),
            Contract.starts_on <= on,
            Contract.ends_on >= on,
        )
    ).all()
    ranked = []
    for contract in rows:
        rank = _rank(contract, product, serial_number)
        wanted = category.strip().casefold() if category else None
        covers = not contract.categories or (
            wanted is not None and wanted in {c.casefold() for c in contract.categories}
        )
        if rank is not None and covers:
            ranked.append((rank, -contract.ends_on.toordinal(), contract.id, contract))
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


def sla_policy(category: str | None, priority: str) -> SlaPolicy | None:
    """The category's own policy for the priority, else the default row
    (category ``""``), else ``None`` (no deadlines). Categories match
    ignoring case and surrounding spaces, as contracts' do."""
    wanted = (category or "").strip().casefold()
    rows = db.session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.priority == priority, func.lower(SlaPolicy.category).in_({wanted, ""})
        )
    ).all()
    by_category = {row.category.casefold(): row for row in rows}
    return by_category.get(wanted) or by_category.get("")


def apply_entitlement(
    order: WorkOrder, keep_respond_by: bool = False, calendar: Calendar | None = None
) -> WorkOrder:
    """Set the order's contract, coverage and SLA deadlines (before it is
    saved). The clock starts when the order is opened; ``keep_respond_by``
    leaves a respond-by the caller gave alone."""
    calendar = calendar or load_calendar()
    opened = order.created_at or utcnow()
    contract = covering_contract(
        order.customer_id,
        order.product,
        order.serial_number,
        order.category,
        calendar.local_date(opened),
    )
    order.contract_id = contract.id if contract else None
    order.coverage = "covered" if contract else "chargeable"
    policy = sla_policy(order.category, order.priority or "normal")
    if not keep_respond_by:
        order.respond_by = _due(opened, policy.response_hours, calendar) if policy else None
    order.resolve_by = _due(opened, policy.resolution_hours, calendar) if policy else None
    return order


def _due(opened, hours: int, calendar: Calendar):
    """``hours`` business hours after ``opened``; none when the calendar
    cannot fit them in its next three years (no deadline, not a crash)."""
    try:
        return add_business_hours(opened, hours, calendar)
    except BeyondHorizon:
        return None


# ------------------------------------------------------------------ contracts


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class ContractChange(Schema):
    """What may change on a contract (not whose it is)."""

    number = fields.String(validate=validate.Length(min=1, max=40))
    kind = fields.String(validate=validate.OneOf(CONTRACT_KINDS))
    product = _text(120, metadata={"description": "empty: every product of the customer"})
    serial_number = _text(80, metadata={"description": "empty: every unit of the product"})
    categories = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        validate=validate.Length(max=50),
        metadata={"description": "problem categories; empty: all"},
    )
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "the last day covered; not before starts_on"})
    notes = _text(5000)


class ContractInput(ContractChange):
    customer_id = Id(required=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    kind = fields.String(load_default="warranty", validate=validate.OneOf(CONTRACT_KINDS))
    categories = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


def _clean(data: dict) -> dict:
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip() or None
    if "categories" in data:
        data["categories"] = list(dict.fromkeys(c.strip() for c in data["categories"] if c.strip()))
    if "number" in data and data["number"] is None:
        raise ValidationError({"number": [_("Field may not be blank.")]})
    return data


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("the contract cannot end before it starts")]})


def visible_contracts(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: the live contracts) restricted to the contracts of
    customers ``user`` may see."""
    query = select(Contract) if query is None else query
    query = query.join(Customer, Customer.id == Contract.customer_id).where(
        Contract.deleted_at.is_(None)
    )
    return scoped(query, Customer, user)


def filter_contracts(query: Select, args: dict, today: date | None = None) -> Select:
    """``query`` over contracts narrowed by the list filters (API and page):
    ``customer_id``, ``kind``, ``active_on`` (running that day),
    ``expiring_within`` (running ``today`` — default: the business calendar's
    today — and ending within that many days: the renewals to offer) and
    ``q`` (number, product or serial number)."""
    for key in ("customer_id", "kind"):
        if args.get(key):
            query = query.where(getattr(Contract, key) == args[key])
    if args.get("active_on"):
        query = query.where(
            Contract.starts_on <= args["active_on"], Contract.ends_on >= args["active_on"]
        )
    if args.get("expiring_within"):
        today = today or load_calendar().local_date(utcnow())
        query = query.where(
            Contract.starts_on <= today,
            Contract.ends_on >= today,
            Contract.ends_on <= today + timedelta(days=args["expiring_within"]),
        )
    if args.get("q"):
        query = query.where(
            text_contains(Contract.number, args["q"])
            | text_contains(Contract.product, args["q"])
            | text_contains(Contract.serial_number, args["q"])
        )
    return query


def visible_contract(contract_id: int, user: User | None) -> Contract:
    contract = db.session.scalar(visible_contracts(user).where(Contract.id == contract_id))
    if contract is None:
        raise NotFoundError(_("contract %(id)s not found", id=contract_id))
    return contract


def create_contract(payload: dict, actor: User | None) -> Contract:
    """A warranty or contract for a customer the actor may see (422 naming
    the field otherwise)."""
    data = _clean(load(ContractInput(), payload))
    if customer_for(data["customer_id"], actor) is None:
        raise MissingReferenceError({"customer_id": [_("no customer with this id")]})
    _check_dates(data["starts_on"], data["ends_on"])
    with transaction():
        contract = Contract(**data)
        db.session.add(contract)
        db.session.flush()
        audit(actor, contract, "create", None, snapshot(contract))
    return contract


def update_contract(
    contract: Contract, payload: dict, actor: User | None, expected_version: int | None = None
) -> Contract:
    """Change what the payload names; the dates are checked together."""
    data = _clean(load(ContractChange(), payload, partial=True))
    for key in ("starts_on", "ends_on", "kind"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("Field may not be null.")]})
    _check_dates(data.get("starts_on", contract.starts_on), data.get("ends_on", contract.ends_on))
    check_version(contract, expected_version)
    with transaction():
        before = snapshot(contract)
        for key, value in data.items():
            setattr(contract, key, value)
        audit(actor, contract, "update", before, snapshot(contract))
    return contract


def delete_contract(
    contract: Contract, actor: User | None, expected_version: int | None = None
) -> None:
    """Soft delete: it covers no new order; orders it covered keep their link."""
    check_version(contract, expected_version)
    with transaction():
        before = snapshot(contract)
        contract.deleted_at = utcnow()
        audit(actor, contract, "delete", before, snapshot(contract))


def purge_contracts(customer_id: int) -> int:
    """Delete a purged customer's contracts (orders they covered lose the
    link first); returns how many went."""
    from sqlalchemy import delete, update

    ids = select(Contract.id).where(Contract.customer_id == customer_id)
    db.session.execute(
        update(WorkOrder).where(WorkOrder.contract_id.in_(ids)).values(contract_id=None)
    )
    return db.session.execute(delete(Contract).where(Contract.customer_id == customer_id)).rowcount
