"""The hospital's customer facts and money event (services/facts), read
through core's readers as analysis reads them: visits started and signed
off through the visit service (their times set back where a test needs a
past), surveys answered and complaints handled through the feedback
services, payments and refunds through the billing services — figures
checked against counts made by hand, with binned visits, refunds not paid
out and closed complaints left out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import customer_facts, db, journey_steps, money_rows, utcnow
from plugins.his.models import Survey, Visit
from plugins.his.services import billing, visits
from plugins.his.services.feedback import answer_survey, create_complaint, move_complaint

from .billing_fixtures import cash, clinic, counter, pay  # noqa: F401
from .visit_fixtures import called


def values(key):
    return dict(db.session.execute(customer_facts()[key].values()).all())


def seen(clinic, patient, days_ago, department=None, doctor=None, period="morning", close=True):  # noqa: F811
    """A visit of ``patient`` started (and signed off) through the service
    in a session of today's ``period``, then set ``days_ago`` back."""
    booking = called(clinic, patient=patient, department=department, doctor=doctor, period=period)
    visit, _new = visits.start_visit({"booking_id": booking.id}, doctor or clinic.li)
    if close:
        visits.add_diagnosis(visit, {"code": "J06.9"}, doctor or clinic.li)
        visits.close_visit(visit, doctor or clinic.li)
    visit.visited_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return visit


def plain_visit(patient, days_ago) -> Visit:
    """A visit recorded by hand long ago (a plain row: no registration)."""
    row = Visit(
        customer_id=patient.id,
        department="Cardiology",
        visited_at=utcnow() - timedelta(days=days_ago),
        status="closed",
    )
    db.session.add(row)
    db.session.commit()
    return row


def answer(visit, csat):
    survey = db.session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    return answer_survey(survey, {"csat": csat, "nps": 9})


@pytest.fixture
def ward(clinic):  # noqa: F811
    """Wang: a visit 20 days ago (CSAT 4), one 5 days ago (CSAT 2, answered
    later), one 400 days ago, and one yesterday now in the recycle bin (CSAT
    5, answered last). Li: one open visit today."""
    wang, li = clinic.patient("Wang Xiaoying"), clinic.patient("Li Lei")
    w = {"wang": wang, "li": li}
    w["early"] = seen(clinic, wang, 20)
    w["late"] = seen(clinic, wang, 5, department=clinic.dermatology, doctor=clinic.zhou)
    w["oldest"] = plain_visit(wang, 400)
    answer(w["early"], 4)
    answer(w["late"], 2)
    binned = plain_visit(wang, 1)
    db.session.add(
        Survey(
            visit_id=binned.id,
            customer_id=wang.id,
            token_hash="f" * 64,
            sent_at=utcnow(),
            answered_at=utcnow() + timedelta(seconds=1),
            csat=5,
            nps=10,
        )
    )
    binned.deleted_at = utcnow()
    db.session.commit()
    w["today"] = seen(clinic, li, 0, period="afternoon", close=False)
    return w


def test_last_visit_at_is_the_latest_live_visit(ward):
    assert values("his.last_visit_at") == {
        ward["wang"].id: ward["late"].visited_at,
        ward["li"].id: ward["today"].visited_at,
    }
    assert customer_facts()["his.last_visit_at"].kind == "date"


def test_the_journey_step_is_the_first_live_visit(ward, clinic):  # noqa: F811
    binned = plain_visit(ward["wang"], 900)
    binned.deleted_at = utcnow()  # in the recycle bin: not the first
    db.session.commit()
    step = journey_steps()["his.visit"]
    assert dict(db.session.execute(step.reached()).all()) == {
        ward["wang"].id: ward["oldest"].visited_at,
        ward["li"].id: ward["today"].visited_at,
    }
    assert step.order == 40
    assert "his.visit" in journey_steps(clinic.li)
    assert "his.visit" not in journey_steps(clinic.clerk)  # no his.visit.read


def test_visits_last_year_count_live_visits_of_the_last_365_days(ward):
    assert values("his.visits_last_year") == {ward["wang"].id: 2, ward["li"].id: 1}
    assert customer_facts()["his.visits_last_year"].missing == 0


def test_satisfaction_is_the_latest_live_csat_on_0_to_10(ward):
    fact = customer_facts()["his.satisfaction"]
    assert (fact.meaning, fact.missing) == ("satisfaction", None)
    # 4 then 2 → (2 - 1) × 2.5; the 5 answered last is on a binned visit
    found = {k: float(v) for k, v in values("his.satisfaction").items()}
    assert found == {ward["wang"].id: 2.5}


def test_open_complaints_are_those_not_closed(clinic):  # noqa: F811
    wang, li = clinic.patient("Wang Xiaoying"), clinic.patient("Li Lei")

    def complaint(patient):
        payload = {"customer_id": patient.id, "category": "waiting_time", "description": "Slow"}
        return create_complaint(payload, clinic.clerk)

    rows = [complaint(wang) for _ in range(4)] + [complaint(li)]
    move_complaint(rows[1], {"action": "start"}, clinic.clerk)
    move_complaint(rows[2], {"action": "resolve", "resolution": "Sorry"}, clinic.clerk)
    move_complaint(rows[3], {"action": "close", "resolution": "Sorry"}, clinic.clerk)
    move_complaint(rows[4], {"action": "close", "resolution": "Sorry"}, clinic.clerk)
    fact = customer_facts()["his.open_complaints"]
    assert (fact.meaning, fact.missing) == ("open_complaints", 0)
    assert values("his.open_complaints") == {wang.id: 3}  # open, in progress, resolved


def test_payments_net_of_refunds_paid_out(counter):
    wang = counter.patient("Wang")
    first = pay(counter, wang, counter.owe(wang, "30.00", "20.00"), cash("50.00"))
    second = pay(counter, wang, counter.owe(wang, "80.00"), cash("80.00"))
    refund = billing.request_refund(
        {"payment_id": first.id, "amount": "15.00", "reason": "not done"}, counter.cashier
    )
    billing.pay_refund(refund, counter.cashier)
    billing.request_refund(  # approved, not paid out: nothing given back yet
        {"payment_id": second.id, "amount": "5.00", "reason": "not done"}, counter.cashier
    )
    rows = db.session.execute(money_rows(keys={"his.payment"})).all()
    got = sorted((r.customer_id, r.occurred_at, Decimal(str(r.amount))) for r in rows)
    assert got == sorted(
        [
            (wang.id, first.paid_at, Decimal("50.00")),
            (wang.id, second.paid_at, Decimal("80.00")),
            (wang.id, refund.refunded_at, Decimal("-15.00")),
        ]
    )


def test_facts_ask_for_the_visit_and_feedback_permissions(clinic, make_user):  # noqa: F811
    assert "his.last_visit_at" in customer_facts(clinic.li)
    assert "his.open_complaints" in customer_facts(clinic.clerk)
    assert "his.last_visit_at" not in customer_facts(clinic.clerk)  # no his.visit.read
    sales = make_user(role="sales")
    assert not {k for k in customer_facts(sales) if k.startswith("his.")}
