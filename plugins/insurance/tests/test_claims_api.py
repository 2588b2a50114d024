"""``/api/v1/insurance/claims``: reporting (201, 422 naming the field, 404
for a policy out of scope), the list in the caller's scope and its filters,
a claim with its events and moves (every open audited), another agent's
claim a 404, a move (409 stale or illegal, 422 by field, 403 without the
permission), and the routes in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from core.api import db
from plugins.insurance.models import Claim

from .claim_fixtures import book, claim_in, report  # noqa: F401


def _body(book, policy=None, **fields):
    return {
        "policy_id": (policy or book.live).id,
        "loss_date": (book.day - timedelta(3)).isoformat(),
        "claimed_amount": "2500.00",
        "description": "Hail on the roof",
        **fields,
    }


def test_an_agent_reports_a_claim(as_user, book):  # noqa: F811
    answer = as_user(book.ann).post("/api/v1/insurance/claims", json=_body(book))
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "reported" and answer.json["reserve"] == "2500.00"
    assert answer.json["policy_number"] == "P-CL-LIVE" and answer.json["number"].startswith("LP-")


@pytest.mark.parametrize(
    ("policy", "fields", "status", "field"),
    [
        ("lapsed", {"loss_date": "days:10"}, 422, "policy_id"),
        ("future", {}, 422, "policy_id"),
        ("live", {"claimed_amount": "0"}, 422, "claimed_amount"),
        ("live", {"loss_date": "yesterday"}, 422, "loss_date"),
        ("theirs", {}, 404, "policy_id"),
    ],
)
def test_a_refused_report_names_the_field(as_user, book, policy, fields, status, field):  # noqa: F811
    if fields.get("loss_date", "").startswith("days:"):
        fields["loss_date"] = (book.day - timedelta(int(fields["loss_date"][5:]))).isoformat()
    answer = as_user(book.ann).post(
        "/api/v1/insurance/claims", json=_body(book, getattr(book, policy), **fields)
    )
    assert answer.status_code == status and field in answer.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 0


def test_the_list_is_the_callers_scope_narrowed(as_user, book):  # noqa: F811
    mine = report(book)
    claim_in(book, "assessing")
    theirs = report(book, book.theirs, book.bob)
    api = as_user(book.ann)
    listed = api.get("/api/v1/insurance/claims").json["items"]
    assert theirs.number not in [c["number"] for c in listed] and len(listed) == 2
    assert [
        c["number"] for c in api.get("/api/v1/insurance/claims?status=reported").json["items"]
    ] == [mine.number]
    assert api.get(f"/api/v1/insurance/claims?q={mine.number}").json["items"][0]["id"] == mine.id
    assert len(api.get("/api/v1/insurance/claims?q=harbour").json["items"]) == 2
    assert api.get(f"/api/v1/insurance/claims?policy_id={book.theirs.id}").json["items"] == []
    assert api.get("/api/v1/insurance/claims?status=lost").status_code == 422
    everyone = as_user(book.assessor).get("/api/v1/insurance/claims").json["items"]
    assert len(everyone) == 3


def test_a_claim_opens_with_its_events_and_moves_and_the_open_is_audited(as_user, book):  # noqa: F811
    claim = claim_in(book, "assessing")
    answer = as_user(book.ann).get(f"/api/v1/insurance/claims/{claim.id}")
    assert answer.status_code == 200
    assert [e["action"] for e in answer.json["events"]] == ["report", "submit", "assess"]
    assert answer.json["allowed_actions"] == ["request_documents"]  # an agent does not decide
    moves = as_user(book.assessor).get(f"/api/v1/insurance/claims/{claim.id}/transitions").json
    assert [m["action"] for m in moves["moves"]] == [
        "request_documents",
        "approve",
        "approve_partially",
        "reject",
    ]
    assert moves["version"] == claim.version
    as_user(book.assessor).get(f"/api/v1/insurance/claims/{claim.id}")
    viewers = db.session.execute(
        text(
            "SELECT user_id FROM audit_entry WHERE entity = 'insurance_claim'"
            " AND entity_id = :i AND action = 'view' ORDER BY id"
        ),
        {"i": claim.id},
    ).scalars()
    assert list(viewers) == [book.ann.id, book.assessor.id]


def test_another_agents_claim_is_not_found(as_user, book):  # noqa: F811
    theirs = report(book, book.theirs, book.bob)
    api = as_user(book.ann)
    for path in ("", "/transitions"):
        assert api.get(f"/api/v1/insurance/claims/{theirs.id}{path}").status_code == 404
    moved = api.post(
        f"/api/v1/insurance/claims/{theirs.id}/transitions",
        json={"action": "submit", "version": theirs.version},
    )
    assert moved.status_code == 404
    assert as_user(book.bob).get(f"/api/v1/insurance/claims/{theirs.id}").status_code == 200


def test_a_move_through_the_api(as_user, book):  # noqa: F811
    claim = claim_in(book, "assessing")
    api, url = as_user(book.assessor), f"/api/v1/insurance/claims/{claim.id}/transitions"
    stale = api.post(
        url,
        json={"action": "reject", "version": claim.version - 1, "reject_code": "R1", "reason": "x"},
    )
    assert stale.status_code == 409
    illegal = api.post(url, json={"action": "pay", "version": claim.version})
    assert illegal.status_code == 409 and illegal.json["allowed_actions"] == [
        "request_documents",
        "approve",
        "approve_partially",
        "reject",
    ]
    missing = api.post(url, json={"action": "reject", "version": claim.version, "reason": "x"})
    assert missing.status_code == 422 and "reject_code" in missing.json["errors"]
    unknown = api.post(url, json={"action": "explode", "version": claim.version})
    assert unknown.status_code == 422 and "action" in unknown.json["errors"]
    forbidden = as_user(book.ann).post(url, json={"action": "approve", "version": claim.version})
    assert forbidden.status_code == 403
    done = api.post(
        url,
        json={
            "action": "approve_partially",
            "version": claim.version,
            "approved_amount": "400.00",
            "reason": "Half",
        },
    )
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["approved_amount"], done.json["reserve"]) == (
        "partially_approved",
        "400.00",
        "400.00",
    )
    paid = api.post(
        url,
        json={"action": "pay", "version": done.json["version"], "paid_on": book.day.isoformat()},
    )
    assert (
        paid.status_code == 200
        and paid.json["paid_amount"] == "400.00"
        and paid.json["reserve"] == "0.00"
    )


def test_the_claims_routes_are_in_the_openapi_document(client, book):  # noqa: F811
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/insurance/claims",
        "/api/v1/insurance/claims/{claim_id}",
        "/api/v1/insurance/claims/{claim_id}/transitions",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/insurance/claims/{claim_id}/transitions"]) >= {"get", "post"}
