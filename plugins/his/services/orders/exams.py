"""Examination orders (检查/检验): a lab test or an imaging study of the
price list ordered in an open visit — charged at once (billing, source
``exam_order``) — then resulted, or cancelled (its charge voided, refused
once paid). Results come in after the patient left, so entering one does
not need the visit open; they need ``his.result.write`` (nurses too)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import (
    StateError,
    User,
    audit,
    check_version,
    db,
    load,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import EXAM_KINDS, ExamOrder, PriceItem
from ..billing import ChargeLine, add_charges, void_charges
from ..visits import ensure_open, visible_visit
from .inputs import CancelInput, ExamOrderInput, ResultInput

_, _l = translator("his")

SOURCE = "exam_order"
NUMBER_PATTERN = "EX{yyyy}{mm}{dd}-{seq:04}"


def exam_items() -> list[PriceItem]:
    """The lab and imaging items a doctor may order, by name."""
    return list(
        db.session.scalars(
            select(PriceItem)
            .where(PriceItem.category.in_(EXAM_KINDS), PriceItem.active.is_(True))
            .order_by(PriceItem.category, PriceItem.name)
        )
    )


def _item(code: str) -> PriceItem:
    item = db.session.scalar(
        select(PriceItem).where(PriceItem.code == code.strip(), PriceItem.category.in_(EXAM_KINDS))
    )
    if item is None:
        refuse(missing={"item_code": [_("no lab or imaging item with this code")]})
    elif not item.active:
        refuse(state={"item_code": [_("this item is no longer in use")]})
    assert item is not None
    return item


def place_order(payload: dict, actor: User | None) -> ExamOrder:
    """Order an examination in an open visit ``actor`` sees (404 otherwise),
    at the price list's price, and charge it."""
    data = load(ExamOrderInput(), payload)
    visit = visible_visit(data["visit_id"], actor)
    item = _item(data["item_code"])
    ensure_open(visit)
    with transaction():
        order = ExamOrder(
            visit_id=visit.id,
            customer_id=visit.customer_id,
            number=next_number("his.exam_order", NUMBER_PATTERN),
            kind=item.category,
            item_code=item.code,
            item_name=item.name,
            price=item.price,
            currency=item.currency,
            status="ordered",
            note=data.get("note"),
            ordered_by_id=actor.id if actor else None,
        )
        db.session.add(order)
        db.session.flush()
        add_charges(
            visit.customer_id,
            visit_id=visit.id,
            source=SOURCE,
            source_id=order.id,
            lines=[ChargeLine(item.code, item.name, item.category, Decimal("1"), item.price)],
            currency=item.currency,
            actor=actor,
        )
        audit(actor, order, "create", None, snapshot(order))
    return order


def cancel_order(
    order: ExamOrder, payload: dict, actor: User | None, version: int | None
) -> ExamOrder:
    """Cancel an order not yet resulted, with a reason; its charge is voided
    (refused, 422 naming ``charges``, once paid)."""
    data = load(CancelInput(), payload)
    if order.status != "ordered":
        raise StateError({"status": [_("only an order not yet resulted can be cancelled")]})
    with transaction():
        check_version(order, version)
        before = snapshot(order)
        void_charges(SOURCE, order.id, actor)
        order.status = "cancelled"
        order.cancelled_at = utcnow()
        order.cancel_reason = data["reason"]
        db.session.flush()
        audit(actor, order, "update", before, snapshot(order))
    return order


def check_result(data: dict) -> None:
    """A result holds a value or a text; a unit or flag needs a value."""
    errors: dict[str, list[str]] = {}
    if not data.get("value") and not data.get("text"):
        errors["value"] = [_("give a value or a text")]
    for name in ("unit", "flag"):
        if data.get(name) and not data.get("value"):
            errors[name] = [_("give the value it belongs to")]
    refuse(errors)


def result_state_error(order: ExamOrder) -> str | None:
    """Why ``order`` cannot take a result, or None."""
    if order.status == "cancelled":
        return _("this order is cancelled")
    if order.status == "resulted":
        return _("this order already has its result")
    return None


def write_result(order: ExamOrder, data: dict, actor: User | None) -> None:
    """Store a checked result (in the caller's transaction), audited."""
    before = snapshot(order)
    order.result_value = data.get("value")
    order.result_unit = data.get("unit")
    order.result_flag = data.get("flag")
    order.result_text = data.get("text")
    order.status = "resulted"
    order.resulted_at = utcnow()
    order.resulted_by_id = actor.id if actor else None
    db.session.flush()
    audit(actor, order, "update", before, snapshot(order))


def enter_result(
    order: ExamOrder, payload: dict, actor: User | None, version: int | None
) -> ExamOrder:
    """Enter an ordered examination's result (409 naming ``status`` once
    resulted or cancelled)."""
    data = load(ResultInput(), payload)
    check_result(data)
    message = result_state_error(order)
    if message:
        raise StateError({"status": [message]})
    with transaction():
        check_version(order, version)
        write_result(order, data, actor)
    return order
