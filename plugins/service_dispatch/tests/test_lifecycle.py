"""The state machine, exhaustively: every state × every action through the
API, then the guards on each action's input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from core.api import Activity, db, utcnow
from core.testing import plugin_module
from plugins.service_dispatch.models import STATUSES, WorkOrderEvent
from plugins.service_dispatch.services.lifecycle import ACTIONS, TRANSITIONS

from .conftest import reload

#: written out by hand, so the test does not just repeat lifecycle.TRANSITIONS
EXPECTED = {
    "new": {"assign": "assigned", "cancel": "cancelled"},
    "assigned": {
        "assign": "assigned",
        "accept": "accepted",
        "decline": "declined",
        "cancel": "cancelled",
    },
    "accepted": {"assign": "assigned", "depart": "on_the_way", "cancel": "cancelled"},
    "on_the_way": {"check_in": "on_site"},
    "on_site": {"complete": "completed"},
    "completed": {"close": "closed", "reopen": "reopened"},
    "closed": {"reopen": "reopened"},
    "declined": {"assign": "assigned", "cancel": "cancelled"},
    "cancelled": {},
    "reopened": {"assign": "assigned", "cancel": "cancelled"},
}
REPORT = {
    "diagnosis": "Low refrigerant",
    "work_done": "Recharged R32, fixed leak",
    "labour_minutes": 45,
    "charges": "120.50",
    "confirmed_by": "Ms Wang",
}


def valid_payload(action: str, engineer) -> dict:
    return {
        "assign": {"engineer_id": engineer.id},
        "decline": {"reason": "Too far"},
        "reopen": {"reason": "Still noisy"},
        "cancel": {"reason": "Customer cancelled"},
        "complete": REPORT,
    }.get(action, {})


def test_the_table_covers_every_state_and_action():
    assert set(EXPECTED) == set(STATUSES)
    assert {a for moves in EXPECTED.values() for a in moves} == set(ACTIONS)
    assert {(s, a): t for s, moves in EXPECTED.items() for a, t in moves.items()} == {
        (s, a): target for a, (sources, target) in TRANSITIONS.items() for s in sources
    }


@pytest.mark.parametrize("state", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_in_every_state(state, action, make_order, make_engineer, make_user, as_user):
    engineer = make_engineer()
    order = make_order(state, engineer)
    api = as_user(make_user(role="admin"))
    answer = api.post(
        f"/api/v1/service/work-orders/{order.id}/transitions",
        json={"action": action, "version": order.version, **valid_payload(action, engineer)},
    )
    if action in EXPECTED[state]:
        assert answer.status_code == 200, answer.json
        assert answer.json["status"] == EXPECTED[state][action]
        assert answer.json["version"] == order.version + 1
        assert answer.json["history"][-1]["action"] == action
    else:
        assert answer.status_code == 409, answer.json
        assert answer.mimetype == "application/problem+json"
        assert answer.json["current_status"] == state
        assert answer.json["allowed_actions"] == [a for a in ACTIONS if a in EXPECTED[state]]
        assert answer.json["allowed_states"] == sorted(set(EXPECTED[state].values()))
        assert reload(order).status == state and reload(order).version == order.version


def test_a_job_goes_from_request_to_close_with_times_history_timeline_audit_and_events(
    register_plugin, make_customer, make_contact, make_user, roles, make_engineer
):
    heard = []
    register_plugin(
        plugin_module(
            "listener",
            trellis_service_dispatch_work_order_created=lambda order: heard.append("created"),
            trellis_service_dispatch_work_order_assigned=lambda order, engineer: heard.append(
                ("assigned", engineer.name)
            ),
            trellis_service_dispatch_work_order_completed=lambda order: heard.append("completed"),
            trellis_service_dispatch_work_order_closed=lambda order: heard.append("closed"),
        )
    )
    from plugins.service_dispatch.services import orders
    from plugins.service_dispatch.services.lifecycle import transition

    boss, engineer = make_user(role="dispatcher"), make_engineer(name="Li Gong")
    customer = make_customer(region="East")
    contact = make_contact(customer=customer)
    order = orders.create_work_order(
        {"title": "AC", "customer_id": customer.id, "contact_id": contact.id, "category": "repair"},
        boss,
    )
    assert order.number.startswith(f"WO-{utcnow():%Y%m%d}-") and order.number.endswith("0001")
    transition(order, "assign", boss, {"engineer_id": engineer.id}, order.version)
    for action in ("accept", "depart", "check_in"):
        transition(order, action, engineer, {}, order.version)
    transition(order, "complete", engineer, REPORT, order.version)
    transition(order, "close", boss, {}, order.version)
    order = reload(order)
    stamps = [
        order.assigned_at,
        order.accepted_at,
        order.departed_at,
        order.checked_in_at,
        order.checked_out_at,
        order.closed_at,
    ]
    assert all(stamps) and stamps == sorted(stamps) and order.completed_at
    assert order.charges == Decimal("120.50") and order.confirmed_by == "Ms Wang"
    history = db.session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order.id)
        .order_by(WorkOrderEvent.id)
    ).all()
    assert [(e.action, e.from_status, e.to_status) for e in history] == [
        ("create", None, "new"),
        ("assign", "new", "assigned"),
        ("accept", "assigned", "accepted"),
        ("depart", "accepted", "on_the_way"),
        ("check_in", "on_the_way", "on_site"),
        ("complete", "on_site", "completed"),
        ("close", "completed", "closed"),
    ]
    assert [e.user_id for e in history[2:6]] == [engineer.id] * 4
    timeline = db.session.scalars(
        select(Activity).where(Activity.customer_id == customer.id, Activity.kind == "work_order")
    ).all()
    assert len(timeline) == 7 and {a.link_id for a in timeline} == {order.id}
    assert all(a.contact_id == contact.id for a in timeline)
    audited = db.session.scalars(
        text(
            "SELECT action FROM audit_entry WHERE entity = 'service_dispatch_work_order' "
            "AND entity_id = :id ORDER BY id"
        ),
        {"id": order.id},
    )
    assert list(audited) == [
        "create",
        "assign",
        "accept",
        "depart",
        "check_in",
        "complete",
        "close",
    ]
    assert heard == ["created", ("assigned", "Li Gong"), "completed", "closed"]


def post(api, order, action, **payload):
    return api.post(
        f"/api/v1/service/work-orders/{order.id}/transitions",
        json={"action": action, "version": reload(order).version, **payload},
    )


def unchanged(order, status) -> bool:
    """The refused action left the order as it was: same state, same version."""
    fresh = reload(order)
    return fresh.status == status and fresh.version == order.version


def test_decline_cancel_and_reopen_need_a_reason(make_order, make_engineer, dispatcher, as_user):
    engineer = make_engineer()
    for state, action in (("assigned", "decline"), ("new", "cancel"), ("closed", "reopen")):
        order = make_order(state, engineer)
        for reason in (None, "   "):
            body = {} if reason is None else {"reason": reason}
            answer = post(as_user(dispatcher), order, action, **body)
            assert answer.status_code == 422 and "reason" in answer.json["errors"], answer.json
            assert unchanged(order, state)


def test_a_decline_keeps_its_reason_and_frees_the_order_for_dispatch(
    make_order, make_engineer, as_user
):
    engineer = make_engineer()
    order = make_order("assigned", engineer)
    answer = post(as_user(engineer), order, "decline", reason="Not my area")
    assert answer.status_code == 200 and answer.json["history"][-1]["note"] == "Not my area"
    assert answer.json["status"] == "declined"


def test_completing_needs_the_report(make_order, make_engineer, as_user):
    engineer = make_engineer()
    order = make_order("on_site", engineer)
    answer = post(as_user(engineer), order, "complete")
    assert answer.status_code == 422
    assert {"diagnosis", "work_done", "confirmed_by"} <= set(answer.json["errors"])
    for bad in (
        {"charges": "-1"},
        {"charges": "1.234"},
        {"charges": "NaN"},
        {"labour_minutes": -5},
        {"diagnosis": " "},
    ):
        answer = post(as_user(engineer), order, "complete", **{**REPORT, **bad})
        assert answer.status_code == 422 and set(bad) <= set(answer.json["errors"]), answer.json
    assert unchanged(order, "on_site")


def test_check_out_before_check_in_is_refused(make_order, make_engineer, as_user):
    engineer = make_engineer()
    order = make_order("on_site", engineer)
    early = (reload(order).checked_in_at - timedelta(minutes=5)).isoformat()
    later = (utcnow() + timedelta(hours=1)).isoformat()
    for when in (early, later):
        answer = post(as_user(engineer), order, "complete", **REPORT, checked_out_at=when)
        assert answer.status_code == 422 and "checked_out_at" in answer.json["errors"]
    assert unchanged(order, "on_site")
    assert post(as_user(engineer), order, "complete", **REPORT).status_code == 200
    fresh = reload(order)
    assert fresh.checked_in_at <= fresh.checked_out_at <= utcnow()


def test_unknown_actions_and_a_missing_version_are_422(make_order, dispatcher, as_user):
    order = make_order()
    url = f"/api/v1/service/work-orders/{order.id}/transitions"
    assert (
        "action"
        in as_user(dispatcher).post(url, json={"action": "fly", "version": 1}).json["errors"]
    )
    assert (
        "version"
        in as_user(dispatcher).post(url, json={"action": "cancel", "reason": "x"}).json["errors"]
    )
    assert as_user(dispatcher).post(url, json=[1]).status_code == 422


def test_the_next_deadline_follows_the_order_through_its_life(
    make_user, make_engineer, make_customer
):
    """``due_at`` (what the watchlist reads) is the respond-by time until the
    first accept, then the resolve-by time, and nothing once the order is
    done with; a reopened order is due again."""
    from plugins.service_dispatch.services import orders, reports
    from plugins.service_dispatch.services.lifecycle import transition

    boss, engineer = make_user(role="dispatcher"), make_engineer()
    now = utcnow()
    respond_by, resolve_by = now - timedelta(hours=1), now + timedelta(hours=1)
    order = orders.create_work_order(
        {
            "title": "AC",
            "customer_id": make_customer(region="East").id,
            "category": "repair",
            "respond_by": respond_by.isoformat(),
        },
        boss,
    )
    order.resolve_by = resolve_by
    db.session.commit()
    assert reload(order).due_at == respond_by
    watch = reports.watchlist(boss, {}, now)
    assert [r["id"] for r in watch["overdue"]] == [order.id] and watch["overdue_count"] == 1
    assert watch["overdue"][0]["deadline"] == "respond"
    transition(order, "assign", boss, {"engineer_id": engineer.id}, order.version)
    assert reload(order).due_at == respond_by
    transition(order, "accept", engineer, {}, order.version)
    assert reload(order).due_at == resolve_by
    watch = reports.watchlist(boss, {"risk_hours": 2}, now)
    assert watch["overdue_count"] == 0 and [r["id"] for r in watch["at_risk"]] == [order.id]
    for action in ("depart", "check_in"):
        transition(order, action, engineer, {}, order.version)
    transition(order, "complete", engineer, REPORT, order.version)
    assert reload(order).due_at is None
    assert reports.watchlist(boss, {}, now)["at_risk_count"] == 0
    transition(order, "reopen", boss, {"reason": "still warm"}, order.version)
    assert reload(order).due_at == resolve_by
