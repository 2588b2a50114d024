"""Renewals (续保): the next term quoted and priced again at the insured's
new age, the one-step renewal (same number, term 2, predecessor renewed),
one successor only (409), the due list in the caller's scope (lead days,
late days, lost and renewed ones left out), a renewal lost (its reason
required), terms expired once, the yearly continuation of auto-renewing
life terms and the renewal follow-up rule on the new states."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Activity, create_followup_plan, db
from plugins.insurance.models import Cover, Insured, Policy, PolicyTransaction, Rate
from plugins.insurance.services.policies import issuing, quoting
from plugins.insurance.services.policies.renewals import expire_due
from plugins.insurance.services.policies.successors import continue_terms
from plugins.insurance.services.terms import today

from .factories import make_policy, product_named
from .test_renewals_fixtures import book, issued  # noqa: F401

API = "/api/v1/insurance"


def _birth_date_turning_40_within_a_year() -> date:
    """Someone 39 today who is 40 in 100 days (and so at next year's start)."""
    day = today() + timedelta(100)
    if (day.month, day.day) == (2, 29):
        day = day + timedelta(1)
    return day.replace(year=day.year - 40)


def _age_priced_life():
    """Term life priced by age: 1,000.00 a year to 39, 1,500.00 from 40."""
    product = product_named("Age-rated life", "life")
    product.pricing = "table"
    product.frequencies = ["annual"]
    product.cooling_off_days = 15
    if not product.covers:
        product.covers = [Cover(code="DEATH", name="Death", mandatory=True)]
        db.session.add_all(
            [
                Rate(
                    product_id=product.id,
                    cover_code="DEATH",
                    age_from=0,
                    age_to=39,
                    annual_premium=Decimal("1000.00"),
                ),
                Rate(
                    product_id=product.id,
                    cover_code="DEATH",
                    age_from=40,
                    age_to=120,
                    annual_premium=Decimal("1500.00"),
                ),
            ]
        )
    db.session.commit()
    return product


def _issued_life(book) -> Policy:  # noqa: F811
    """A term-life policy quoted, bound and issued today through the services."""
    product = _age_priced_life()
    quote = quoting.create_quote(
        {
            "customer_id": book.harbour.id,
            "product_id": product.id,
            "start_date": today().isoformat(),
            "insured": [
                {
                    "name": "Wang Fang",
                    "birth_date": _birth_date_turning_40_within_a_year().isoformat(),
                }
            ],
            "coverages": [{"code": "DEATH", "sum_insured": "100000.00"}],
        },
        book.ann,
    )
    issuing.bind(quote, book.ann)
    return issuing.issue(quote, book.meg)


def _successor(policy) -> Policy | None:
    return db.session.scalar(select(Policy).where(Policy.predecessor_id == policy.id))


def test_a_renewal_quote_is_priced_again_at_the_new_age(as_user, book):  # noqa: F811
    policy = _issued_life(book)
    assert policy.annual_premium == Decimal("1000.00")
    answer = as_user(book.ann).post(f"{API}/policies/{policy.id}/renewal-quote", json={})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert (body["previous_premium"], body["new_premium"], body["change_percent"]) == (
        "1000.00",
        "1500.00",
        "50.0",
    )
    quote = body["successor"]
    assert quote["status"] == "quoted" and quote["number"] is None and quote["quote_number"]
    assert (quote["term_no"], quote["predecessor_id"]) == (2, policy.id)
    assert quote["start_date"] == (policy.end_date + timedelta(1)).isoformat()
    assert quote["inception_on"] == policy.inception_on.isoformat()
    people = db.session.scalars(select(Insured.person_id).where(Insured.policy_id == quote["id"]))
    assert list(people) == list(
        db.session.scalars(select(Insured.person_id).where(Insured.policy_id == policy.id))
    )
    # asked again: the same quote, priced again, not a second one
    again = as_user(book.ann).post(f"{API}/policies/{policy.id}/renewal-quote", json={})
    assert again.status_code == 201 and again.json["successor"]["id"] == quote["id"]
    wrong = as_user(book.ann).post(
        f"{API}/policies/{policy.id}/renewal-quote",
        json={"start_date": (policy.end_date + timedelta(5)).isoformat()},
    )
    assert wrong.status_code == 422 and "start_date" in wrong.json["errors"]


def test_renewing_in_one_step_keeps_the_number_and_renews_the_old_term(as_user, book):  # noqa: F811
    policy = _issued_life(book)
    refused = as_user(book.ann).post(f"{API}/policies/{policy.id}/renew", json={})
    assert refused.status_code == 403  # issuing is a manager's
    assert _successor(policy) is None  # nothing of it stayed
    answer = as_user(book.meg).post(
        f"{API}/policies/{policy.id}/renew", json={"version": policy.version}
    )
    assert answer.status_code == 201, answer.json
    term = answer.json["successor"]
    assert (term["number"], term["term_no"], term["status"]) == (policy.number, 2, "in_force")
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "renewed"
    kinds = db.session.scalars(
        select(PolicyTransaction.kind).where(PolicyTransaction.policy_id == term["id"])
    )
    assert list(kinds) == ["renewal"]
    twice = as_user(book.meg).post(f"{API}/policies/{policy.id}/renew", json={})
    assert twice.status_code == 409


def test_a_term_has_one_successor(as_user, book):  # noqa: F811
    policy = issued(book.harbour, book.ann, "P-ONE", today() - timedelta(300))
    taken = make_policy(
        book.harbour,
        book.ann,
        "P-ONE",
        policy.end_date + timedelta(1),
        policy.end_date + timedelta(365),
        term_no=2,
        predecessor_id=policy.id,
    )
    db.session.commit()
    answer = as_user(book.ann).post(f"{API}/policies/{policy.id}/renewal-quote", json={})
    assert answer.status_code == 409, answer.json
    count = db.session.scalar(
        select(func.count()).select_from(Policy).where(Policy.predecessor_id == policy.id)
    )
    assert count == 1 and taken.id


def test_a_declined_renewal_quote_lets_the_term_be_quoted_again(as_user, book):  # noqa: F811
    """The customer said no to the first renewal quote (cancelled); a new
    quote is a new successor, and the term still has one open successor."""
    policy = _issued_life(book)
    first = as_user(book.ann).post(f"{API}/policies/{policy.id}/renewal-quote", json={})
    assert first.status_code == 201
    quote = db.session.get(Policy, first.json["successor"]["id"])
    declined = as_user(book.ann).post(
        f"{API}/policies/{quote.id}/transitions",
        json={"action": "cancel", "version": quote.version, "reason": "declined"},
    )
    assert declined.status_code == 200, declined.json
    second = as_user(book.ann).post(f"{API}/policies/{policy.id}/renewal-quote", json={})
    assert second.status_code == 201, second.json
    assert second.json["successor"]["id"] != quote.id
    statuses = db.session.scalars(
        select(Policy.status).where(Policy.predecessor_id == policy.id).order_by(Policy.id)
    )
    assert list(statuses) == ["cancelled", "quoted"]


def _term(book, customer, agent, number, ends_in, **fields) -> Policy:  # noqa: F811
    end = today() + timedelta(ends_in)
    return make_policy(
        customer, agent, number, end - timedelta(364), end, team_id=agent.team_id, **fields
    )


@pytest.fixture
def due(book):  # noqa: F811
    rows = {
        "due": _term(book, book.harbour, book.ann, "P-DUE", 10),
        "grace": _term(book, book.harbour, book.ann, "P-GRACE", 5, status="grace"),
        "later": _term(book, book.harbour, book.ann, "P-LATER", 90),
        "late": _term(book, book.harbour, book.ann, "P-LATE", -10, status="expired"),
        "gone": _term(book, book.harbour, book.ann, "P-GONE", -60, status="expired"),
        "lost": _term(
            book, book.harbour, book.ann, "P-LOST", 12, renewal_outcome="lost", lost_reason="price"
        ),
        "quoted": _term(book, book.harbour, book.ann, "P-QUOTED", 15),
        "bob": _term(book, book.elsewhere, book.bob, "P-BOB", 10),
    }
    db.session.flush()
    nxt = make_policy(
        book.harbour,
        book.ann,
        None,
        rows["quoted"].end_date + timedelta(1),
        rows["quoted"].end_date + timedelta(365),
        status="quoted",
        term_no=2,
        predecessor_id=rows["quoted"].id,
    )
    nxt.quote_number = "BJ-NEXT"
    db.session.commit()
    return rows


def _numbers(answer) -> list[str]:
    assert answer.status_code == 200, answer.json
    return [row["number"] for row in answer.json["items"]]


def test_the_due_list_is_the_callers_scope(as_user, book, due):  # noqa: F811
    ann = as_user(book.ann)
    assert _numbers(ann.get(f"{API}/renewals")) == ["P-LATE", "P-GRACE", "P-DUE"]
    assert _numbers(ann.get(f"{API}/renewals?within=100")) == [
        "P-LATE",
        "P-GRACE",
        "P-DUE",
        "P-LATER",
    ]
    first = ann.get(f"{API}/renewals").json["items"][1]
    assert (first["days_left"], first["customer"], first["status"]) == (
        5,
        "Harbour Freight",
        "grace",
    )
    assert _numbers(as_user(book.meg).get(f"{API}/renewals")) == ["P-LATE", "P-GRACE", "P-DUE"]
    assert _numbers(as_user(book.bob).get(f"{API}/renewals")) == ["P-BOB"]
    assert _numbers(ann.get(f"{API}/renewals?agent_id={book.bob.id}")) == []
    # another agent's term is out of sight: 404 for every renewal move
    bob_id = due["bob"].id
    assert (
        ann.post(f"{API}/renewals/{bob_id}/lost", json={"lost_reason": "price"}).status_code == 404
    )
    assert ann.post(f"{API}/policies/{bob_id}/renewal-quote", json={}).status_code == 404
    assert ann.post(f"{API}/policies/{bob_id}/renew", json={}).status_code == 404


def test_a_lost_renewal_needs_its_reason_and_leaves_the_list(as_user, book, due, run_due):  # noqa: F811
    create_followup_plan(
        {"name": "Renewals", "rule": "insurance_renewal", "params": {"days_before": 30}}, None
    )
    run_due()
    task = db.session.scalar(
        select(Activity).where(Activity.link_id == due["due"].id, Activity.plan_id.is_not(None))
    )
    assert task is not None and task.done_at is None
    ann = as_user(book.ann)
    url = f"{API}/renewals/{due['due'].id}/lost"
    for body in ({}, {"lost_reason": "bored"}):
        refused = ann.post(url, json=body)
        assert refused.status_code == 422 and "lost_reason" in refused.json["errors"]
    answer = ann.post(url, json={"lost_reason": "competitor", "lost_note": "Cheaper at PingAn"})
    assert answer.status_code == 200, answer.json
    policy = db.session.get(Policy, due["due"].id)
    db.session.refresh(policy)
    assert (policy.renewal_outcome, policy.lost_reason, policy.lost_note) == (
        "lost",
        "competitor",
        "Cheaper at PingAn",
    )
    assert policy.status == "in_force"  # it still runs to its end
    assert "P-DUE" not in _numbers(ann.get(f"{API}/renewals"))
    db.session.refresh(task)
    assert task.done_at is not None


def test_the_renewal_rule_skips_lost_and_renewed_terms(book, due, run_due):  # noqa: F811
    create_followup_plan(
        {"name": "Renewals", "rule": "insurance_renewal", "params": {"days_before": 30}}, None
    )
    assert run_due().created == 3  # P-DUE, P-GRACE (in grace) and Bob's
    linked = set(db.session.scalars(select(Activity.link_id).where(Activity.plan_id.is_not(None))))
    assert linked == {due["due"].id, due["grace"].id, due["bob"].id}
    assert run_due().created == 0


def test_ended_terms_expire_once(book):  # noqa: F811
    ended = _term(book, book.harbour, book.ann, "P-ENDED", -1)
    ending = _term(book, book.harbour, book.ann, "P-TODAY", 0)
    lapsed = _term(book, book.harbour, book.ann, "P-LAPSE", -5, status="lapsed")
    db.session.commit()
    version = ended.version
    assert expire_due(today()) == 1
    assert expire_due(today()) == 0
    db.session.expire_all()
    assert [db.session.get(Policy, p.id).status for p in (ended, ending, lapsed)] == [
        "expired",
        "in_force",
        "lapsed",
    ]
    assert db.session.get(Policy, ended.id).version == version + 1
    audited = db.session.execute(
        select(func.count())
        .select_from(db.metadata.tables["audit_entry"])
        .where(
            db.metadata.tables["audit_entry"].c.entity == "insurance_policy",
            db.metadata.tables["audit_entry"].c.entity_id == ended.id,
            db.metadata.tables["audit_entry"].c.action == "expire",
        )
    ).scalar()
    assert audited == 1


def test_auto_renewing_life_terms_continue_each_year(book):  # noqa: F811
    yearly = {"auto_renew": True, "cooling_off_days": 15}
    soon = issued(
        book.harbour,
        book.ann,
        "P-YEAR",
        today() - timedelta(345),
        premium="2400.00",
        product="Yearly life",
        line="life",
        product_fields=yearly,
    )
    later = issued(
        book.harbour,
        book.ann,
        "P-YEAR-LATER",
        today() - timedelta(200),
        premium="2400.00",
        product="Yearly life",
        line="life",
    )
    assert continue_terms(today()) == 1
    assert continue_terms(today()) == 0
    db.session.expire_all()
    nxt = _successor(soon)
    assert nxt is not None and _successor(later) is None
    assert (nxt.number, nxt.term_no, nxt.status, nxt.annual_premium) == (
        "P-YEAR",
        2,
        "in_force",
        Decimal("2400.00"),
    )
    assert nxt.start_date == soon.end_date + timedelta(1)
    assert db.session.get(Policy, soon.id).status == "renewed"
