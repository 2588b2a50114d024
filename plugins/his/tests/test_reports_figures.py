"""The hospital reports against figures worked out by hand on a small
hospital: registrations with known check-in and call times, no-shows and a
cancellation; visits; payments with their tenders and refunds. A doctor
sees their department's figures only; the API answers the same."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.api import Team, db, instance_currency, instance_timezone
from plugins.his.models import Charge, PatientPayment, PaymentTender, Refund, Visit
from plugins.his.services import reports
from plugins.his.services.billing.revenue_rebuild import rebuild_revenue_cells
from plugins.his.services.visits.cells import count_visit

from .booking_fixtures import booked, clinic  # noqa: F401

_number = itertools.count(1)


def at(day, hour: int, minute: int = 0) -> datetime:
    """An aware instant: ``day`` at ``hour:minute`` in the instance's zone."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(instance_timezone()))


def visit(customer, department, doctor, when) -> Visit:
    row = Visit(
        customer_id=customer.id,
        department=department.name,
        department_id=department.id,
        doctor_id=doctor.id,
        team_id=department.team_id,
        visited_at=when,
        status="closed",
    )
    db.session.add(row)
    db.session.flush()
    count_visit(row)  # as the visit service counts a visit it starts
    return row


def charge(customer, category, amount, *, payment=None, status="paid", **links) -> Charge:
    row = Charge(
        customer_id=customer.id,
        source="order",
        source_id=next(_number),
        item_code=category.upper(),
        name=category,
        category=category,
        quantity=Decimal("1"),
        unit_price=Decimal(amount),
        amount=Decimal(amount),
        currency=instance_currency(),
        status=status,
        payment_id=payment.id if payment else None,
        **links,
    )
    db.session.add(row)
    db.session.flush()
    return row


def payment(customer, when, *tenders) -> PatientPayment:
    total = sum((Decimal(a) for _m, a in tenders), Decimal("0"))
    row = PatientPayment(
        number=f"R{next(_number):06}",
        customer_id=customer.id,
        paid_at=when,
        currency=instance_currency(),
        total=total,
    )
    db.session.add(row)
    db.session.flush()
    for method, amount in tenders:
        db.session.add(PaymentTender(payment_id=row.id, method=method, amount=Decimal(amount)))
    return row


def refund(pay, amount, method, when, status="refunded") -> Refund:
    row = Refund(
        payment_id=pay.id,
        customer_id=pay.customer_id,
        amount=Decimal(amount),
        currency=instance_currency(),
        reason="test",
        method=method,
        status=status,
        refunded_at=when if status == "refunded" else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def hospital(clinic, make_user):  # noqa: F811
    """Two days ago (d1) a cardiology session, yesterday (d2) a dermatology
    one, today a cardiology one; the figures below are in the tests."""
    c = clinic
    c.d1, c.d2 = c.today - timedelta(days=2), c.today - timedelta(days=1)
    c.period = (c.today - timedelta(days=3), c.today)
    c.admin = make_user(role="admin", name="Admin Wu")
    ent = Team(name="ENT")
    db.session.add(ent)
    db.session.commit()
    c.ent_doctor = make_user(role="his_doctor", team=ent, name="Dr Ent")
    card = c.session(day=c.d1, desk=4, online=2)
    derm = c.session(department=c.dermatology, doctor=c.zhou, day=c.d2, desk=2, online=1)
    today = c.session(day=c.today, desk=2, online=1)
    p = [c.patient(f"Patient {n}") for n in range(9)]

    def seen(session, who, slot, checked_in, called):
        return booked(c, session, who, "seen", slot, checked_in_at=checked_in, called_at=called)

    d1 = c.d1
    c.b1 = seen(card, p[0], 1, at(d1, 8, 0), at(d1, 8, 10))  # 10 minutes, desk
    seen(card, p[1], 2, at(d1, 8, 5), at(d1, 8, 25))  # 20, desk
    seen(card, p[2], 5, at(d1, 8, 10), at(d1, 8, 40))  # 30, online
    seen(card, p[3], 4, at(d1, 9, 0), at(d1, 9, 40))  # 40, desk
    booked(c, card, p[4], "no_show", 6)  # online
    booked(c, card, p[5], "cancelled", 3)  # counts nowhere
    c.c1 = seen(derm, p[6], 1, at(c.d2, 10, 0), at(c.d2, 10, 5))  # 5, desk
    booked(c, derm, p[7], "no_show", 3)  # online
    booked(c, today, p[8], "booked", 1)  # today: not passed
    booked(c, today, p[1], "checked_in", 2, checked_in_at=at(c.today, 8, 0))  # waiting

    v1 = visit(p[0], c.cardiology, c.li, at(d1, 8, 15))
    visit(p[1], c.cardiology, c.li, at(d1, 8, 30))
    visit(p[2], c.cardiology, c.li, at(c.d2, 0, 30))  # just after midnight: d2, not d1
    v4 = visit(p[6], c.dermatology, c.zhou, at(c.d2, 10, 10))

    p1 = payment(p[0], at(d1, 9), ("cash", "50.00"), ("wechat", "100.00"))
    charge(p[0], "registration", "12.50", payment=p1, booking_id=c.b1.id)
    lab = charge(p[0], "lab", "100.00", payment=p1, status="refunded", visit_id=v1.id)
    charge(p[0], "drug", "37.50", payment=p1, visit_id=v1.id)
    lab.refund_id = refund(p1, "100.00", "wechat", at(c.d2, 10)).id
    refund(p1, "10.00", "cash", at(c.d2, 11))  # of an amount: no category
    refund(p1, "5.00", "cash", None, status="requested")  # not paid out: not counted
    p2 = payment(p[6], at(c.d2, 11), ("alipay", "32.50"))
    charge(p[6], "registration", "12.50", payment=p2, booking_id=c.c1.id)
    charge(p[6], "consultation", "20.00", payment=p2, visit_id=v4.id)
    charge(p[0], "lab", "99.00", status="unpaid", visit_id=v1.id)  # not paid: not counted
    old = payment(p[0], at(c.today - timedelta(days=10), 9), ("cash", "70.00"))
    charge(p[0], "drug", "70.00", payment=old, visit_id=v1.id)  # before the period
    rebuild_revenue_cells()  # the money above was written bypassing the services
    db.session.commit()
    return c


def _by(rows, key):
    return {row[key]: row for row in rows}


def test_visits_count_per_local_day_department_and_doctor(hospital):
    figures = reports.visit_figures(hospital.admin, hospital.period)
    assert [(r["day"], r["department"], r["doctor"], r["visits"]) for r in figures["rows"]] == [
        (hospital.d1, "Cardiology", "Dr Li", 2),
        (hospital.d2, "Cardiology", "Dr Li", 1),
        (hospital.d2, "Dermatology", "Dr Zhou", 1),
    ]
    assert {r["department"]: r["visits"] for r in figures["by_department"]} == {
        "Cardiology": 3,
        "Dermatology": 1,
    }
    assert [(r["doctor"], r["visits"]) for r in figures["by_doctor"]] == [
        ("Dr Li", 3),
        ("Dr Zhou", 1),
    ]
    assert figures["total"] == 4


def test_channel_mix_and_no_show_rate_leave_cancelled_and_today_out(hospital):
    figures = reports.booking_figures(hospital.admin, hospital.period)
    days = _by(figures["days"], "day")
    assert (days[hospital.d1]["desk"], days[hospital.d1]["online"]) == (3, 2)
    assert (days[hospital.today]["desk"], days[hospital.today]["online"]) == (2, 0)
    departments = _by(figures["by_department"], "department")
    cardiology = departments["Cardiology"]
    assert (cardiology["desk"], cardiology["online"], cardiology["past"]) == (5, 2, 5)
    assert cardiology["no_show"] == 1 and cardiology["no_show_rate"] == 0.2
    assert departments["Dermatology"]["no_show_rate"] == 0.5
    totals = figures["totals"]
    assert (totals["bookings"], totals["past"], totals["no_show"]) == (9, 7, 2)
    assert totals["no_show_rate"] == round(2 / 7, 4)
    assert totals["online_share"] == round(3 / 9, 4)


def test_wait_is_median_and_nearest_rank_p90_minutes(hospital):
    figures = reports.wait_figures(hospital.admin, hospital.period)
    departments = _by(figures["by_department"], "department")
    assert departments["Cardiology"] == {
        "department_id": hospital.cardiology.id,
        "department": "Cardiology",
        "patients": 4,
        "median": 25.0,
        "p90": 40.0,
    }
    assert (departments["Dermatology"]["median"], departments["Dermatology"]["p90"]) == (5, 5)
    assert figures["totals"] == {"patients": 5, "median": 20.0, "p90": 40.0}
    assert [(r["day"], r["department"]) for r in figures["rows"]] == [
        (hospital.d1, "Cardiology"),
        (hospital.d2, "Dermatology"),
    ]


def test_revenue_by_category_and_method_subtracts_refunds(hospital):
    figures = reports.revenue_figures(hospital.admin, hospital.period)
    category = {
        r["category"]: (r["charged"], r["refunded"], r["net"]) for r in figures["by_category"]
    }
    assert category["registration"] == (Decimal("25.00"), Decimal("0.00"), Decimal("25.00"))
    assert category["lab"] == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert category["drug"][2] == Decimal("37.50")
    assert category["consultation"][2] == Decimal("20.00")
    assert category["imaging"] == (Decimal("0.00"),) * 3
    assert figures["unassigned_refunds"] == Decimal("10.00")
    method = {r["method"]: (r["taken"], r["refunded"], r["net"]) for r in figures["by_method"]}
    assert method["cash"] == (Decimal("50.00"), Decimal("10.00"), Decimal("40.00"))
    assert method["wechat"] == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert method["alipay"][2] == Decimal("32.50")
    assert figures["totals"] == {
        "charged": Decimal("182.50"),
        "refunded": Decimal("110.00"),
        "net": Decimal("72.50"),
    }
    assert sum(n for _t, _r, n in method.values()) == figures["totals"]["net"]


def test_a_doctor_sees_only_their_departments_figures(hospital):
    zhou, period = hospital.zhou, hospital.period
    assert reports.visit_figures(zhou, period)["total"] == 1
    assert [r["department"] for r in reports.booking_figures(zhou, period)["by_department"]] == [
        "Dermatology"
    ]
    assert reports.wait_figures(zhou, period)["totals"] == {
        "patients": 1,
        "median": 5.0,
        "p90": 5.0,
    }
    revenue = reports.revenue_figures(zhou, period)
    assert revenue["totals"]["net"] == Decimal("32.50")
    assert revenue["unassigned_refunds"] == Decimal("0.00")
    li = reports.revenue_figures(hospital.li, period)
    assert li["totals"] == {
        "charged": Decimal("150.00"),
        "refunded": Decimal("110.00"),
        "net": Decimal("40.00"),
    }


def test_a_doctor_of_another_department_sees_none_of_them(hospital):
    ent, period = hospital.ent_doctor, hospital.period
    assert reports.visit_figures(ent, period)["total"] == 0
    assert reports.booking_figures(ent, period)["totals"]["bookings"] == 0
    assert reports.wait_figures(ent, period)["totals"]["patients"] == 0
    assert reports.revenue_figures(ent, period)["totals"]["charged"] == Decimal("0.00")
    assert reports.today_registrations(ent)["registrations"] == 0


def test_one_department_asked_for(hospital):
    figures = reports.revenue_figures(hospital.admin, hospital.period, hospital.dermatology.id)
    assert figures["totals"]["net"] == Decimal("32.50")
    waits = reports.wait_figures(hospital.admin, hospital.period, hospital.cardiology.id)
    assert waits["totals"]["patients"] == 4


def test_today_registrations_and_revenue_for_the_dashboard(hospital):
    today = reports.today_registrations(hospital.nurse)
    assert (today["registrations"], today["waiting"]) == (2, 1)
    assert [r["department"] for r in today["rows"]] == ["Cardiology"]
    assert reports.today_revenue(hospital.admin)["totals"]["net"] == Decimal("0.00")


def test_api_answers_the_reports_in_the_callers_scope(hospital, as_user):
    api = as_user(hospital.zhou)
    query = f"date_from={hospital.period[0]}&date_to={hospital.period[1]}"
    waits = api.get(f"/api/v1/his/reports/wait-times?{query}")
    assert waits.status_code == 200, waits.json
    assert waits.json["totals"] == {"patients": 1, "median": 5.0, "p90": 5.0}
    assert waits.json["first"] == hospital.period[0].isoformat()
    revenue = as_user(hospital.admin).get(f"/api/v1/his/reports/revenue?{query}").json
    assert revenue["totals"]["net"] == "72.50"
    for name in reports.REPORTS:
        assert api.get(f"/api/v1/his/reports/{name}?{query}").status_code == 200, name
    other = api.get(f"/api/v1/his/reports/visits?department_id={hospital.cardiology.id}")
    assert other.status_code == 404


def test_api_refuses_a_backwards_or_long_period_and_the_unpermitted(hospital, as_user):
    api = as_user(hospital.admin)
    backwards = api.get("/api/v1/his/reports/visits?date_from=2026-03-10&date_to=2026-03-01")
    assert backwards.status_code == 422 and "date_to" in backwards.json["errors"]
    long = api.get("/api/v1/his/reports/visits?date_from=2024-01-01&date_to=2026-01-01")
    assert long.status_code == 422 and "date_to" in long.json["errors"]
    assert as_user(hospital.clerk).get("/api/v1/his/reports/visits").status_code == 403
