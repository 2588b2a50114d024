"""Where outpatient claims are seen: the policy's page lists its claims
(links, cause, status, amounts, totals) through the scoped claims query,
and the claims API shows ``cause``, ``source`` and ``source_id`` (read
only) and filters by cause."""

from __future__ import annotations

import re

from core.api import db

from .test_outpatient_coverage import cash, claims_of, desk, insurance, insure  # noqa: F401


def _ordinary_claim(api, policy) -> dict:
    made = api.post(
        "/api/v1/insurance/claims",
        json={
            "policy_id": policy.id,
            "loss_date": policy.start_date.isoformat(),
            "claimed_amount": "500.00",
            "description": "Inpatient stay",
        },
    )
    assert made.status_code == 201, made.json
    return made.json


def test_the_policy_page_lists_its_claims(desk, login_as):
    policy = insure(desk.patient)
    other = insure(desk.patient, number="HL-9")
    paid = desk.pay(desk.patient, desk.owe(desk.patient, ("drug", "100.00")), insurance(),
                    cash("20.00"))  # fmt: skip
    assert paid.status_code == 201
    [claim] = claims_of(policy) or claims_of(other)
    admin = login_as(desk.admin)
    page = admin.get(f"/insurance/policies/{claim.policy_id}").get_data(as_text=True)
    section = page[page.index('id="claims"') :]
    assert f'href="/insurance/claims/{claim.id}">{claim.number}</a>' in section
    row = section[: section.index("</tr>", section.index(claim.number))]
    assert "Outpatient" in row and "Paid" in row
    assert re.search(r"100\.00", row) and re.search(r"80\.00", row)
    assert re.search(r"Total</th><td[^>]*>[^<]*100\.00[^<]*</td><td[^>]*>[^<]*80\.00", section)
    empty = other if claim.policy_id == policy.id else policy
    bare = admin.get(f"/insurance/policies/{empty.id}").get_data(as_text=True)
    assert "No claims on this policy." in bare and claim.number not in bare


def test_the_claims_api_shows_the_cause_and_source_and_filters_by_cause(desk, as_user):
    policy = insure(desk.patient)
    paid = desk.pay(desk.patient, desk.owe(desk.patient, ("drug", "10.00")), insurance(),
                    cash("2.00"))  # fmt: skip
    api = as_user(desk.admin)
    ordinary = _ordinary_claim(api, policy)
    assert (ordinary["cause"], ordinary["source"], ordinary["source_id"]) == (None, None, None)
    [outpatient] = [c for c in claims_of(policy) if c.cause]
    listed = api.get("/api/v1/insurance/claims?cause=outpatient").json
    assert [(c["number"], c["cause"], c["source"], c["source_id"]) for c in listed["items"]] == [
        (outpatient.number, "outpatient", "his_payment", paid.json["id"])
    ]
    everything = api.get(f"/api/v1/insurance/claims?policy_id={policy.id}").json
    assert everything["total"] == 2
    wrong = api.get("/api/v1/insurance/claims?cause=flood")
    assert wrong.status_code == 422 and "cause" in wrong.json["errors"]
    # read only: a change asks for a move, and a report naming a cause is refused
    sneaky = api.post(
        "/api/v1/insurance/claims",
        json={
            "policy_id": policy.id,
            "loss_date": policy.start_date.isoformat(),
            "claimed_amount": "5.00",
            "description": "x",
            "cause": "outpatient",
            "source": "his_payment",
            "source_id": 1,
        },
    )
    assert sneaky.status_code == 422
    db.session.expire_all()
    assert len(claims_of(policy)) == 2
