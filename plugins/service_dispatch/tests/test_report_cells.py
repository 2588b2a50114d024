"""The service report cells: kept in step with the work orders and their
revisits by every kind of change (checked against the cells added up again
from scratch), and the SLA report of someone who sees every order equal to
the same report recounted from the orders — for periods of days, weeks and
months, with pending orders, breached and met deadlines, reopened and
repeat orders, revisits, visits, a deleted order and a customer in the
recycle bin."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, true

from core.api import db
from plugins.service_dispatch.models import PRIORITIES, STATUSES, ReportCell, Revisit, WorkOrder
from plugins.service_dispatch.services import lifecycle, report_cells, reports
from plugins.service_dispatch.services.report_cells import MEASURES, cell_key, contributions

NOW = datetime(2025, 12, 10, 12, 0, tzinfo=UTC)
START = datetime(2025, 10, 1, 6, 0, tzinfo=UTC)
PERIODS = [
    {"start": date(2025, 10, 1), "end": date(2025, 12, 31)},  # everything
    {"start": date(2025, 11, 3), "end": date(2025, 11, 9)},  # a week
    {"start": date(2025, 10, 15), "end": date(2025, 12, 5)},  # parts of months
    {"start": date(2025, 12, 10), "end": date(2025, 12, 10)},  # the day of asking
    {},  # the default: the last 30 days
]


def stored() -> dict:
    return {
        c.key: [getattr(c, m) for m in MEASURES] for c in db.session.scalars(select(ReportCell))
    }


def fresh() -> dict:
    return {
        cell_key(key): measures
        for key, measures in contributions(report_cells.order_rows(true())).items()
        if any(measures)
    }


def assert_in_step() -> None:
    db.session.commit()
    assert stored() == fresh()


def hours(n: float | None):
    return None if n is None else timedelta(hours=n)


@pytest.fixture
def varied(make_order, make_engineer, make_customer, make_user):
    """80 orders over Oct 1 – Dec 10 2025 in every status, four regions,
    every priority, three products (one none), deadlines met, breached and
    pending, responded or not, reopened, repeat visits, visits with and
    without check-out, revisits; one order deleted."""
    rng = random.Random(7)
    engineers = [make_engineer(name="E1"), make_engineer(name="E2", regions=("West",))]
    customers = [make_customer(region=r) for r in ("East", "West", "North", "South")]
    orders = []
    for i in range(80):
        created = START + timedelta(hours=rng.randrange(0, 70 * 24), minutes=rng.randrange(60))
        status = STATUSES[i % len(STATUSES)]
        order = make_order(
            status,
            rng.choice(engineers),
            customer=rng.choice(customers),
            title=f"o{i}",
            product=rng.choice(["AC-1", "Purifier", None]),
            priority=rng.choice(PRIORITIES),
        )
        done = status in ("completed", "closed") or (status == "reopened" and rng.random() < 0.5)
        responded = None if rng.random() < 0.25 else created + hours(rng.choice([0.5, 3, 30]))
        fields = {
            "created_at": created,
            "category": rng.choice(["repair", "installation"]),
            "respond_by": created + hours(rng.choice([2, 8])) if rng.random() < 0.8 else None,
            "resolve_by": created + hours(rng.choice([24, 72])) if rng.random() < 0.8 else None,
            "responded_at": responded,
            "accepted_at": responded,
            "completed_at": created + hours(rng.choice([5, 40, 100])) if done else None,
            "checked_in_at": created + hours(2) if rng.random() < 0.6 else None,
            "checked_out_at": None,
            "labour_minutes": rng.choice([None, 45]),
            "reopen_count": rng.choice([0, 0, 1, 2]),
            "repeat_of_id": orders[-3].id if orders and rng.random() < 0.2 else None,
        }
        if fields["checked_in_at"] and rng.random() < 0.6:
            fields["checked_out_at"] = fields["checked_in_at"] + hours(rng.choice([0.75, 2.5]))
        for name, value in fields.items():
            setattr(order, name, value)
        if done and rng.random() < 0.6:
            db.session.add(Revisit(work_order_id=order.id, score=rng.randint(1, 5)))
        db.session.commit()
        orders.append(order)
    orders[5].deleted_at = NOW
    db.session.commit()
    return {"orders": orders, "customers": customers, "engineers": engineers}


def report_both_ways(user, args, monkeypatch) -> tuple[dict, dict]:
    """The report from the cells, and recounted from the orders."""
    assert report_cells.applies(user, args)
    from_cells = reports.sla_report(user, args, NOW)
    with monkeypatch.context() as m:
        m.setattr(report_cells, "applies", lambda _user, _args: False)
        from_orders = reports.sla_report(user, args, NOW)
    return from_cells, from_orders


@pytest.mark.parametrize("args", PERIODS)
def test_the_dispatchers_report_from_the_cells_equals_the_orders_recounted(
    varied, dispatcher, as_user, make_user, monkeypatch, args
):
    admin = make_user(role="admin")
    binned = varied["customers"][1]
    assert as_user(admin).delete(f"/api/v1/customers/{binned.id}").status_code == 204
    from_cells, from_orders = report_both_ways(dispatcher, args, monkeypatch)
    assert from_cells == from_orders
    if args.get("start") == date(2025, 10, 1):  # the data exercise what they should
        figures = from_cells
        assert figures["orders"]["total"] > 40
        assert figures["response"]["met"] and figures["response"]["breached"]
        assert figures["resolution"]["met"] and figures["resolution"]["breached"]
        assert figures["repeat_visits"] and figures["utilisation"]
        assert figures["satisfaction"]["count"] > 3
        assert figures["orders"]["open"] > 5


def test_the_dispatchers_report_reads_the_cells(varied, dispatcher):
    """One order more in a cell is one order more in the dispatcher's report
    — and in no narrowed or scoped one."""
    months = PERIODS[0]  # three whole months: the month cells
    engineer = varied["engineers"][0]
    before = reports.sla_report(dispatcher, months, NOW)
    narrowed = reports.sla_report(dispatcher, {**months, "priority": "high"}, NOW)
    own = reports.sla_report(engineer, months, NOW)
    cell = db.session.scalars(select(ReportCell).where(ReportCell.kind == "order_mo")).first()
    cell.orders += 1
    db.session.commit()
    after = reports.sla_report(dispatcher, months, NOW)
    assert after["orders"]["total"] == before["orders"]["total"] + 1
    assert reports.sla_report(dispatcher, {**months, "priority": "high"}, NOW) == narrowed
    assert reports.sla_report(engineer, months, NOW) == own
    assert not report_cells.applies(engineer, months)
    for narrowing in ("engineer_id", "team_id", "category", "priority"):
        assert not report_cells.applies(dispatcher, {**months, narrowing: 1})


def test_the_cells_follow_every_kind_of_change(
    varied, dispatcher, make_user, as_user, make_customer, make_order
):
    assert_in_step()  # the fixture wrote orders straight into their states
    assert len(stored()) > 20
    order = varied["orders"][0]  # new
    engineer = varied["engineers"][0]
    order.respond_by, order.resolve_by = NOW + hours(4), NOW + hours(48)
    db.session.commit()
    lifecycle.transition(order, "assign", dispatcher, {"engineer_id": engineer.id})
    assert_in_step()
    for action in ("accept", "depart", "check_in"):
        lifecycle.transition(order, action, engineer)
        assert_in_step()
    done = {"diagnosis": "fan", "work_done": "fixed", "confirmed_by": "Li", "labour_minutes": 30}
    lifecycle.transition(order, "complete", engineer, done)
    assert_in_step()
    revisit = Revisit(work_order_id=order.id, score=5)
    db.session.add(revisit)
    assert_in_step()
    revisit.score = 2
    assert_in_step()
    db.session.delete(revisit)
    assert_in_step()
    lifecycle.transition(order, "reopen", dispatcher, {"reason": "again"})
    assert_in_step()
    order.product, order.created_at = "Chiller", order.created_at - timedelta(days=3)
    assert_in_step()
    order.deleted_at = NOW
    assert_in_step()
    admin = make_user(role="admin")
    api = as_user(admin)
    first, second = varied["customers"][2:]
    merged = api.post(f"/api/v1/customers/{first.id}/merge", json={"merge_id": second.id})
    assert merged.status_code == 200
    assert_in_step()
    gone = make_customer(region="East")
    for status in ("completed", "assigned"):
        order = make_order(status, engineer, customer=gone, product="AC-1")
        order.respond_by, order.completed_at = NOW, NOW if status == "completed" else None
        order.responded_at = NOW - hours(1)
    assert_in_step()
    assert api.delete(f"/api/v1/customers/{gone.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{gone.id}").status_code == 204
    assert db.session.scalar(select(WorkOrder.id).where(WorkOrder.customer_id == gone.id)) is None
    assert_in_step()


def test_a_failed_write_leaves_the_cells_as_they_were(varied):
    db.session.commit()
    before = stored()
    order = varied["orders"][7]  # completed
    order.status = "closed"
    db.session.flush()
    assert stored() != before  # the flush added the difference ...
    db.session.rollback()
    assert stored() == before  # ... in the same transaction


def test_rebuild_adds_up_the_same_cells(varied):
    db.session.commit()
    before = stored()
    assert report_cells.rebuild() == len(before)
    db.session.commit()
    assert stored() == before
