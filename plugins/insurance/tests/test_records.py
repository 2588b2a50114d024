"""A customer's insurance records through core's customer moves: delete
and purge refused while the customer holds live cover; a merge takes every
record to the survivor; a purge removes them all, children first; a
transfer hands the live book to the new agent and leaves what was earned."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import db, utcnow
from plugins.insurance.models import (
    Claim,
    ClaimEvent,
    Household,
    Person,
    Policy,
    PolicyTransaction,
    PremiumInstalment,
)

from .factories import make_policy


def _book(customer, agent, number: str, status: str = "in_force") -> Policy:
    """A term with its transaction, an open instalment, an insured person and a claim."""
    today = utcnow().date()
    policy = make_policy(
        customer,
        agent,
        number,
        today - timedelta(days=100),
        today + timedelta(days=264),
        status=status,
    )
    household = Household(name=f"{number} home", customer_id=customer.id, agent_id=agent.id)
    db.session.add(household)
    db.session.flush()
    db.session.add(
        Person(
            customer_id=customer.id,
            name=f"{number} insured",
            household_id=household.id,
            agent_id=agent.id,
        )
    )
    common = {"customer_id": customer.id, "agent_id": agent.id, "currency": policy.currency}
    db.session.add(
        PolicyTransaction(
            policy_id=policy.id,
            seq=1,
            kind="new_business",
            effective_on=policy.start_date,
            booked_on=policy.start_date,
            premium_delta=policy.term_premium,
            annual_premium_after=policy.annual_premium,
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            line=policy.line,
            **common,
        )
    )
    db.session.add(
        PremiumInstalment(
            policy_id=policy.id,
            seq=1,
            due_on=today + timedelta(days=30),
            amount=Decimal("100.00"),
            **common,
        )
    )
    claim = Claim(
        number=f"LP-{number}",
        policy_id=policy.id,
        status="assessing",
        loss_date=today,
        reported_at=utcnow(),
        description="Water",
        claimed_amount=Decimal("50.00"),
        **common,
    )
    db.session.add(claim)
    db.session.flush()
    db.session.add(
        ClaimEvent(
            claim_id=claim.id,
            seq=1,
            action="report",
            to_status="reported",
            at=utcnow(),
            event_on=today,
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            line=policy.line,
            agent_id=agent.id,
            currency=policy.currency,
        )
    )
    db.session.commit()
    return policy


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query) or 0


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


def test_live_cover_keeps_the_customer_out_of_the_recycle_bin(as_user, admin, make_customer):
    holder = make_customer(name="Live Cover Ltd", owner_id=admin.id)
    _book(holder, admin, "P-LIVE")
    refused = as_user(admin).delete(f"/api/v1/customers/{holder.id}")
    assert refused.status_code == 409
    assert "in force" in str(refused.json)
    assert _count(Policy, customer_id=holder.id) == 1

    db.session.execute(
        db.update(Policy).where(Policy.customer_id == holder.id).values(status="lapsed")
    )
    db.session.commit()
    assert as_user(admin).delete(f"/api/v1/customers/{holder.id}").status_code == 204


def test_a_merge_takes_every_record_to_the_survivor(as_user, admin, make_customer):
    survivor = make_customer(name="Harbour Freight", owner_id=admin.id)
    merged = make_customer(name="Harbour Freight Ltd", owner_id=admin.id)
    _book(merged, admin, "P-MERGED")
    answer = as_user(admin).post(
        f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": merged.id}
    )
    assert answer.status_code == 200
    db.session.expire_all()
    for model in (Policy, PolicyTransaction, PremiumInstalment, Claim, Person, Household):
        assert _count(model, customer_id=merged.id) == 0, model.__name__
        assert _count(model, customer_id=survivor.id) == 1, model.__name__


def test_a_purge_removes_the_records_children_first(as_user, admin, make_customer):
    gone = make_customer(name="Gone Ltd", owner_id=admin.id)
    gone_id, policy_id = gone.id, _book(gone, admin, "P-GONE", status="cancelled").id
    api = as_user(admin)
    assert api.delete(f"/api/v1/customers/{gone_id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{gone_id}").status_code == 204
    db.session.expire_all()
    assert db.session.get(Policy, policy_id) is None
    for model in (PolicyTransaction, PremiumInstalment, Claim, Person, Household):
        assert _count(model, customer_id=gone_id) == 0, model.__name__
    assert _count(ClaimEvent) == 0


def test_a_transfer_moves_the_live_book_and_leaves_what_was_earned(
    as_user, admin, make_user, make_customer
):
    leaving, taking = make_user(role="manager"), make_user(role="manager")
    customer = make_customer(name="Book Ltd", owner_id=leaving.id)
    live = _book(customer, leaving, "P-BOOK")
    ended = make_policy(
        customer,
        leaving,
        "P-ENDED",
        utcnow().date() - timedelta(days=800),
        utcnow().date() - timedelta(days=436),
        status="expired",
    )
    db.session.commit()
    answer = as_user(admin).post(
        f"/api/v1/users/{leaving.id}/transfer", json={"to_user_id": taking.id}
    )
    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(Policy, live.id).agent_id == taking.id
    assert db.session.get(Policy, ended.id).agent_id == leaving.id  # ended: stays
    assert _count(Claim, agent_id=taking.id) == 1
    assert _count(PremiumInstalment, agent_id=taking.id) == 1
    assert _count(PolicyTransaction, agent_id=leaving.id) == 1  # what was earned
