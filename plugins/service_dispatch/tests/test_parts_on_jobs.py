"""Parts used on a job: completing an order with parts takes them from the
engineer's van; more than in stock is refused with the line named and nothing
changed (two lines of one part count together, stock another request took
meanwhile is read afresh); bad lines and quantities are named; an engineer
takes parts from their own van only."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from core.api import ValidationError, db
from plugins.service_dispatch.models import Stock, WorkOrderEvent
from plugins.service_dispatch.services import lifecycle, parts, stock

from .conftest import reload
from .test_parts_stock import REPORT, moves, qty, store  # noqa: F401 (fixture)


def test_completion_with_parts_deducts_them_from_the_engineers_van(store, make_order):
    s = store
    order = make_order("on_site", s["li"])
    lifecycle.transition(
        order,
        "complete",
        s["li"],
        {
            **REPORT,
            "parts": [
                {"part_id": s["cap"].id, "quantity": "1"},
                {"part_id": s["r32"].id, "quantity": "1.5"},
            ],
        },
    )
    assert reload(order).status == "completed"
    assert qty(s["cap"], s["van"]) == Decimal("4.00")
    assert qty(s["r32"], s["van"]) == Decimal("0.50")
    assert [(m.part.sku, m.quantity, m.location.name) for m in parts.parts_used(order)] == [
        ("CAP-35", Decimal("-1.00"), "Van Li"),
        ("R32-1KG", Decimal("-1.50"), "Van Li"),
    ]


def test_parts_beyond_stock_refuse_the_completion_and_change_nothing(store, make_order):
    s = store
    order = make_order("on_site", s["li"])
    version = order.version
    with pytest.raises(ValidationError) as refused:
        lifecycle.transition(
            order,
            "complete",
            s["li"],
            {
                **REPORT,
                "parts": [
                    {"part_id": s["cap"].id, "quantity": "1"},
                    {"part_id": s["r32"].id, "quantity": "3"},
                ],
            },
        )
    assert refused.value.errors == {
        "parts.1.quantity": ["only 2 kg of R32 refrigerant in stock at Van Li"]
    }
    order = reload(order)
    assert (order.status, order.version, order.diagnosis) == ("on_site", version, None)
    assert qty(s["cap"], s["van"]) == Decimal("5.00")  # the good line was not taken either
    assert qty(s["r32"], s["van"]) == Decimal("2.00")
    assert moves(reason="use") == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(WorkOrderEvent)
            .where(WorkOrderEvent.action == "complete")
        )
        == 0
    )


def test_two_lines_of_one_part_count_together(store, make_order):
    s = store
    order = make_order("on_site", s["li"])
    with pytest.raises(ValidationError) as refused:
        lifecycle.transition(
            order,
            "complete",
            s["li"],
            {
                **REPORT,
                "parts": [
                    {"part_id": s["r32"].id, "quantity": "1.25"},
                    {"part_id": s["r32"].id, "quantity": "1"},
                ],
            },
        )
    assert refused.value.errors == {
        "parts.1.quantity": ["only 0.75 kg of R32 refrigerant in stock at Van Li"]
    }
    assert qty(s["r32"], s["van"]) == Decimal("2.00")


@pytest.mark.parametrize(
    "line, field",
    [
        ({"quantity": "1"}, "part_id"),
        ({"part_id": 999999, "quantity": "1"}, "part_id"),
        ({"part_id": "CAP", "quantity": "1"}, "part_id"),
        ("CAP-35", None),  # not an object: the report's schema names the list
    ],
)
def test_bad_part_lines_are_named(store, make_order, line, field):
    s = store
    order = make_order("on_site", s["li"])
    with pytest.raises(ValidationError) as refused:
        lifecycle.transition(
            order,
            "complete",
            s["li"],
            {**REPORT, "parts": [{"part_id": s["cap"].id, "quantity": "1"}, line]},
        )
    assert list(refused.value.errors) == [f"parts.1.{field}" if field else "parts"]
    assert reload(order).status == "on_site"
    assert qty(s["cap"], s["van"]) == Decimal("5.00")


@pytest.mark.parametrize("quantity", ["0", "-1", "1.005", "NaN", "1e12", "", None])
def test_quantities_are_more_than_zero_with_two_decimals_at_most(store, make_order, quantity):
    s = store
    order = make_order("on_site", s["li"])
    with pytest.raises(ValidationError) as refused:
        stock.use_parts(order, [{"part_id": s["cap"].id, "quantity": quantity}], s["li"])
    assert list(refused.value.errors) == ["parts.0.quantity"]
    with pytest.raises(ValidationError) as refused:
        stock.receive(
            {"part_id": s["cap"].id, "location_id": s["van"].id, "quantity": quantity}, s["admin"]
        )
    assert list(refused.value.errors) == ["quantity"]
    assert qty(s["cap"], s["van"]) == Decimal("5.00")


def test_an_engineer_takes_parts_from_their_own_van_only(store, make_order, make_engineer):
    s = store
    order = make_order("on_site", s["li"])
    with pytest.raises(ValidationError) as refused:
        stock.use_parts(
            order,
            [{"part_id": s["pipe"].id, "quantity": "1", "location_id": s["central"].id}],
            s["li"],
        )
    assert list(refused.value.errors) == ["parts.0.location_id"]
    # a dispatcher completing for the engineer may name the warehouse
    stock.use_parts(
        order,
        [{"part_id": s["pipe"].id, "quantity": "1.5", "location_id": s["central"].id}],
        s["admin"],
    )
    assert qty(s["pipe"], s["central"]) == Decimal("28.50")
    vanless = make_engineer(name="Zhao")
    other = make_order("on_site", vanless)
    with pytest.raises(ValidationError) as refused:
        stock.use_parts(other, [{"part_id": s["cap"].id, "quantity": "1"}], vanless)
    assert refused.value.errors == {
        "parts.0.location_id": ["the engineer has no van; name the location the part came from"]
    }


def test_stock_another_request_took_meanwhile_is_not_used_again(store, make_order):
    """The engineer's page was opened with 2 kg in the van; another request
    took them before the completion: the check reads the stock afresh."""
    s = store
    row = db.session.scalar(select(Stock).where(Stock.part_id == s["r32"].id))
    db.session.commit()
    with db.engine.begin() as other:  # a second connection: another request
        other.execute(
            update(Stock)
            .where(Stock.id == row.id)
            .values(quantity=Decimal(0), version=Stock.version + 1)
        )
    order = make_order("on_site", s["li"])
    with pytest.raises(ValidationError) as refused:
        lifecycle.transition(
            order,
            "complete",
            s["li"],
            {**REPORT, "parts": [{"part_id": s["r32"].id, "quantity": "1"}]},
        )
    assert refused.value.errors == {
        "parts.0.quantity": ["only 0 kg of R32 refrigerant in stock at Van Li"]
    }
    assert reload(order).status == "on_site"


def test_form_rows_with_input_become_lines():
    form = {
        "parts-0-part_id": "3",
        "parts-0-quantity": "1.5",
        "parts-1-part_id": "",
        "parts-1-quantity": "",
        "parts-2-part_id": "4",
        "parts-2-quantity": "",
        "parts-3-part_id": "x",
        "parts-3-quantity": "1",
    }
    assert stock.form_lines(form) == [  # ids as numbers, as a JSON body has them
        {"part_id": 3, "quantity": "1.5"},
        {"part_id": 4, "quantity": None},
        {"part_id": "x", "quantity": "1"},  # refused by the schema, naming the line
    ]
