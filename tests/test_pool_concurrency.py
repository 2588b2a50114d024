"""Claims from the customer pool (公海) made at the same moment, each on its
own connection: the claim limit and "one owner per customer" hold in the
database, not only in one request's reading of it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.errors import ValidationError
from core.extensions import db
from core.models import Customer, PoolRule, User
from core.services.pool import claim

LIMIT = 4


@pytest.fixture
def rule(db):
    row = PoolRule(team_id=None, claim_limit=LIMIT, cool_off_days=0)
    db.session.add(row)
    db.session.commit()
    return row


def claim_at_once(app, pairs: list[tuple[int, int]]) -> list[str]:
    """Each ``(user id, customer id)`` claimed by its own thread, in its own
    app context and session, all let go together; the outcome of each: "claimed",
    the refusal's message, or the unexpected exception."""
    start, outcomes = threading.Barrier(len(pairs)), []

    def claim_one(user_id: int, customer_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                customer = db.session.get(Customer, customer_id)
                start.wait(timeout=10)
                claim(customer, user)
                outcomes.append("claimed")
            except ValidationError as exc:
                outcomes.append(exc.summary)
            except Exception as exc:  # noqa: BLE001 (asserted by the callers)
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim_one, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def owned_by(user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.owner_id == user_id)
    )


@pytest.mark.parametrize("already_owned", [0, 2])
def test_parallel_claims_stop_at_the_claim_limit(
    app, rule, make_user, make_customer, already_owned
):
    """Six claims of six pool customers by one rep at once, limit four: the
    rep owns four; every other claim is refused with the limit's message."""
    rep_id = make_user().id
    for _ in range(already_owned):
        make_customer(owner_id=rep_id)
    pool_ids = [make_customer().id for _ in range(6)]
    db.session.commit()

    outcomes = claim_at_once(app, [(rep_id, cid) for cid in pool_ids])

    assert len(outcomes) == 6, outcomes
    refused = [o for o in outcomes if o != "claimed"]
    assert len(refused) == 6 - (LIMIT - already_owned), outcomes
    assert all(f"you already own {LIMIT} customers" in o for o in refused), outcomes
    assert owned_by(rep_id) == LIMIT


def test_reps_claiming_one_customer_at_once_only_one_wins(app, rule, make_user, make_customer):
    """Six reps claim the same pool customer at once: one owns it, the others
    are told it is no longer in the pool."""
    rep_ids = [make_user().id for _ in range(6)]
    customer_id = make_customer().id
    db.session.commit()

    outcomes = claim_at_once(app, [(rep_id, customer_id) for rep_id in rep_ids])

    assert sorted(outcomes) == ["claimed"] + ["this customer is not in the customer pool"] * 5
    db.session.expire_all()
    owner_id = db.session.get(Customer, customer_id).owner_id
    assert owner_id in rep_ids
    assert sum(owned_by(rep_id) for rep_id in rep_ids) == 1
