"""Moves of stock (备件库存): received, transferred between locations (two
moves), used on a work order, corrected after a count — each written in one
transaction with the stock rows it changes and the audit log.

Stock never goes below zero: the service refuses it with a message that
names the line, and the database's CHECK refuses it too, for the writer that
loses a race. The stock rows are read afresh and locked (``SELECT … FOR
UPDATE`` where the database can) in one order, so two requests queue rather
than both pass the check, and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (
    Amount,
    MissingReferenceError,
    StaleVersionError,
    StateError,
    User,
    ValidationError,
    audit,
    db,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Part, Stock, StockLocation, StockMove, WorkOrder
from .parts import _note, _quantity, amount, van_of, visible_locations
from .validation import Id

_, _l = translator("service_dispatch")
#: Numeric(12, 2): the most a stock row can hold, plus one cent
MAX_STOCK = Decimal("10000000000")
#: part lines one completion report may carry
MAX_LINES = 50


class ReceiveInput(Schema):
    part_id = Id(required=True)
    location_id = Id(required=True)
    quantity = _quantity(required=True)
    note = _note()


class StockTransferInput(Schema):
    part_id = Id(required=True)
    from_location_id = Id(required=True)
    to_location_id = Id(required=True)
    quantity = _quantity(required=True)
    note = _note()


class AdjustInput(Schema):
    """A stock count: the quantity counted replaces what the books said."""

    part_id = Id(required=True)
    location_id = Id(required=True)
    counted = Amount(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=300))


class UseLine(Schema):
    """A part used on a job; taken from the engineer's van unless a location is named."""

    part_id = Id(required=True)
    quantity = _quantity(required=True)
    location_id = Id(allow_none=True, load_default=None)


def _location(location_id: int, field: str, actor: User | None) -> StockLocation:
    location = db.session.scalar(
        visible_locations(actor).where(
            StockLocation.id == location_id, StockLocation.active.is_(True)
        )
    )
    if location is None:
        raise MissingReferenceError({field: [_("no active stock location with this id")]})
    return location


def _part(part_id: int, field: str = "part_id") -> Part:
    part = db.session.get(Part, part_id)
    if part is None or not part.active:
        raise MissingReferenceError({field: [_("no active part with this id")]})
    return part


def _locked(part_id: int, location_id: int) -> Stock | None:
    """The stock row, locked until the transaction ends, read fresh from the database."""
    return db.session.scalar(
        select(Stock)
        .where(Stock.part_id == part_id, Stock.location_id == location_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _available(stock: Stock | None) -> Decimal:
    return stock.quantity if stock is not None else Decimal(0)


def _shortage(part: Part, location: StockLocation, available: Decimal) -> str:
    return _(
        "only %(available)s %(unit)s of %(part)s in stock at %(location)s",
        available=amount(available),
        unit=part.unit,
        part=part.name,
        location=location.name,
    )


@contextmanager
def _stock_guard() -> Iterator[None]:
    """The database's last word: a stock row that would go negative (the
    CHECK) or that another writer created first (the unique key) means
    someone changed the stock at the same moment — 409, nothing written."""
    try:
        yield
        db.session.flush()
    except IntegrityError:
        raise StaleVersionError(Stock.__tablename__, None, None, None) from None


def _row(part: Part, location: StockLocation) -> Stock:
    """The locked stock row of ``part`` at ``location``, made (at 0) if there is none."""
    stock = _locked(part.id, location.id)
    if stock is None:
        stock = Stock(part_id=part.id, location_id=location.id, quantity=Decimal(0))
        db.session.add(stock)
        db.session.flush()
    return stock


def _change(
    stock: Stock,
    delta: Decimal,
    reason: str,
    actor: User | None,
    note: str | None = None,
    order: WorkOrder | None = None,
) -> StockMove:
    """Add ``delta`` to ``stock`` and record the move (and the audit entry)."""
    if stock.quantity + delta >= MAX_STOCK:
        raise StateError(
            {
                "quantity": [
                    _(
                        "%(place)s would hold more than the books can record; check the quantity",
                        place=stock.location.name if stock.location else "",
                    )
                ]
            }
        )
    before = snapshot(stock)
    stock.quantity = stock.quantity + delta
    move = StockMove(
        part_id=stock.part_id,
        location_id=stock.location_id,
        quantity=delta,
        reason=reason,
        work_order_id=order.id if order else None,
        user_id=actor.id if actor else None,
        at=utcnow(),
        note=note,
    )
    db.session.add(move)
    audit(actor, stock, reason, before, snapshot(stock))
    return move


def receive(payload: dict, actor: User | None) -> Stock:
    """Stock arriving at a location (a delivery from the supplier)."""
    data = load(ReceiveInput(), payload)
    part = _part(data["part_id"])
    location = _location(data["location_id"], "location_id", actor)
    with transaction(), _stock_guard():
        stock = _row(part, location)
        _change(stock, data["quantity"], "receive", actor, data.get("note"))
    return stock


def transfer(payload: dict, actor: User | None) -> tuple[Stock, Stock]:
    """Move stock between locations (warehouse → van and back): two moves."""
    data = load(StockTransferInput(), payload)
    part = _part(data["part_id"])
    source = _location(data["from_location_id"], "from_location_id", actor)
    target = _location(data["to_location_id"], "to_location_id", actor)
    if source.id == target.id:
        raise ValidationError({"to_location_id": [_("choose another location than the source")]})
    quantity = data["quantity"]
    with transaction(), _stock_guard():
        # both rows locked in one order (by location id), so two transfers cannot deadlock
        first, second = sorted((source, target), key=lambda loc: loc.id)
        rows = {first.id: _locked(part.id, first.id), second.id: _locked(part.id, second.id)}
        if _available(rows[source.id]) < quantity:
            raise StateError({"quantity": [_shortage(part, source, _available(rows[source.id]))]})
        _change(rows[source.id], -quantity, "transfer", actor, data.get("note"))
        into = rows[target.id] or _row(part, target)
        _change(into, quantity, "transfer", actor, data.get("note"))
    return rows[source.id], into


def adjust(payload: dict, actor: User | None) -> Stock:
    """Correct the books after a count; the note says why. A count that
    matches the books changes nothing."""
    data = load(AdjustInput(), payload)
    note = data["note"].strip()
    if not note:
        raise ValidationError({"note": [_("Field may not be blank.")]})
    part = _part(data["part_id"])
    location = _location(data["location_id"], "location_id", actor)
    with transaction(), _stock_guard():
        stock = _row(part, location)
        delta = data["counted"] - stock.quantity
        if delta:
            _change(stock, delta, "adjust", actor, note)
    return stock


def use_parts(order: WorkOrder, lines: list, actor: User | None) -> list[StockMove]:
    """Take the parts used on ``order`` out of stock, in the caller's transaction.

    Each line comes from the order's engineer's van unless it names a
    location the actor may see. Every bad line is named (``parts.1.quantity``)
    and nothing is taken; lines of one part at one place count together.
    """
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise ValidationError({"parts": [_("a list of at most %(num)d lines", num=MAX_LINES)]})
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    wanted: list[tuple[int, Part, StockLocation, Decimal]] = []
    for i, raw in enumerate(lines):
        try:
            line = load(UseLine(), raw)
            part = _part(line["part_id"])
            if line["location_id"] is not None:
                location = _location(line["location_id"], "location_id", actor)
            else:
                location = van_of(order.engineer_id)
                if location is None or not location.active:
                    raise ValidationError(
                        {
                            "location_id": [
                                _("the engineer has no van; name the location the part came from")
                            ]
                        }
                    )
        except ValidationError as exc:
            into = missing if isinstance(exc, MissingReferenceError) else errors
            into.update({f"parts.{i}.{key}": msgs for key, msgs in exc.errors.items()})
            continue
        wanted.append((i, part, location, line["quantity"]))
    refuse(errors, missing=missing)
    moves = []
    with transaction(), _stock_guard():
        keys = sorted({(part.id, location.id) for _i, part, location, _q in wanted})
        rows = {key: _locked(*key) for key in keys}  # one lock order: no deadlocks
        left = {key: _available(rows[key]) for key in keys}
        for i, part, location, quantity in wanted:
            key = (part.id, location.id)
            if left[key] < quantity:
                errors[f"parts.{i}.quantity"] = [_shortage(part, location, left[key])]
            left[key] -= quantity
        if errors:
            raise StateError(errors)
        for _i, part, location, quantity in wanted:
            moves.append(
                _change(rows[(part.id, location.id)], -quantity, "use", actor, order.number, order)
            )
    return moves


def form_lines(form: Mapping[str, str], rows: int = MAX_LINES) -> list[dict]:
    """The part rows of a web form (``parts-<n>-part_id``, ``parts-<n>-quantity``)
    that have anything in them, as :class:`UseLine` payloads."""
    lines = []
    for n in range(rows):
        if f"parts-{n}-part_id" not in form and f"parts-{n}-quantity" not in form:
            break
        part_id = (form.get(f"parts-{n}-part_id") or "").strip()
        quantity = (form.get(f"parts-{n}-quantity") or "").strip()
        if part_id or quantity:
            # a form's text becomes the number a JSON body carries
            number = int(part_id) if part_id.isdigit() and len(part_id) < 12 else part_id or None
            lines.append({"part_id": number, "quantity": quantity or None})
    return lines
