"""The price list (价目表): what registration, prescriptions and orders
charge by code. ``his.admin`` keeps it; a price change reaches only charges
made after it."""

from __future__ import annotations

from sqlalchemy import select

from core.api import (
    User,
    audit,
    check_version,
    db,
    instance_currency,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import PriceItem
from .inputs import HisPriceItemChange, HisPriceItemInput

_, _l = translator("his")


def code_taken(code: str, own_id: int | None = None) -> bool:
    found = db.session.scalar(select(PriceItem.id).where(PriceItem.code == code))
    return found is not None and found != own_id


def create_price_item(payload: dict, actor: User | None) -> PriceItem:
    data = load(HisPriceItemInput(), payload)
    if code_taken(data["code"]):
        refuse(taken={"code": [_("this code is taken")]})
    with transaction():
        item = PriceItem(**{**data, "currency": data["currency"] or instance_currency()})
        db.session.add(item)
        db.session.flush()
        audit(actor, item, "create", None, snapshot(item))
    return item


def update_price_item(
    item: PriceItem, payload: dict, actor: User | None, expected_version: int | None = None
) -> PriceItem:
    data = load(HisPriceItemChange(), payload, partial=True)
    if "code" in data and code_taken(data["code"], item.id):
        refuse(taken={"code": [_("this code is taken")]})
    check_version(item, expected_version)
    before = snapshot(item)
    with transaction():
        for name, value in data.items():
            if name == "currency" and value is None:
                continue
            setattr(item, name, value)
        db.session.flush()
        audit(actor, item, "update", before, snapshot(item))
    return item


def get_price_item(item_id: int) -> PriceItem:
    item = db.session.get(PriceItem, item_id)
    if item is None:
        refuse(missing={"id": [_("no price item with this id")]})
    assert item is not None
    return item
