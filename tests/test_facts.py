"""Facts plugins know of each customer and the money customers bring: the
two declarations analysis plugins (segments, RFM, rules) read through
``core.api`` without depending on any industry plugin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Integer, Numeric, func, literal, select, union_all

from core.api import (
    Activity,
    CustomerFact,
    JourneyStep,
    MoneyEvent,
    customer_facts,
    db,
    journey_steps,
    money_events,
    money_rows,
    utcnow,
)
from core.errors import PluginError
from core.testing import plugin_module


def activity_count():
    return select(Activity.customer_id, func.count()).group_by(Activity.customer_id)


FACTS = [
    CustomerFact("probe.activities", "Activities", "number", activity_count, missing=0),
    CustomerFact(
        "probe.secret", "Secret", "number", activity_count, permission="probe.secret.read"
    ),
]


def test_hook_customer_facts(register_plugin, make_user, make_customer):
    """Declared facts are listed by key; a user sees only those whose
    permission they hold; ``values()`` answers per customer."""
    register_plugin(plugin_module("probe", trellis_customer_facts=lambda: FACTS))
    rep = make_user(role="sales")
    assert set(customer_facts()) >= {"probe.activities", "probe.secret"}
    assert "probe.activities" in customer_facts(rep)
    assert "probe.secret" not in customer_facts(rep)

    customer = make_customer()
    for subject in ("call", "visit"):
        db.session.add(
            Activity(customer_id=customer.id, kind="note", subject=subject, occurred_at=utcnow())
        )
    db.session.commit()
    values = dict(db.session.execute(customer_facts()["probe.activities"].values()).all())
    assert values.get(customer.id) == 2


def test_hook_customer_facts_refuses_a_key_declared_twice(register_plugin):
    with pytest.raises(PluginError, match="already declared"):
        register_plugin(plugin_module("probe", trellis_customer_facts=lambda: FACTS + FACTS[:1]))


@pytest.mark.parametrize("change", [{"kind": "colour"}, {"meaning": "mood"}])
def test_hook_customer_facts_refuses_an_unknown_kind_or_meaning(register_plugin, change):
    bad = CustomerFact(**{**FACTS[0].__dict__, **change})
    with pytest.raises(PluginError, match="kind must be one of"):
        register_plugin(plugin_module("probe", trellis_customer_facts=lambda: [bad]))


def _paid(rows):
    """A money event over fixed rows: (customer_id, occurred_at, amount)."""

    def select_rows():
        return union_all(
            *(
                select(
                    literal(cid, Integer).label("customer_id"),
                    literal(at).label("occurred_at"),
                    literal(amount, Numeric(12, 2)).label("amount"),
                )
                for cid, at, amount in rows
            )
        )

    return select_rows


def test_hook_money_events(register_plugin):
    """Every plugin's money events come back as one select with the event's
    key, filtered to the period asked."""
    jan, mar = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    register_plugin(
        plugin_module(
            "probe",
            trellis_money_events=lambda: [
                MoneyEvent("probe.sale", "Sale", _paid([(1, jan, 100), (2, mar, 50)])),
                MoneyEvent("probe.refund", "Refund", _paid([(1, mar, -30)])),
            ],
        )
    )
    everything = db.session.execute(money_rows()).all()
    assert sorted((r.kind, r.customer_id, float(r.amount)) for r in everything) == [
        ("probe.refund", 1, -30.0),
        ("probe.sale", 1, 100.0),
        ("probe.sale", 2, 50.0),
    ]
    since_feb = money_rows(since=datetime(2026, 2, 1, tzinfo=UTC))
    assert sorted(r.kind for r in db.session.execute(since_feb)) == ["probe.refund", "probe.sale"]
    sales_only = db.session.execute(money_rows(keys={"probe.sale"})).all()
    assert {r.kind for r in sales_only} == {"probe.sale"}


def test_money_rows_is_none_without_money_events(trellis_app):
    assert money_rows(keys=set()) is None


def test_money_rows_leave_out_the_events_a_user_may_not_see(register_plugin, make_user):
    day = datetime(2026, 1, 10, tzinfo=UTC)
    register_plugin(
        plugin_module(
            "probe",
            trellis_money_events=lambda: [
                MoneyEvent("probe.open", "Open", _paid([(1, day, 10)])),
                MoneyEvent(
                    "probe.closed", "Closed", _paid([(1, day, 20)]), permission="probe.money.read"
                ),
            ],
        )
    )
    rep, admin = make_user(role="sales"), make_user(role="admin")
    assert {r.kind for r in db.session.execute(money_rows(user=rep))} == {"probe.open"}
    assert {r.kind for r in db.session.execute(money_rows(user=admin))} == {
        "probe.open",
        "probe.closed",
    }
    # the declarations themselves (a report's labels), under the same rule
    probes = {k: str(e.label) for k, e in money_events(rep).items() if k.startswith("probe.")}
    assert probes == {"probe.open": "Open"}
    assert {"probe.open", "probe.closed"} <= set(money_events(admin)) == set(money_events())


def first_activity():
    return select(Activity.customer_id, func.min(Activity.occurred_at)).group_by(
        Activity.customer_id
    )


STEPS = [
    JourneyStep("probe.late", "Late", first_activity, order=70),
    JourneyStep("probe.early", "Early", first_activity, order=20, permission="probe.secret.read"),
]


def test_hook_journey_steps(register_plugin, make_user, make_customer):
    """Declared steps are listed by key in their ``order``; a user sees only
    those whose permission they hold; ``reached()`` answers per customer."""
    register_plugin(plugin_module("probe", trellis_journey_steps=lambda: STEPS))
    probes = [k for k in journey_steps() if k.startswith("probe.")]
    assert probes == ["probe.early", "probe.late"]
    orders = [s.order for s in journey_steps().values()]
    assert orders == sorted(orders)
    rep, admin = make_user(role="sales"), make_user(role="admin")
    assert "probe.late" in journey_steps(rep) and "probe.early" not in journey_steps(rep)
    assert {"probe.early", "probe.late"} <= set(journey_steps(admin))

    customer = make_customer()
    first = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
    for at in (datetime(2026, 4, 1, tzinfo=UTC), first):
        db.session.add(Activity(customer_id=customer.id, kind="note", subject="x", occurred_at=at))
    db.session.commit()
    reached = dict(db.session.execute(journey_steps()["probe.late"].reached()).all())
    assert reached[customer.id] == first


def test_hook_journey_steps_refuses_a_key_declared_twice(register_plugin):
    with pytest.raises(PluginError, match="already declared"):
        register_plugin(plugin_module("probe", trellis_journey_steps=lambda: STEPS + STEPS[:1]))


@pytest.mark.parametrize("key", ["sales.lead", "probe", "probeX.lead"])
def test_hook_journey_steps_refuses_a_key_not_starting_with_the_plugin_name(register_plugin, key):
    bad = JourneyStep(key, "Bad", first_activity, order=20)
    with pytest.raises(PluginError, match="must start with 'probe.'"):
        register_plugin(plugin_module("probe", trellis_journey_steps=lambda: [bad]))
