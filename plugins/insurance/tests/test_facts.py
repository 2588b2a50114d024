"""Insurance's customer facts and money event (services/facts.py), read
through core's readers as analysis reads them: policies and claims of the
claims book (claim_fixtures), claims moved through the claim service,
premiums paid, reversed and refunded through the premium and cancellation
services — figures checked against counts and sums made by hand, with
records in the recycle bin left out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from core.api import customer_facts, db, instance_currency, journey_steps, money_rows, utcnow
from plugins.insurance.models import PremiumPayment
from plugins.insurance.services.policies.cancellation import cancel
from plugins.insurance.services.premiums import payments

from .claim_fixtures import book, claim_in, report  # noqa: F401
from .factories import make_issued_policy


def noon(day):
    return datetime.combine(day, time(12), tzinfo=UTC)


def values(key):
    return dict(db.session.execute(customer_facts()[key].values()).all())


@pytest.fixture
def payer(book, make_customer):  # noqa: F811
    """Ann's customer with a monthly life term (100.00 a month) started 45
    days ago: paid 100.00 40 days ago and 10 days ago, a third 100.00 reversed,
    then the term cancelled with 30.00 refunded."""
    customer = make_customer(name="Pay Well", owner_id=book.ann.id)
    start = book.day - timedelta(45)
    policy = make_issued_policy(
        customer,
        book.ann,
        "P-FACTS-PAY",
        start,
        frequency="monthly",
        product="Whole life",
        line="life",  # after the cooling-off, the refund is the cash value typed
        cooling_off_ends_on=start + timedelta(15),
        currency=instance_currency(),
    )
    db.session.commit()
    for days_ago in (40, 10):
        payments.record_payment(policy, book.ann, "100.00", book.day - timedelta(days_ago), "cash")
    bounced = payments.record_payment(policy, book.ann, "100.00", book.day, "bank_transfer")
    payments.reverse_payment(bounced, book.ann, "Bounced")
    cancel(policy, book.ann, refund="30.00", reason="Moved abroad")
    refund = db.session.query(PremiumPayment).filter(PremiumPayment.amount < 0).one()
    return customer, refund


def test_policies_in_force_count_live_terms_in_force_or_grace(book, payer):  # noqa: F811
    book.future.deleted_at = utcnow()  # in the recycle bin
    book.back.status = "grace"
    db.session.commit()
    # Harbour: the live term and the one in grace (lapsed, expired, binned left out);
    # Pay Well's term is cancelled
    assert values("insurance.policies_in_force") == {book.harbour.id: 2, book.theirs.customer_id: 1}
    assert customer_facts()["insurance.policies_in_force"].missing == 0


def test_open_claims_count_live_claims_not_closed(book):  # noqa: F811
    for state in ("reported", "assessing", "paid", "closed", "rejected"):
        claim_in(book, state)
    binned = claim_in(book, "submitted")
    binned.deleted_at = utcnow()
    report(book, policy=book.theirs, actor=book.bob)
    db.session.commit()
    assert values("insurance.open_claims") == {book.harbour.id: 4, book.theirs.customer_id: 1}


def test_premiums_paid_and_refunded_are_money_at_noon_utc(book, payer):  # noqa: F811
    customer, refund = payer
    rows = db.session.execute(money_rows(keys={"insurance.premium"})).all()
    got = sorted((r.customer_id, r.occurred_at, Decimal(str(r.amount))) for r in rows)
    assert got == sorted(
        [
            (customer.id, noon(book.day - timedelta(40)), Decimal("100.00")),
            (customer.id, noon(book.day - timedelta(10)), Decimal("100.00")),
            (customer.id, noon(refund.paid_on), Decimal("-30.00")),
        ]
    )
    ten_days_ago = noon(book.day - timedelta(10))
    since = db.session.execute(money_rows(since=ten_days_ago, keys={"insurance.premium"})).all()
    assert sorted(Decimal(str(r.amount)) for r in since) == [Decimal("-30.00"), Decimal("100.00")]
    until = db.session.execute(money_rows(until=ten_days_ago, keys={"insurance.premium"})).all()
    assert [Decimal(str(r.amount)) for r in until] == [Decimal("100.00")]


def test_facts_ask_for_the_policy_and_claim_read_permissions(book, make_user):  # noqa: F811
    assert {"insurance.policies_in_force", "insurance.open_claims"} <= set(customer_facts(book.ann))
    engineer = make_user(role="engineer")
    assert not {"insurance.policies_in_force", "insurance.open_claims"} & set(
        customer_facts(engineer)
    )


def test_journey_steps_are_the_first_policy_renewal_and_claim(book):  # noqa: F811
    """The day of the first live term issued and of the first renewal term
    issued, and the first live claim's report; binned records count nowhere."""
    day = book.day
    book.ended.issued_on = day - timedelta(400)
    book.back.issued_on = day - timedelta(300)
    book.live.issued_on, book.live.predecessor_id = day - timedelta(100), book.ended.id
    book.future.issued_on, book.future.deleted_at = day - timedelta(500), utcnow()
    book.theirs.issued_on = day - timedelta(90)
    db.session.commit()
    binned = report(book)
    binned.reported_at, binned.deleted_at = utcnow() - timedelta(days=50), utcnow()
    first = report(book)
    theirs = report(book, policy=book.theirs, actor=book.bob)
    db.session.commit()

    def reached(key):
        return dict(db.session.execute(journey_steps()[key].reached()).all())

    harbour, elsewhere = book.harbour.id, book.theirs.customer_id
    assert reached("insurance.policy") == {
        harbour: noon(day - timedelta(400)),
        elsewhere: noon(day - timedelta(90)),
    }
    assert reached("insurance.renewal") == {harbour: noon(day - timedelta(100))}
    assert reached("insurance.claim") == {harbour: first.reported_at, elsewhere: theirs.reported_at}
    steps = journey_steps(book.assessor)  # claims, not policies
    assert "insurance.claim" in steps and "insurance.policy" not in steps
    orders = [journey_steps()[k].order for k in ("insurance.policy", "insurance.renewal")]
    assert orders == [45, 70]
