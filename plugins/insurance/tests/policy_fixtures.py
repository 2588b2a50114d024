"""A small motor and life book to quote on, for the policy life-cycle
tests: agents Ann (Motor desk) and Bob, manager Meg of Ann's team, Ann's
customer Harbour Freight and Bob's Elsewhere Ltd, a priced motor product
and a term-life product that needs a callback. And :func:`quote_body`,
:func:`make_quote` and :func:`move` (a move through the API)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.api import Team, db
from plugins.insurance.models import Policy
from plugins.insurance.services.policies import quoting
from plugins.insurance.services.terms import today

from .factories import licensed_agent, priced_product

API = "/api/v1/insurance"
GOOD_ID = "110105198503071230"  # born 1985-03-07
OTHER_ID = "110105199001014564"  # born 1990-01-01


@pytest.fixture
def book(make_user, make_customer):
    team = Team(name="Motor desk")
    db.session.add(team)
    db.session.commit()
    ann = make_user(role="insurance_agent", team=team, name="Ann Agent")
    bob = make_user(role="insurance_agent", name="Bob Agent")
    meg = make_user(role="manager", team=team, name="Meg Manager")
    licensed_agent(ann, "A1")
    licensed_agent(bob, "B1")
    harbour = make_customer(name="Harbour Freight", owner_id=ann.id)
    elsewhere = make_customer(name="Elsewhere Ltd", owner_id=bob.id)
    motor = priced_product(backdate_days=0, cooling_off_days=15)
    life = priced_product(
        "Term life", "life", frequencies=("annual",), cooling_off_days=15, callback_required=True
    )
    db.session.commit()
    return SimpleNamespace(
        ann=ann, bob=bob, meg=meg, harbour=harbour, elsewhere=elsewhere, motor=motor, life=life
    )


def quote_body(book, **given) -> dict:
    """A motor quote for Harbour Freight from today: TPL 1,200.00 + OD on
    150,000.00 at 4 ‰ (600.00) = 1,800.00 a year, paid monthly."""
    return {
        "customer_id": book.harbour.id,
        "product_id": book.motor.id,
        "start_date": today().isoformat(),
        "frequency": "monthly",
        "insured": [{"name": "Wang Fang", "birth_date": "1985-03-07", "national_id": GOOD_ID}],
        "objects": [
            {"kind": "vehicle", "description": "Sedan", "plate": "沪A12345", "vehicle_class": "car"}
        ],
        "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}],
        **given,
    }


def make_quote(book, actor=None, **given) -> Policy:
    return quoting.create_quote(quote_body(book, **given), actor or book.ann)


def move(client, policy, action, **body):
    db.session.refresh(policy)
    return client.post(
        f"{API}/policies/{policy.id}/transitions",
        json={"action": action, "version": policy.version, **body},
    )
