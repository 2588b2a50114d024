"""Sales's customer facts and money event (services/facts.py), read through
core's readers as analysis reads them, over deals written through the deal
service: the figures are checked against sums made by hand, with deals in
the recycle bin, lost deals and deals in another currency left out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.api import customer_facts, db, instance_currency, journey_steps, money_rows, utcnow
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service

STAGES = [
    {"name": "Lead in", "probability": 10},
    {"name": "Proposal", "probability": 50},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]
EARLY = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def pipeline(app):
    return pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)


@pytest.fixture
def book(pipeline, make_user, make_customer):
    """Deals of three customers; ``book.rep`` wrote them."""
    rep = make_user(role="sales")
    stages = {s.name: s for s in pipeline.stages}
    other = "EUR" if instance_currency() != "EUR" else "USD"

    def deal(customer, amount, stage="Lead in", currency=None, reason=None):
        payload = {"title": "Tea", "customer_id": customer.id, "pipeline_id": pipeline.id}
        payload["amount"] = amount
        if currency:
            payload["currency"] = currency
        made = deal_service.create_deal(payload, rep)
        if stage != "Lead in":
            deal_service.move_stage(made, stages[stage].id, rep, lost_reason=reason)
        return made

    class Book:
        pass

    b = Book()
    b.rep, b.stages = rep, stages
    b.ann, b.bob, b.cid = (make_customer(owner_id=rep.id) for _ in range(3))
    b.won_early = deal(b.ann, "1000.00", "Won")
    b.won_late = deal(b.ann, "2500.50", "Won")
    b.won_abroad = deal(b.ann, "700.00", "Won", currency=other)
    b.open = deal(b.ann, "300.00", "Proposal")
    b.open_abroad = deal(b.ann, "50.00", currency=other)
    b.binned_open = deal(b.ann, "400.00")
    b.binned_won = deal(b.ann, "9999.00", "Won")
    deal(b.ann, "800.00", "Lost", reason="price")
    b.reopened = reopened = deal(b.bob, "123.00", "Won")  # won, then moved back: open again
    deal_service.move_stage(reopened, stages["Proposal"].id, rep)
    b.bob_won = deal(b.bob, "42.00", "Won")
    b.won_early.closed_at = EARLY
    b.binned_open.deleted_at = b.binned_won.deleted_at = utcnow()
    db.session.commit()
    return b


def values(key):
    return dict(db.session.execute(customer_facts()[key].values()).all())


def test_open_deals_count_live_open_deals_in_any_currency(book):
    assert values("sales.open_deals") == {book.ann.id: 2, book.bob.id: 1}
    assert customer_facts()["sales.open_deals"].missing == 0


def test_won_amount_sums_live_won_deals_in_the_instance_currency(book):
    found = values("sales.won_amount")
    assert set(found) == {book.ann.id, book.bob.id}
    assert Decimal(str(found[book.ann.id])) == Decimal("3500.50")  # 1000.00 + 2500.50
    assert Decimal(str(found[book.bob.id])) == Decimal("42.00")
    assert customer_facts()["sales.won_amount"].missing == 0


def test_last_won_at_is_the_latest_live_win(book):
    found = values("sales.last_won_at")
    # the deal abroad was won last of Ann's live deals; the binned one is left out
    assert found[book.ann.id] == book.won_abroad.closed_at
    assert found[book.bob.id] == book.bob_won.closed_at
    assert book.cid.id not in found
    fact = customer_facts()["sales.last_won_at"]
    assert (fact.kind, fact.meaning, fact.missing) == ("date", "last_purchase", None)


def test_facts_ask_for_the_deal_read_permission(book, make_user):
    assert "sales.won_amount" in customer_facts(book.rep)
    engineer = make_user(role="engineer")
    assert not engineer.can("sales.deal.read")
    assert not {"sales.open_deals", "sales.won_amount", "sales.last_won_at"} & set(
        customer_facts(engineer)
    )


def test_won_deals_are_money_rows_when_won(book):
    rows = db.session.execute(money_rows(keys={"sales.won_deal"})).all()
    got = sorted((r.customer_id, r.occurred_at, Decimal(str(r.amount))) for r in rows)
    assert got == sorted(
        [
            (book.ann.id, EARLY, Decimal("1000.00")),
            (book.ann.id, book.won_late.closed_at, Decimal("2500.50")),
            (book.bob.id, book.bob_won.closed_at, Decimal("42.00")),
        ]
    )
    since = db.session.execute(money_rows(since=datetime(2026, 3, 2, tzinfo=UTC))).all()
    assert sorted(Decimal(str(r.amount)) for r in since if r.kind == "sales.won_deal") == [
        Decimal("42.00"),
        Decimal("2500.50"),
    ]


def test_journey_steps_are_the_first_lead_deal_and_win(book, make_user):
    """Each customer's first live lead, deal opened and deal won; binned
    records and leads not converted count nowhere."""
    from plugins.sales.services import leads as lead_service

    long_ago = datetime(2025, 1, 5, 8, 0, tzinfo=UTC)
    book.binned_open.created_at = long_ago  # in the recycle bin: not the first deal
    book.binned_won.closed_at = long_ago  # nor the first win
    first = lead_service.create_lead({"name": "Ann", "company": "Ann Tea"}, book.rep)
    lead_service.convert(first, {"customer_id": book.ann.id}, book.rep)
    again = lead_service.create_lead({"name": "Ann again"}, book.rep)
    lead_service.convert(again, {"customer_id": book.ann.id}, book.rep)
    binned = lead_service.create_lead({"name": "Ann, binned"}, book.rep)
    lead_service.convert(binned, {"customer_id": book.ann.id}, book.rep)
    lead_service.create_lead({"name": "Not converted"}, book.rep)
    first.created_at = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    binned.created_at, binned.deleted_at = long_ago, utcnow()
    db.session.commit()

    def reached(key):
        return dict(db.session.execute(journey_steps()[key].reached()).all())

    assert reached("sales.lead") == {book.ann.id: first.created_at}
    deals = reached("sales.deal")
    assert deals[book.ann.id] == book.won_early.created_at
    assert deals[book.bob.id] == book.reopened.created_at  # open again, still the first
    assert book.cid.id not in deals
    won = reached("sales.won")
    assert won == {book.ann.id: EARLY, book.bob.id: book.bob_won.closed_at}
    orders = [(k, s.order) for k, s in journey_steps(book.rep).items() if k.startswith("sales.")]
    assert orders == [("sales.lead", 20), ("sales.deal", 30), ("sales.won", 45)]
    assert not [k for k in journey_steps(make_user(role="engineer")) if k.startswith("sales.")]
