"""A refund paid out at the hospital gives the insurer's share back: the
outpatient claim of the payment loses the refunded covered charges, its
share is worked out again, and the patient's deductible and limit come
back with it — driven through the hospital's API (refund asked, approved
at once without a flow, paid out), as an outside integrator sees it.

Figures by hand: co-payment 20 % (the insurer pays 80 %), covered
categories registration, drug and lab (not imaging)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import db
from plugins.insurance.models import ClaimEvent
from plugins.insurance.services.reports.claims import incurred, incurred_from_events
from plugins.insurance.services.reports.period import Period
from plugins.insurance.services.terms import today

from .test_outpatient_coverage import cash, claims_of, desk, insurance, insure  # noqa: F401


@pytest.fixture
def refund(desk, as_user):
    """``refund(payment_id, charge_ids=[…] | amount="…")``: asked and paid out."""

    def give(payment_id: int, **what):
        api = as_user(desk.cashier)
        asked = api.post(
            "/api/v1/his/refunds", json={"payment_id": payment_id, "reason": "not done", **what}
        )
        assert asked.status_code == 201, asked.json
        paid = api.post(f"/api/v1/his/refunds/{asked.json['id']}/payout")
        assert paid.status_code == 200, paid.json
        db.session.expire_all()
        return paid.json

    return give


def _steps(claim) -> list[tuple]:
    rows = db.session.scalars(
        select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.seq)
    )
    return [(e.action, e.to_status, e.paid_delta, e.amount) for e in rows]


def test_a_refunded_charge_takes_the_share_and_the_limit_back(desk, refund):
    policy = insure(desk.patient, outpatient_limit=Decimal("120.00"))
    ids = desk.owe(desk.patient, ("drug", "100.00"), ("lab", "50.00"), ("imaging", "30.00"))
    paid = desk.pay(desk.patient, ids, insurance(), cash("60.00"))
    assert paid.json["covered"] == "120.00"  # (100 + 50) × 80 %: the whole limit
    refund(paid.json["id"], charge_ids=[ids[1]])  # the lab test was not done
    [claim] = claims_of(policy)
    assert (claim.status, claim.claimed_amount, claim.approved_amount, claim.paid_amount) == (
        "paid",
        Decimal("100.00"),
        Decimal("80.00"),
        Decimal("80.00"),
    )
    assert _steps(claim)[-1] == ("hospital_refund", "paid", Decimal("-40.00"), Decimal("50.00"))
    period = Period.of_months(today(), today())
    from_cells = incurred(desk.admin, period, "line")
    from_events = incurred_from_events(desk.admin, period, "line")
    assert from_cells[("health", "CNY")] == from_events[("health", "CNY")] == Decimal("80.00")
    more = desk.pay(desk.patient, desk.owe(desk.patient, ("drug", "100.00")), insurance(),
                    cash("60.00"))  # fmt: skip
    assert more.json["covered"] == "40.00"  # the 40 given back of the 120


def test_a_bill_in_the_deductible_refunded_gives_the_deductible_back(desk, refund):
    policy = insure(desk.patient, outpatient_deductible=Decimal("100.00"))
    small = desk.owe(desk.patient, ("drug", "60.00"))
    paid = desk.pay(desk.patient, small, cash("60.00"))
    refund(paid.json["id"], charge_ids=small)
    [claim] = claims_of(policy)
    assert (claim.status, claim.claimed_amount, claim.paid_amount) == (
        "closed",
        Decimal("0.00"),
        Decimal("0.00"),
    )  # withdrawn: nothing of it is left
    later = desk.pay(desk.patient, desk.owe(desk.patient, ("drug", "150.00")), insurance(),
                     cash("110.00"))  # fmt: skip
    assert later.json["covered"] == "40.00"  # (150 − the whole 100) × 80 %, not (150 − 40)


def test_an_amount_refunded_takes_the_covered_part_in_proportion(desk, refund):
    policy = insure(desk.patient)
    ids = desk.owe(desk.patient, ("drug", "100.00"), ("imaging", "100.00"))
    paid = desk.pay(desk.patient, ids, insurance(), cash("120.00"))
    assert paid.json["covered"] == "80.00"
    refund(paid.json["id"], charge_ids=[ids[1]])  # imaging is not covered: the claim stays
    [claim] = claims_of(policy)
    assert (claim.claimed_amount, claim.paid_amount, len(_steps(claim))) == (
        Decimal("100.00"),
        Decimal("80.00"),
        2,
    )
    refund(paid.json["id"], amount="20.00")  # 20 of the 100 still billed, all of it covered
    db.session.refresh(claim)
    assert (claim.status, claim.claimed_amount, claim.paid_amount) == (
        "paid",
        Decimal("80.00"),
        Decimal("64.00"),
    )
    assert _steps(claim)[-1][2:] == (Decimal("-16.00"), Decimal("20.00"))


def test_a_refund_of_a_payment_without_a_claim_changes_nothing(desk, refund):
    policy = insure(desk.patient)
    ids = desk.owe(desk.patient, ("imaging", "40.00"))
    paid = desk.pay(desk.patient, ids, cash("40.00"))
    refund(paid.json["id"], charge_ids=ids)
    assert claims_of(policy) == []
