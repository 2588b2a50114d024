"""Quotes through the API: a quote made, priced, numbered and listed; a bad
one refused by its field, nothing saved; life beneficiaries' shares; a
quote revised, edited as a draft and priced again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.insurance.models import Person, Policy
from plugins.insurance.services.terms import today

from .policy_fixtures import API, GOOD_ID, book, make_quote, move, quote_body  # noqa: F401

# --- quotes -------------------------------------------------------------------------------


def test_a_quote_is_priced_numbered_and_listed(as_user, book):
    answer = as_user(book.ann).post(f"{API}/quotes", json=quote_body(book))
    assert answer.status_code == 201, answer.json
    body = answer.json
    start = today()
    assert body["status"] == "quoted" and body["quote_number"].startswith("BJ-")
    assert body["number"] is None
    assert (body["annual_premium"], body["term_premium"], body["sum_insured"]) == (
        "1800.00",
        "1800.00",
        "150000.00",
    )
    assert body["end_date"] == (start.replace(year=start.year + 1) - timedelta(1)).isoformat()
    assert body["quote_valid_until"] == (start + timedelta(30)).isoformat()
    assert [c["cover_code"] for c in body["coverages"]] == ["TPL", "OD"]
    assert body["coverages"][1]["deductible"] == "500.00"  # the cover's default
    assert body["insured"][0]["name"] == "Wang Fang"
    assert body["insured"][0]["national_id_tail"] == GOOD_ID[-4:]
    person = db.session.get(Person, body["insured"][0]["id"])
    assert person.national_id == GOOD_ID and person.national_id_lookup  # encrypted, hashed
    listed = as_user(book.ann).get(f"{API}/quotes").json["items"]
    assert [q["id"] for q in listed] == [body["id"]]
    assert as_user(book.bob).get(f"{API}/quotes").json["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"frequency": "quarterly"}, "frequency"),  # not one of the product's
        ({"coverages": [{"code": "OD", "sum_insured": "150000.00"}]}, "covers"),  # TPL mandatory
        (
            {"insured": [{"name": "Li", "birth_date": "1985-03-07", "national_id": "1101051985"}]},
            "insured.0.national_id",
        ),
        (
            {"insured": [{"name": "Li", "birth_date": "1985-03-08", "national_id": GOOD_ID}]},
            "insured.0.national_id",
        ),  # the number's birth date is another day
        (
            {"beneficiaries": [{"name": "Wang Lei", "share": "100.00"}]},
            "beneficiaries",
        ),  # motor names none
        ({"insured": [{"person_id": 999999}]}, "insured.0.person_id"),
    ],
)
def test_a_bad_quote_is_refused_by_its_field(as_user, book, change, field):
    answer = as_user(book.ann).post(f"{API}/quotes", json=quote_body(book, **change))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Policy)) == 0


def test_life_beneficiary_shares_must_make_100_per_rank(as_user, book):
    body = quote_body(book, product_id=book.life.id, frequency="annual", objects=[])
    body["beneficiaries"] = [
        {"name": "Wang Lei", "share": "60.00"},
        {"name": "Wang Mei", "share": "30.00"},
    ]
    refused = as_user(book.ann).post(f"{API}/quotes", json=body)
    assert refused.status_code == 422 and "beneficiaries" in refused.json["errors"]
    body["beneficiaries"][1]["share"] = "40.00"
    body["beneficiaries"].append({"name": "Wang Jun", "rank": 2, "share": "100.00"})
    made = as_user(book.ann).post(f"{API}/quotes", json=body)
    assert made.status_code == 201, made.json
    assert [(b["rank"], b["share"]) for b in made.json["beneficiaries"]] == [
        (1, "60.00"),
        (1, "40.00"),
        (2, "100.00"),
    ]


def test_revise_makes_a_quote_editable_and_quote_prices_it_again(as_user, book):
    policy = make_quote(book)
    client = as_user(book.ann)
    refused = client.patch(
        f"{API}/policies/{policy.id}", json={"version": policy.version, "frequency": "annual"}
    )
    assert refused.status_code == 409  # only a draft is edited
    assert move(client, policy, "revise").json["status"] == "draft"
    db.session.refresh(policy)
    edited = client.patch(
        f"{API}/policies/{policy.id}",
        json={"version": policy.version, "frequency": "annual", "coverages": [{"code": "TPL"}]},
    )
    assert edited.status_code == 200, edited.json
    priced = move(client, policy, "quote")
    assert priced.status_code == 200, priced.json
    assert priced.json["status"] == "quoted" and priced.json["annual_premium"] == "1200.00"
    assert priced.json["frequency"] == "annual"
    assert priced.json["quote_number"] == policy.quote_number  # the number stays
