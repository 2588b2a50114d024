"""Spare parts (备件), the places they lie — warehouses and engineers' vans —
and who sees which: what a part is and where stock is read. Moving stock
(receive, transfer, use on a job, correct after a count) is :mod:`.stock`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from core.api import (
    Amount,
    Flag,
    TakenError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    refuse,
    scoped,
    snapshot,
    transaction,
    translator,
)

from ..models import LOCATION_KINDS, Part, Stock, StockLocation, StockMove, WorkOrder
from .validation import Id

_, _l = translator("service_dispatch")
#: at or below this a part's stock is shown as low
LOW_STOCK = Decimal(2)


def _quantity(**kwargs) -> Amount:
    """A quantity above 0, two decimals at most (pipe goes by the metre), as a string."""
    return Amount(positive=True, **kwargs)


def _note(**kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=300), **kwargs)


class PartInput(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(
        load_default="pcs",
        validate=validate.Length(min=1, max=20),
        metadata={"description": "pcs, m, kg, …"},
    )
    price = Amount(load_default=Decimal(0))
    active = Flag(load_default=True)


class PartChange(Schema):
    """What a PATCH may change: any of a part's fields, none required."""

    sku = fields.String(validate=validate.Length(min=1, max=60))
    name = fields.String(validate=validate.Length(min=1, max=200))
    unit = fields.String(validate=validate.Length(min=1, max=20))
    price = Amount()
    active = Flag()


class LocationInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(load_default="warehouse", validate=validate.OneOf(LOCATION_KINDS))
    engineer_id = Id(
        allow_none=True,
        metadata={
            "description": "the van's engineer (a user id): required for a van, "
            "null or absent for a warehouse"
        },
    )


#: LocationInput's rule across its fields, for the OpenAPI document (JSON
#: Schema 2020-12): a van names its engineer, a warehouse none
LOCATION_BODY = {
    "allOf": [LocationInput],
    "if": {"properties": {"kind": {"const": "van"}}, "required": ["kind"]},
    "then": {"required": ["engineer_id"], "properties": {"engineer_id": {"type": "integer"}}},
    "else": {"properties": {"engineer_id": {"type": "null"}}},
}


def amount(value: Decimal) -> str:
    """``2.00`` as ``2``, ``1.50`` as ``1.5``: a quantity the way people say it."""
    return f"{value.normalize():f}"


# -------------------------------------------------------------------- reading


def parts(active_only: bool = False) -> list[Part]:
    query = select(Part).order_by(Part.name, Part.id)
    if active_only:
        query = query.where(Part.active.is_(True))
    return list(db.session.scalars(query))


def van_of(user_id: int | None) -> StockLocation | None:
    if user_id is None:
        return None
    return db.session.scalar(select(StockLocation).where(StockLocation.engineer_id == user_id))


def sees_all_stock(user: User | None) -> bool:
    return user is None or user.can("service.admin") or user.can("service.dispatch")


def visible_locations(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: the locations) restricted to those ``user`` may see:
    service admins and dispatchers every one, anyone else (an engineer)
    through core's scoped helper with the van's engineer as owner — their own van."""
    query = select(StockLocation) if query is None else query
    if sees_all_stock(user):
        return query
    return scoped(query, StockLocation, user, owner_attr="engineer_id", team_attr=None)


def visible_stock(user: User | None) -> Select:
    """The stock rows at the locations ``user`` may see."""
    return select(Stock).where(
        Stock.location_id.in_(visible_locations(user, select(StockLocation.id)))
    )


def parts_used(order: WorkOrder) -> list[StockMove]:
    """The parts taken for ``order``, oldest first."""
    return list(
        db.session.scalars(
            select(StockMove)
            .where(StockMove.work_order_id == order.id, StockMove.reason == "use")
            .order_by(StockMove.at, StockMove.id)
        )
    )


def van_stock(user_id: int) -> dict[int, Decimal]:
    """What lies in ``user_id``'s van: part id → quantity (nothing without a van)."""
    van = van_of(user_id)
    if van is None:
        return {}
    return dict(
        db.session.execute(
            select(Stock.part_id, Stock.quantity).where(Stock.location_id == van.id)
        ).all()
    )


# -------------------------------------------------------------- parts, places


def create_part(payload: dict, actor: User | None) -> Part:
    data = _clean(load(PartInput(), payload))
    _unique_sku(data["sku"], None)
    with _sku_guard(), transaction():
        part = Part(**data)
        db.session.add(part)
        db.session.flush()
        audit(actor, part, "create", None, snapshot(part))
    return part


def update_part(
    part: Part, payload: dict, actor: User | None, expected_version: int | None = None
) -> Part:
    data = _clean(load(PartChange(), payload))
    if "sku" in data:
        _unique_sku(data["sku"], part.id)
    check_version(part, expected_version)
    with _sku_guard(), transaction():
        before = snapshot(part)
        for key, value in data.items():
            setattr(part, key, value)
        audit(actor, part, "update", before, snapshot(part))
    return part


def _clean(data: dict) -> dict:
    for key in ("sku", "name", "unit"):
        if key in data:
            data[key] = data[key].strip()
            if not data[key]:
                raise ValidationError({key: [_("Field may not be blank.")]})
    return data


def _unique_sku(sku: str, own_id: int | None) -> None:
    """Another part holding the SKU is a 409 naming ``sku``."""
    if db.session.scalar(select(Part.id).where(Part.sku == sku, Part.id != (own_id or 0))):
        raise TakenError({"sku": [_("another part has the SKU %(sku)s", sku=sku)]})


@contextmanager
def _sku_guard() -> Iterator[None]:
    """Two admins saving one SKU at once: the loser hears it named, as above."""
    try:
        yield
    except IntegrityError:
        raise TakenError({"sku": [_("another part has this SKU")]}) from None


def create_location(payload: dict, actor: User | None) -> StockLocation:
    """A warehouse, or a van: a van belongs to one engineer, who has one van
    (422 for a van without ``engineer_id`` or a warehouse with one, as the
    OpenAPI document says; 404 when it names no active engineer; 409 when
    the engineer has a van)."""
    data = load(LocationInput(), payload)
    data["name"] = data["name"].strip()
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    taken: dict[str, list[str]] = {}
    if not data["name"]:
        errors["name"] = [_("Field may not be blank.")]
    if data["kind"] == "van":
        user = db.session.get(User, data["engineer_id"]) if data.get("engineer_id") else None
        if not data.get("engineer_id"):
            errors["engineer_id"] = [_("a van needs an active engineer")]
        elif user is None or not user.is_active or not user.can("service.engineer"):
            missing["engineer_id"] = [_("no active engineer with this id")]
        elif van_of(user.id) is not None:
            taken["engineer_id"] = [_("%(name)s already has a van", name=user.name)]
    elif data.get("engineer_id"):
        errors["engineer_id"] = [_("only a van belongs to an engineer")]
    refuse(errors, missing=missing, taken=taken)
    try:
        with transaction():
            location = StockLocation(**data)
            db.session.add(location)
            db.session.flush()
            audit(actor, location, "create", None, snapshot(location))
    except IntegrityError:
        raise TakenError({"engineer_id": [_("this engineer already has a van")]}) from None
    return location


def forget_orders(orders: Select) -> None:
    """Purged work orders (a select of their ids): their stock moves stay,
    without the link, so the stock's history still adds up."""
    db.session.execute(
        update(StockMove).where(StockMove.work_order_id.in_(orders)).values(work_order_id=None)
    )
