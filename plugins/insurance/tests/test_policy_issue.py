"""Bind and issue: the number, the premium schedule, the new-business
transaction and its event; the callback date; each guard of bind and issue
refusing by its field; two issues on one version written once; a renewal
term issued after its predecessor."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import StaleVersionError, ValidationError, db
from core.testing import plugin_module
from plugins.insurance.models import (
    Agent,
    Beneficiary,
    Person,
    Policy,
    PolicyTransaction,
    PremiumInstalment,
)
from plugins.insurance.services.policies import issuing, quoting
from plugins.insurance.services.terms import today

from .policy_fixtures import API, GOOD_ID, book, make_quote, move, quote_body  # noqa: F401

# --- bind and issue -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "count", "amounts"), [("monthly", 12, {"150.00"}), ("annual", 1, {"1800.00"})]
)
def test_quote_bind_issue_writes_number_schedule_and_transaction(
    as_user, book, register_plugin, frequency, count, amounts
):
    heard: list[tuple[str, str]] = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_insurance_policy_issued=lambda policy, transaction: heard.append(
                (policy.number, transaction.kind)
            ),
        )
    )
    policy = make_quote(book, frequency=frequency)
    assert move(as_user(book.ann), policy, "bind").json["status"] == "bound"
    assert move(as_user(book.ann), policy, "issue").status_code == 403  # an agent does not issue
    issued = move(as_user(book.meg), policy, "issue")
    assert issued.status_code == 200, issued.json
    db.session.refresh(policy)
    start = policy.start_date
    assert policy.status == "in_force" and policy.number.startswith("BD-")
    assert policy.issued_on == today() and policy.cooling_off_ends_on == today() + timedelta(15)
    assert policy.callback_due_on is None  # the motor product needs no callback
    rows = db.session.scalars(
        select(PremiumInstalment)
        .where(PremiumInstalment.policy_id == policy.id)
        .order_by(PremiumInstalment.seq)
    ).all()
    assert len(rows) == count and {str(r.amount) for r in rows} == amounts
    assert sum(r.amount for r in rows) == Decimal("1800.00")
    step = 12 // count
    for k, row in enumerate(rows):
        month = start.month - 1 + k * step
        assert (row.due_on.year, row.due_on.month) == (start.year + month // 12, month % 12 + 1)
    assert policy.next_due_on == start
    history = issued.json["transactions"]
    assert [(t["kind"], t["premium_delta"], t["effective_on"]) for t in history] == [
        ("new_business", "1800.00", start.isoformat())
    ]
    assert heard == [(policy.number, "new_business")]


def test_a_callback_is_due_three_days_after_issue_within_cooling_off(book):
    body = quote_body(book, product_id=book.life.id, frequency="annual", objects=[])
    policy = quoting.create_quote(body, book.ann)
    issuing.bind(policy, book.ann)
    issuing.issue(policy, book.meg)
    assert policy.callback_due_on == today() + timedelta(3)
    book.life.cooling_off_days = 3
    second = quoting.create_quote(body, book.ann)
    issuing.bind(second, book.ann)
    issuing.issue(second, book.meg)
    assert second.callback_due_on == today() + timedelta(2)  # the day before cooling-off ends


def test_bind_refuses_shares_that_do_not_make_100(as_user, book):
    body = quote_body(book, product_id=book.life.id, frequency="annual", objects=[])
    body["beneficiaries"] = [{"name": "Wang Lei", "share": "100.00"}]
    policy = quoting.create_quote(body, book.ann)
    row = db.session.scalar(select(Beneficiary).where(Beneficiary.policy_id == policy.id))
    row.share = Decimal("90.00")  # as an import of old data left it
    db.session.commit()
    answer = move(as_user(book.ann), policy, "bind")
    assert answer.status_code == 422 and "beneficiaries" in answer.json["errors"]


def test_bind_refuses_a_stored_bad_national_id(as_user, book):
    person = Person(
        customer_id=book.harbour.id,
        name="Zhao Yun",
        national_id="110105198503071239",
        agent_id=book.ann.id,
    )
    db.session.add(person)
    db.session.commit()
    policy = make_quote(book, insured=[{"person_id": person.id}])
    answer = move(as_user(book.ann), policy, "bind")
    assert answer.status_code == 422 and "national_id" in answer.json["errors"]
    assert GOOD_ID[:10] not in answer.text  # the number is never repeated


def test_bind_refuses_an_expired_licence(as_user, book):
    policy = make_quote(book)
    row = db.session.scalar(select(Agent).where(Agent.user_id == book.ann.id))
    row.licence_expires_on = today() - timedelta(1)
    db.session.commit()
    answer = move(as_user(book.ann), policy, "bind")
    assert answer.status_code == 422 and "agent_id" in answer.json["errors"]


def test_bind_and_issue_refuse_a_backdated_start(as_user, book):
    policy = make_quote(book, start_date=(today() - timedelta(1)).isoformat())
    answer = move(as_user(book.ann), policy, "bind")
    assert answer.status_code == 422 and "start_date" in answer.json["errors"]
    book.motor.backdate_days = 5
    db.session.commit()
    assert move(as_user(book.ann), policy, "bind").status_code == 200
    book.motor.backdate_days = 0  # the bound quote aged: issue checks again
    db.session.commit()
    answer = move(as_user(book.meg), policy, "issue")
    assert answer.status_code == 422 and "start_date" in answer.json["errors"]


def test_bind_refuses_an_expired_quote(as_user, book):
    policy = make_quote(book)
    policy.quote_valid_until = today() - timedelta(1)
    db.session.commit()
    answer = move(as_user(book.ann), policy, "bind")
    assert answer.status_code == 422 and "quote_valid_until" in answer.json["errors"]


def test_two_issues_on_one_version_write_once(book):
    policy = make_quote(book)
    issuing.bind(policy, book.ann, policy.version)
    read = policy.version
    issuing.issue(policy, book.meg, read)
    with pytest.raises(StaleVersionError):
        issuing.issue(policy, book.meg, read)
    db.session.rollback()
    kinds = db.session.scalars(
        select(PolicyTransaction.kind).where(PolicyTransaction.policy_id == policy.id)
    ).all()
    assert kinds == ["new_business"]
    count = db.session.scalar(select(func.count()).where(PremiumInstalment.policy_id == policy.id))
    assert count == 12


def test_the_second_issue_through_the_api_is_a_409(as_user, book):
    policy = make_quote(book)
    issuing.bind(policy, book.ann)
    version = policy.version
    client = as_user(book.meg)
    url = f"{API}/policies/{policy.id}/transitions"
    assert client.post(url, json={"action": "issue", "version": version}).status_code == 200
    second = client.post(url, json={"action": "issue", "version": version})
    assert second.status_code == 409
    assert (
        db.session.scalar(select(func.count()).where(PolicyTransaction.policy_id == policy.id)) == 1
    )


def test_issuing_a_renewal_term_moves_the_predecessor(book, register_plugin):
    renewed: list[tuple[int, int]] = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_insurance_policy_renewed=lambda predecessor, successor: renewed.append(
                (predecessor.id, successor.id)
            ),
        )
    )
    first = make_quote(book)
    issuing.bind(first, book.ann)
    issuing.issue(first, book.meg)
    successor = Policy(
        term_no=2,
        predecessor_id=first.id,
        inception_on=first.inception_on,
        customer_id=first.customer_id,
        product_id=first.product_id,
        carrier_id=first.carrier_id,
        line=first.line,
        status="bound",
        frequency="annual",
        annual_premium=Decimal("1900.00"),
        term_premium=Decimal("1900.00"),
        currency=first.currency,
        start_date=first.end_date + timedelta(1),
        end_date=first.end_date.replace(year=first.end_date.year + 1),
        agent_id=first.agent_id,
        team_id=first.team_id,
    )
    db.session.add(successor)
    db.session.commit()
    issuing.issue(successor, book.meg)
    db.session.refresh(first)
    assert first.status == "renewed"
    assert successor.status == "in_force" and successor.number == first.number
    history = db.session.scalars(
        select(PolicyTransaction).where(PolicyTransaction.policy_id == successor.id)
    ).all()
    assert [(t.kind, t.premium_delta) for t in history] == [("renewal", Decimal("1900.00"))]
    assert renewed == [(first.id, successor.id)]


def test_a_renewal_term_must_follow_its_predecessor(book):
    first = make_quote(book)
    issuing.bind(first, book.ann)
    issuing.issue(first, book.meg)
    gap = make_quote(book)
    issuing.bind(gap, book.ann)
    gap.predecessor_id, gap.term_no = first.id, 2
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        issuing.issue(gap, book.meg)
    assert "start_date" in refused.value.errors
