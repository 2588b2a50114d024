"""Spare parts and stock: receive, transfer, use on a job and correct after
a count, with hand-computed quantities; a transfer beyond stock is refused and
moves nothing; the database refuses negative stock; SKUs are unique, prices
exact and a van belongs to one engineer; the demo stock adds up to its moves.
The ``store`` fixture and the ``qty``/``moves`` helpers serve
``test_parts_on_jobs`` too."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from core.api import ValidationError, db
from plugins.service_dispatch.models import Stock, StockMove
from plugins.service_dispatch.services import lifecycle, parts, stock

REPORT = {
    "diagnosis": "Capacitor burnt",
    "work_done": "Replaced capacitor, topped up R32",
    "confirmed_by": "Ms Wang",
}


@pytest.fixture
def store(make_engineer, make_user):
    """A warehouse, the van of engineer Li, and three parts; stock: 2 kg of
    R32 and 5 capacitors in the van, 30 m of pipe in the warehouse."""
    admin = make_user(role="admin")
    li = make_engineer(name="Li")
    central = parts.create_location({"name": "Central", "kind": "warehouse"}, admin)
    van = parts.create_location({"name": "Van Li", "kind": "van", "engineer_id": li.id}, admin)
    r32 = parts.create_part(
        {"sku": "R32-1KG", "name": "R32 refrigerant", "unit": "kg", "price": "85.00"}, admin
    )
    cap = parts.create_part(
        {"sku": "CAP-35", "name": "Compressor capacitor", "price": "42.50"}, admin
    )
    pipe = parts.create_part(
        {"sku": "CU-PIPE", "name": "Copper pipe", "unit": "m", "price": "18.00"}, admin
    )
    for part, location, quantity in ((r32, van, "2"), (cap, van, "5"), (pipe, central, "30")):
        stock.receive({"part_id": part.id, "location_id": location.id, "quantity": quantity}, admin)
    return {
        "admin": admin,
        "li": li,
        "central": central,
        "van": van,
        "r32": r32,
        "cap": cap,
        "pipe": pipe,
    }


def qty(part, location) -> Decimal | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Stock.quantity).where(Stock.part_id == part.id, Stock.location_id == location.id)
    )


def moves(**where) -> list[tuple]:
    query = select(StockMove.reason, StockMove.quantity).order_by(StockMove.id)
    for key, value in where.items():
        query = query.where(getattr(StockMove, key) == value)
    return [(r, q) for r, q in db.session.execute(query)]


def test_receive_transfer_use_and_adjust_add_up(store, make_order):
    s = store
    pipe, central, van = s["pipe"], s["central"], s["van"]
    stock.receive({"part_id": pipe.id, "location_id": central.id, "quantity": "12.50"}, s["admin"])
    assert qty(pipe, central) == Decimal("42.50")  # 30 + 12.50
    source, target = stock.transfer(
        {
            "part_id": pipe.id,
            "from_location_id": central.id,
            "to_location_id": van.id,
            "quantity": "10.25",
        },
        s["admin"],
    )
    assert (source.quantity, target.quantity) == (Decimal("32.25"), Decimal("10.25"))
    order = make_order("on_site", s["li"])
    lifecycle.transition(
        order, "complete", s["li"], {**REPORT, "parts": [{"part_id": pipe.id, "quantity": "2.75"}]}
    )
    assert qty(pipe, van) == Decimal("7.50")  # 10.25 − 2.75
    counted = stock.adjust(
        {"part_id": pipe.id, "location_id": van.id, "counted": "7", "note": "offcut thrown away"},
        s["admin"],
    )
    assert counted.quantity == Decimal("7.00")
    assert moves(part_id=pipe.id, location_id=van.id) == [
        ("transfer", Decimal("10.25")),
        ("use", Decimal("-2.75")),
        ("adjust", Decimal("-0.50")),
    ]
    assert moves(part_id=pipe.id, location_id=central.id) == [
        ("receive", Decimal("30.00")),
        ("receive", Decimal("12.50")),
        ("transfer", Decimal("-10.25")),
    ]
    used = db.session.scalars(select(StockMove).where(StockMove.reason == "use")).one()
    assert (used.work_order_id, used.user_id, used.note) == (order.id, s["li"].id, order.number)


def test_a_count_equal_to_the_books_changes_nothing(store):
    s = store
    stock.adjust(
        {
            "part_id": s["cap"].id,
            "location_id": s["van"].id,
            "counted": "5",
            "note": "monthly count",
        },
        s["admin"],
    )
    assert qty(s["cap"], s["van"]) == Decimal("5.00")
    assert moves(reason="adjust") == []


def test_a_transfer_beyond_stock_is_refused_and_moves_nothing(store):
    s = store
    with pytest.raises(ValidationError) as refused:
        stock.transfer(
            {
                "part_id": s["r32"].id,
                "from_location_id": s["van"].id,
                "to_location_id": s["central"].id,
                "quantity": "2.01",
            },
            s["admin"],
        )
    assert refused.value.errors == {"quantity": ["only 2 kg of R32 refrigerant in stock at Van Li"]}
    with pytest.raises(ValidationError) as refused:
        stock.transfer(
            {
                "part_id": s["r32"].id,
                "from_location_id": s["van"].id,
                "to_location_id": s["van"].id,
                "quantity": "1",
            },
            s["admin"],
        )
    assert list(refused.value.errors) == ["to_location_id"]
    assert qty(s["r32"], s["van"]) == Decimal("2.00")
    assert qty(s["r32"], s["central"]) is None
    assert moves(reason="transfer") == []


def test_the_database_refuses_negative_stock(store):
    s = store
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Stock)
            .where(Stock.part_id == s["r32"].id)
            .values(quantity=Stock.quantity - Decimal(3))
        )
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE service_dispatch_stock SET quantity = -0.01"))
    db.session.rollback()
    assert qty(s["r32"], s["van"]) == Decimal("2.00")


def test_part_skus_are_unique_and_prices_exact(store):
    s = store
    with pytest.raises(ValidationError) as refused:
        parts.create_part({"sku": "CAP-35", "name": "Another"}, s["admin"])
    assert refused.value.errors == {"sku": ["another part has the SKU CAP-35"]}
    with pytest.raises(ValidationError) as refused:
        parts.update_part(s["pipe"], {"sku": " CAP-35 "}, s["admin"])
    assert list(refused.value.errors) == ["sku"]
    for price in ("-1", "1.001"):
        with pytest.raises(ValidationError) as refused:
            parts.create_part({"sku": "X", "name": "X", "price": price}, s["admin"])
        assert list(refused.value.errors) == ["price"]
    part = parts.update_part(s["pipe"], {"price": "19.90", "name": 'Copper pipe 1/4"'}, s["admin"])
    assert (part.price, part.version) == (Decimal("19.90"), 2)


def test_a_van_belongs_to_one_engineer(store, make_user):
    s = store
    with pytest.raises(ValidationError) as refused:
        parts.create_location(
            {"name": "Second van", "kind": "van", "engineer_id": s["li"].id}, s["admin"]
        )
    assert refused.value.errors == {"engineer_id": ["Li already has a van"]}
    with pytest.raises(ValidationError) as refused:
        parts.create_location({"name": "Van", "kind": "van"}, s["admin"])
    assert list(refused.value.errors) == ["engineer_id"]
    with pytest.raises(ValidationError) as refused:
        parts.create_location(
            {"name": "Van", "kind": "van", "engineer_id": make_user(role="sales").id}, s["admin"]
        )
    assert list(refused.value.errors) == ["engineer_id"]
    with pytest.raises(ValidationError) as refused:
        parts.create_location({"name": "Depot", "engineer_id": s["li"].id}, s["admin"])
    assert list(refused.value.errors) == ["engineer_id"]


@pytest.mark.parametrize(
    "locale, names",
    [("en", {"Central warehouse", "Van Li"}), ("zh_CN", {"中心仓库", "Li 的工具车"})],
)
def test_the_demo_stock_adds_up_to_its_moves(make_engineer, make_order, locale, names):
    from plugins.service_dispatch.demo.parts import load_demo
    from plugins.service_dispatch.models import Part, StockLocation

    li = make_engineer(name="Li")
    order = make_order("completed", li)
    load_demo(locale, [], [li])
    db.session.commit()
    assert set(db.session.scalars(select(StockLocation.name))) == names
    if locale == "zh_CN":
        assert "R32 冷媒（1 公斤）" in set(db.session.scalars(select(Part.name)))
    totals = {
        (p, loc): q
        for p, loc, q in db.session.execute(
            select(StockMove.part_id, StockMove.location_id, func.sum(StockMove.quantity)).group_by(
                StockMove.part_id, StockMove.location_id
            )
        )
    }
    rows = {(s.part_id, s.location_id): s.quantity for s in db.session.scalars(select(Stock))}
    assert rows == totals and len(rows) == 8
    van = parts.van_of(li.id)
    capacitor = db.session.scalar(select(Part).where(Part.sku == "CAP-35UF"))
    assert parts.van_stock(li.id)[capacitor.id] == Decimal("3.00")  # 4 loaded, 1 used
    assert [(m.location_id, m.quantity) for m in parts.parts_used(order)] == [
        (van.id, Decimal("-1.00"))
    ]
