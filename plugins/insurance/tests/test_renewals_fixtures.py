"""A small book for the renewal, cancellation and callback tests (no tests
here): agent Ann of the motor desk with her customer Harbour Freight,
agent Bob of the marine desk with Elsewhere Ltd, and manager Meg of the
motor desk, who may issue; :func:`issued` makes a term as issuing writes it
and :func:`pay` records premiums through the premiums' service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import Team, db
from plugins.insurance.models import Policy
from plugins.insurance.services.premiums.payments import record_payment

from .factories import licensed_agent, make_issued_policy


@pytest.fixture
def book(make_user, make_customer):
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    meg = make_user(role="manager", team=motor, name="Meg Manager")
    licensed_agent(ann, "A1")
    licensed_agent(bob, "B1")
    harbour = make_customer(name="Harbour Freight", owner_id=ann.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id)
    db.session.commit()
    return SimpleNamespace(ann=ann, bob=bob, meg=meg, harbour=harbour, elsewhere=elsewhere)


def issued(customer, agent, number: str, start: date, **fields) -> Policy:
    """A term issued on ``start`` (committed); ``fields`` as make_issued_policy takes them."""
    policy = make_issued_policy(customer, agent, number, start, **fields)
    db.session.commit()
    return policy


def pay(policy: Policy, actor, amount: str, on: date | None = None) -> None:
    """``amount`` paid on the oldest open instalment, through the premiums' service."""
    record_payment(policy, actor, Decimal(amount), on or policy.start_date, "bank_transfer")
