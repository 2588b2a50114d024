"""The revenue cells: kept by the payment and the refund in their own
transaction, they always equal the cells added up again from scratch — after
a payment, a partial refund of a charge, a refund of an amount, a full
refund and a void — and the revenue report read from them gives the figures
worked out by hand, a payment of two departments' charges counting whole
under each and once for who sees both."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.api import Team, db, instance_timezone, transaction
from plugins.his.models import Charge, PatientPayment, RevenueCell, RevenueMethodCell
from plugins.his.services import billing, reports
from plugins.his.services.billing.revenue_rebuild import rebuild_revenue_cells

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401
from .booking_fixtures import booked


def at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(instance_timezone()))


def cells() -> dict:
    """Every cell, by its key, with its measures."""
    found = {}
    for model, keys in (
        (RevenueCell, ("day", "department_id", "category", "currency")),
        (RevenueMethodCell, ("day", "departments", "method", "currency")),
    ):
        for row in db.session.scalars(select(model)):
            measures = {
                c.key: getattr(row, c.key)
                for c in model.__table__.columns
                if c.key not in (*keys, "id")
            }
            found[(model.__tablename__, *(getattr(row, k) for k in keys))] = measures
    return found


def assert_cells_recompute() -> None:
    """The cells kept equal the cells added up from scratch."""
    kept = cells()
    rebuild_revenue_cells()
    db.session.commit()
    assert cells() == kept


def refund(desk, payment, when, **fields):
    asked = billing.request_refund(
        {"payment_id": payment.id, "reason": "not done", **fields}, desk.cashier
    )
    db.session.commit()
    done = billing.pay_refund(asked, desk.cashier, now=when)
    db.session.commit()
    return done


@pytest.fixture
def desk(counter, make_user):  # noqa: F811
    """Yesterday (d1) Wang pays a cardiology registration, a cardiology lab
    test and a dermatology drug at 23:50 local time with card and cash; a
    charge of no department is paid by Li alone; a dermatology line is
    voided unpaid. Today (d2) part of Wang's payment is given back."""
    c = counter
    c.d1, c.d2 = c.today - timedelta(days=1), c.today
    c.period = (c.d1, c.d2)
    c.admin = make_user(role="admin", name="Admin Wu")
    card = c.session(day=c.d1)
    derm = c.session(department=c.dermatology, doctor=c.zhou, day=c.d1)
    c.wang, c.li_patient = c.patient("Wang"), c.patient("Li")
    b_card, b_derm = booked(c, card, c.wang), booked(c, derm, c.wang)

    def owe(booking, record, *lines):
        with transaction():
            charges = billing.add_charges(
                c.wang.id,
                visit_id=None,
                booking_id=booking.id,
                source="order",
                source_id=record,
                lines=[billing.ChargeLine(k, k, k, Decimal("1"), Decimal(a)) for k, a in lines],
            )
        db.session.commit()
        return charges

    c.card_lines = owe(b_card, 10_001, ("registration", "12.50"), ("lab", "100.00"))
    c.derm_lines = owe(b_derm, 10_002, ("drug", "37.50"))
    c.void_line = owe(b_derm, 10_003, ("imaging", "80.00"))
    return c


def test_a_charge_keeps_its_department_and_a_payment_the_key_of_them(desk):
    assert {c.department_id for c in desk.card_lines} == {desk.cardiology.id}
    [loose] = desk.owe(desk.li_patient, "9.90")
    assert loose.department_id is None
    payment = pay(desk, desk.wang, desk.card_lines + desk.derm_lines, cash("150.00"))
    ids = sorted((desk.cardiology.id, desk.dermatology.id))
    assert payment.departments == f",{ids[0]},{ids[1]},"


def test_cells_equal_a_recomputation_after_pay_refunds_and_void(desk):
    assert cells() == {}  # charges owed count nowhere
    lines = desk.card_lines + desk.derm_lines
    paid = pay(
        desk,
        desk.wang,
        lines,
        {"method": "card", "amount": "100.00", "reference": "T1"},
        cash("60.00"),
        now=at(desk.d1, 23, 50),
    )
    [loose] = desk.owe(desk.li_patient, "9.90", category="other")
    other = pay(desk, desk.li_patient, [loose], cash("9.90"), now=at(desk.d1, 10))
    db.session.commit()
    assert_cells_recompute()
    assert billing.void_charges("order", desk.void_line[0].source_id, desk.cashier) == 1
    db.session.commit()
    assert_cells_recompute()
    refund(desk, paid, at(desk.d2, 9), charge_ids=[desk.card_lines[1].id], method="card")
    assert_cells_recompute()
    refund(desk, paid, at(desk.d2, 10), amount="5.00", method="cash")
    assert_cells_recompute()
    refund(desk, other, at(desk.d2, 11), amount="9.90")  # all of it
    assert_cells_recompute()
    day_cells = {k[1:3]: v for k, v in cells().items() if k[0] == "his_revenue_cell"}
    assert day_cells[(desk.d1, desk.cardiology.id)]["charged_cents"] in (1250, 10000)
    assert (desk.d1, desk.dermatology.id) in day_cells  # 23:50 local is still d1


def test_the_report_reads_the_cells_with_the_figures_by_hand(desk, make_user):
    lines = desk.card_lines + desk.derm_lines
    paid = pay(
        desk,
        desk.wang,
        lines,
        {"method": "card", "amount": "100.00", "reference": "T1"},
        cash("50.00"),
        now=at(desk.d1, 23, 50),
    )
    [loose] = desk.owe(desk.li_patient, "9.90", category="other")
    pay(desk, desk.li_patient, [loose], cash("9.90"), now=at(desk.d1, 10))
    refund(desk, paid, at(desk.d2, 9), charge_ids=[desk.card_lines[1].id], method="card")
    refund(desk, paid, at(desk.d2, 10), amount="5.00", method="cash")
    billing.void_charges("order", desk.void_line[0].source_id, desk.cashier)
    db.session.commit()

    figures = reports.revenue_figures(desk.admin, desk.period)
    category = {r["category"]: (r["charged"], r["refunded"]) for r in figures["by_category"]}
    assert category["registration"] == (Decimal("12.50"), 0)
    assert category["lab"] == (Decimal("100.00"), Decimal("100.00"))
    assert category["drug"] == (Decimal("37.50"), 0)
    assert category["other"] == (Decimal("9.90"), 0)
    assert category["imaging"] == (0, 0)  # voided unpaid: never revenue
    method = {r["method"]: (r["taken"], r["refunded"]) for r in figures["by_method"]}
    assert method["card"] == (Decimal("100.00"), Decimal("100.00"))
    assert method["cash"] == (Decimal("59.90"), Decimal("5.00"))
    assert figures["unassigned_refunds"] == Decimal("5.00")
    assert figures["totals"] == {
        "charged": Decimal("159.90"),
        "refunded": Decimal("105.00"),
        "net": Decimal("54.90"),
    }
    # only the day of the refunds: nothing charged, the refunds given back
    today = reports.revenue_figures(desk.admin, (desk.d2, desk.d2))["totals"]
    assert today == {"charged": 0, "refunded": Decimal("105.00"), "net": Decimal("-105.00")}

    # Dr Li sees cardiology: its lines, and Wang's payment whole (it has a
    # cardiology charge) with its refunds; not Li's payment of no department
    li = reports.revenue_figures(desk.li, desk.period)
    assert li["totals"] == {
        "charged": Decimal("112.50"),
        "refunded": Decimal("105.00"),
        "net": Decimal("7.50"),
    }
    assert {r["method"]: r["taken"] for r in li["by_method"]}["cash"] == Decimal("50.00")
    zhou = reports.revenue_figures(desk.zhou, desk.period)
    assert zhou["totals"]["charged"] == Decimal("37.50")
    assert zhou["unassigned_refunds"] == Decimal("5.00")  # of a payment with a drug of theirs
    asked = reports.revenue_figures(desk.admin, desk.period, desk.dermatology.id)
    assert asked["totals"] == zhou["totals"]
    assert reports.revenue_figures(desk.li, desk.period, desk.dermatology.id)["totals"] == {
        "charged": 0,
        "refunded": 0,
        "net": 0,
    }

    # a head of both departments counts Wang's payment once
    hospital = Team(name="Hospital")
    db.session.add(hospital)
    db.session.flush()
    for department in (desk.cardiology, desk.dermatology):
        db.session.get(Team, department.team_id).parent_id = hospital.id
    db.session.commit()
    head = make_user(role="his_doctor", team=hospital, name="Dr Head")
    both = reports.revenue_figures(head, desk.period)
    assert {r["method"]: r["taken"] for r in both["by_method"]}["card"] == Decimal("100.00")
    assert both["totals"]["charged"] == Decimal("150.00")


def test_cells_count_a_patient_in_the_recycle_bin(desk):
    """Money received stays received: the cells do not ask after the
    patient's customer (the report used to leave a deleted one's rows out)."""
    pay(desk, desk.wang, desk.derm_lines, cash("37.50"), now=at(desk.d1, 9))
    desk.wang.deleted_at = at(desk.d2, 8)
    db.session.commit()
    figures = reports.revenue_figures(desk.admin, desk.period)
    assert figures["totals"]["charged"] == Decimal("37.50")
    assert db.session.scalar(select(PatientPayment.departments)) == f",{desk.dermatology.id},"


def test_rows_written_without_the_copies_are_read_through_their_links(desk):
    """A bulk load or the lines before the migration: the rebuild reads a
    missing department through the visit or registration, and so do a
    payment and a refund of such lines."""
    db.session.execute(Charge.__table__.update().values(department_id=None))
    db.session.commit()
    first = pay(desk, desk.wang, desk.card_lines, cash("112.50"), now=at(desk.d1, 9))
    assert first.departments == f",{desk.cardiology.id},"
    db.session.execute(PatientPayment.__table__.update().values(departments=None))
    db.session.commit()
    refund(desk, first, at(desk.d2, 9), amount="2.50")
    kept = cells()
    assert rebuild_revenue_cells() == len(kept) == 4
    db.session.commit()
    assert cells() == kept
    assert reports.revenue_figures(desk.li, desk.period)["totals"]["net"] == Decimal("110.00")
