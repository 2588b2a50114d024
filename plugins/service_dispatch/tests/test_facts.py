"""Service dispatch's customer facts and money event (services/facts.py),
read through core's readers as analysis reads them, over orders moved
through the lifecycle and revisits recorded through the revisit service:
figures checked against counts made by hand, with orders in the recycle
bin, cancelled and reopened orders handled."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.api import create_followup_plan, customer_facts, db, journey_steps, money_rows, utcnow
from plugins.service_dispatch.services.lifecycle import transition
from plugins.service_dispatch.services.revisits import record_revisit

from .conftest import reload

REPORT = {"diagnosis": "Low refrigerant", "work_done": "Recharged", "confirmed_by": "Ms Wang"}


@pytest.fixture
def world(make_order, make_engineer, make_customer, dispatcher):
    """Two customers' orders (see each line); returns the orders by name."""
    engineer = make_engineer()
    ann, bob = make_customer(region="East"), make_customer(region="East")

    def done(customer, charges):
        order = make_order("on_site", engineer, customer=customer)
        return transition(order, "complete", engineer, {**REPORT, "charges": charges})

    w = {"ann": ann, "bob": bob}
    w["paid"] = done(ann, "120.50")
    record_revisit(w["paid"], 5, "great", None)  # a good score closes the order
    w["complained"] = done(ann, "80.00")
    record_revisit(reload(w["complained"]), 2, "still noisy", None)  # reopens it
    w["new"] = make_order(customer=ann)
    w["binned"] = make_order(customer=ann)
    w["cancelled"] = make_order(customer=ann)
    transition(w["cancelled"], "cancel", dispatcher, {"reason": "Not needed"})
    w["free"] = done(ann, "0")  # covered: completed, charges nothing

    create_followup_plan(
        {
            "name": "Revisit",
            "rule": "service_revisit",
            "params": {"after_days": 0, "on_low_score": "escalate"},
        },
        None,
    )
    w["escalated"] = done(bob, "300.00")
    record_revisit(w["escalated"], 1, "rude", None)  # escalated: stays completed
    w["bob_binned"] = done(bob, "50.00")
    record_revisit(w["bob_binned"], 5, "fine", None)  # closed, then binned with its revisit
    db.session.expire_all()
    for name in ("binned", "bob_binned"):
        w[name].deleted_at = utcnow()
    db.session.commit()
    return {k: reload(v) if k not in ("ann", "bob") else v for k, v in w.items()}


def values(key):
    return dict(db.session.execute(customer_facts()[key].values()).all())


def test_open_work_orders_leave_out_done_cancelled_and_binned_orders(world):
    assert reload(world["complained"]).status == "reopened"
    # Ann: the reopened order and the new one; Bob: none open
    assert values("service.open_work_orders") == {world["ann"].id: 2}
    assert customer_facts()["service.open_work_orders"].missing == 0


def test_last_closed_at_is_the_latest_live_close(world):
    assert world["paid"].status == "closed"
    assert values("service.last_closed_at") == {world["ann"].id: world["paid"].closed_at}


def test_low_revisits_are_open_complaints_until_the_order_is_closed(world, dispatcher):
    fact = customer_facts()["service.open_complaints"]
    assert (fact.meaning, fact.missing) == ("open_complaints", 0)
    assert values("service.open_complaints") == {world["ann"].id: 1, world["bob"].id: 1}
    transition(world["escalated"], "close", dispatcher, {})
    assert values("service.open_complaints") == {world["ann"].id: 1}


def test_satisfaction_is_the_latest_live_revisit_on_0_to_10(world):
    fact = customer_facts()["service.satisfaction"]
    assert fact.meaning == "satisfaction"
    # Ann: 5 then 2 → (2 - 1) × 2.5; Bob: 1 → 0 (his later 5 is on a binned order)
    found = {k: float(v) for k, v in values("service.satisfaction").items()}
    assert found == {world["ann"].id: 2.5, world["bob"].id: 0.0}


def test_charges_of_completed_and_closed_orders_are_money(world):
    rows = db.session.execute(money_rows(keys={"service.charges"})).all()
    got = sorted((r.customer_id, r.occurred_at, Decimal(str(r.amount))) for r in rows)
    assert got == sorted(
        [
            (world["ann"].id, world["paid"].completed_at, Decimal("120.50")),
            (world["bob"].id, world["escalated"].completed_at, Decimal("300.00")),
        ]
    )


def test_facts_ask_for_the_work_order_read_permission(world, make_user):
    keys = {"service.open_work_orders", "service.satisfaction"}
    assert keys <= set(customer_facts(make_user(role="engineer")))
    assert not keys & set(customer_facts(make_user(role="sales")))


def test_the_journey_step_is_the_first_live_work_order(world, make_customer, make_user):
    world["binned"].created_at = datetime(2025, 1, 5, tzinfo=UTC)  # binned: not the first
    db.session.commit()
    none_yet = make_customer()
    step = journey_steps()["service_dispatch.work_order"]
    reached = dict(db.session.execute(step.reached()).all())
    assert reached == {
        world["ann"].id: world["paid"].created_at,
        world["bob"].id: world["escalated"].created_at,
    }
    assert none_yet.id not in reached
    assert step.order == 60 and "service_dispatch.work_order" in journey_steps(
        make_user(role="engineer")
    )
    assert "service_dispatch.work_order" not in journey_steps(make_user(role="sales"))
