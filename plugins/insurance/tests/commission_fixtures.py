"""A small book to earn commission on, for the commission tests.

Teams Motor desk (agent Ann, her team leader Lee, manager Meg) and Marine
desk (agent Bob). The test carrier (``TEST``) pays, carrier-wide, 10 %
first-year and 5 % renewal, all to the agent; on the product "Fleet motor"
its own rule pays 20 % first-year and 8 % renewal, 75 % of it to the agent
and 10 % of it to the team leader on top. "Home cover" (same carrier) has
no product rule. Another carrier (``BARE``) has no rule at all.

Policies, issued with their schedules (``make_issued_policy``):
- ``P-ANN-1`` Ann's, Fleet motor, term 1, from 2026-01-10, 1,200.00 a year;
- ``P-ANN-R`` Ann's, Fleet motor, term 2 (renewal), from 2026-01-01;
- ``P-ANN-H`` Ann's, Home cover, term 1, from 2026-01-10;
- ``P-BOB-1`` Bob's, Fleet motor, term 1, from 2026-01-15, 2,400.00 a year.

:func:`pay` records a payment row and books its lines, as the payment
service does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.api import Team, db
from plugins.insurance.models import (
    Carrier,
    InsuranceCommissionRule,
    InsuranceProduct,
    PremiumInstalment,
    PremiumPayment,
)
from plugins.insurance.services.commission.lines import book_payment

from .factories import licensed_agent, make_issued_policy, product_named


def pay(policy, amount: str, paid_on: date, instalment: PremiumInstalment | None = None):
    """A payment of ``amount`` on ``paid_on`` (for ``instalment``, else
    none) and the commission lines it books; committed."""
    payment = PremiumPayment(
        policy_id=policy.id,
        instalment_id=instalment.id if instalment else None,
        amount=Decimal(amount),
        paid_on=paid_on,
        method="cash",
        customer_id=policy.customer_id,
        agent_id=policy.agent_id,
        team_id=policy.team_id,
        currency=policy.currency,
    )
    db.session.add(payment)
    db.session.flush()
    lines = book_payment(payment)
    db.session.commit()
    return payment, lines


def first_instalment(policy) -> PremiumInstalment:
    return db.session.scalar(
        select(PremiumInstalment)
        .where(PremiumInstalment.policy_id == policy.id)
        .order_by(PremiumInstalment.seq)
    )


def rule(
    carrier_id, product_id, first, renewal, share="1", override="0", start="2020-01-01", end=None
):
    made = InsuranceCommissionRule(
        carrier_id=carrier_id,
        product_id=product_id,
        first_year_rate=Decimal(first),
        renewal_rate=Decimal(renewal),
        agent_share=Decimal(share),
        leader_override=Decimal(override),
        effective_from=date.fromisoformat(start),
        effective_to=date.fromisoformat(end) if end else None,
    )
    db.session.add(made)
    db.session.flush()
    return made


@pytest.fixture
def book(make_user, make_customer):
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    lee = make_user(role="insurance_agent", team=motor, name="Lee Leader")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    meg = make_user(role="manager", team=motor, name="Meg Manager")
    admin = make_user(role="admin", name="Ada Admin")
    licensed_agent(lee, "L-1")
    licensed_agent(ann, "A-1").upline_user_id = lee.id
    licensed_agent(bob, "B-1")
    harbour = make_customer(name="Harbour Freight", owner_id=ann.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id)
    fleet = product_named("Fleet motor")
    home = product_named("Home cover", "property")
    carrier = db.session.get(Carrier, fleet.carrier_id)
    bare = Carrier(code="BARE", name="Bare Insurance")
    db.session.add(bare)
    db.session.flush()
    bare_product = InsuranceProduct(
        carrier_id=bare.id,
        code="B1",
        name="Bare motor",
        line="motor",
        currency="CNY",
        effective_from=date(2000, 1, 1),
    )
    db.session.add(bare_product)
    db.session.flush()
    wide = rule(carrier.id, None, "0.1000", "0.0500")
    own = rule(carrier.id, fleet.id, "0.2000", "0.0800", "0.7500", "0.1000")
    ann1 = make_issued_policy(harbour, ann, "P-ANN-1", date(2026, 1, 10))
    renewal = make_issued_policy(harbour, ann, "P-ANN-R", date(2026, 1, 1), term_no=2)
    house = make_issued_policy(
        harbour, ann, "P-ANN-H", date(2026, 1, 10), product="Home cover", line="property"
    )
    bob1 = make_issued_policy(elsewhere, bob, "P-BOB-1", date(2026, 1, 15), premium="2400.00")
    db.session.commit()
    return SimpleNamespace(
        ann=ann,
        lee=lee,
        bob=bob,
        meg=meg,
        admin=admin,
        motor=motor,
        harbour=harbour,
        elsewhere=elsewhere,
        carrier=carrier,
        bare=bare,
        bare_product=bare_product,
        fleet=fleet,
        home=home,
        wide=wide,
        own=own,
        ann1=ann1,
        renewal=renewal,
        house=house,
        bob1=bob1,
    )
