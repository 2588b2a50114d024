"""A small book to claim on, for the claims tests: agent Ann's customer
with a term in force, a lapsed one (lapse 30 days ago), a reinstated one
(uncovered 60 to 40 days ago), one not yet effective and one that ended;
agent Bob's customer with his term; an assessor and a manager. And
:func:`claim_in`, a claim walked to a state through the service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.api import Team, db
from plugins.insurance.models import PolicyTransaction
from plugins.insurance.services.claims import report_claim, transition
from plugins.insurance.services.claims.events import today

from .factories import make_policy

#: the moves that bring a new claim to each state
PATHS = {
    "reported": (),
    "documents_pending": ("request_documents",),
    "submitted": ("submit",),
    "assessing": ("submit", "assess"),
    "approved": ("submit", "assess", "approve"),
    "partially_approved": ("submit", "assess", "approve_partially"),
    "rejected": ("submit", "assess", "reject"),
    "paid": ("submit", "assess", "approve", "pay"),
    "closed": ("submit", "assess", "approve", "pay", "close"),
}
#: what each move carries when it needs something
INPUTS = {
    "approve_partially": {"approved_amount": "600.00", "reason": "Only the bumper was covered"},
    "reject": {"reject_code": "R01", "reason": "Wear and tear"},
    "appeal": {"reason": "The assessor missed the invoice"},
    "reopen": {"reason": "A second invoice came"},
}


def _lapse(policy, seq: int, kind: str, effective, **extra) -> None:
    db.session.add(
        PolicyTransaction(
            policy_id=policy.id,
            seq=seq,
            kind=kind,
            effective_on=effective,
            booked_on=effective,
            premium_delta=Decimal("0"),
            annual_premium_after=policy.annual_premium,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            line=policy.line,
            currency=policy.currency,
            **extra,
        )
    )


@pytest.fixture
def book(make_user, make_customer):
    motor, marine = Team(name="Motor desk"), Team(name="Marine desk")
    db.session.add_all([motor, marine])
    db.session.commit()
    ann = make_user(role="insurance_agent", team=motor, name="Ann Agent")
    bob = make_user(role="insurance_agent", team=marine, name="Bob Agent")
    assessor = make_user(role="claims_assessor", name="Ada Assessor")
    manager = make_user(role="manager", team=motor, name="Meg Manager")
    day = today()
    harbour = make_customer(name="Harbour Freight", owner_id=ann.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id)

    def term(customer, agent, number, start, end, **fields):
        return make_policy(
            customer,
            agent,
            number,
            day + timedelta(start),
            day + timedelta(end),
            team_id=agent.team_id,
            **fields,
        )

    live = term(harbour, ann, "P-CL-LIVE", -100, 265)
    lapsed = term(harbour, ann, "P-CL-LAPSED", -300, 65, status="lapsed")
    back = term(harbour, ann, "P-CL-BACK", -300, 65)
    future = term(harbour, ann, "P-CL-FUTURE", 10, 375)
    ended = term(harbour, ann, "P-CL-ENDED", -400, -35, status="expired")
    theirs = term(elsewhere, bob, "P-CL-BOB", -100, 265)
    db.session.flush()
    _lapse(lapsed, 1, "lapse", day - timedelta(30))
    _lapse(back, 1, "lapse", day - timedelta(60))
    _lapse(
        back,
        2,
        "reinstatement",
        day - timedelta(40),
        gap_from=day - timedelta(60),
        gap_to=day - timedelta(40),
    )
    db.session.commit()
    return SimpleNamespace(
        ann=ann,
        bob=bob,
        assessor=assessor,
        manager=manager,
        harbour=harbour,
        live=live,
        lapsed=lapsed,
        back=back,
        future=future,
        ended=ended,
        theirs=theirs,
        day=day,
    )


def report(book, policy=None, actor=None, **fields):
    """A claim of 1,000.00 on ``policy`` (the live term) for a loss 5 days ago."""
    policy = policy or book.live
    data = {
        "policy_id": policy.id,
        "loss_date": (book.day - timedelta(5)).isoformat(),
        "claimed_amount": "1000.00",
        "description": "Rear-ended at a red light",
        **fields,
    }
    return report_claim(data, actor or book.ann)


def claim_in(book, state: str):
    """A claim reported by Ann and moved to ``state`` by the manager."""
    claim = report(book)
    for action in PATHS[state]:
        transition(claim, action, book.manager, INPUTS.get(action, {}), claim.version)
    return claim
