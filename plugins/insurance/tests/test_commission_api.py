"""``/api/v1/insurance/commission-rules`` and ``commission-lines``: rules
(fractions 0–1, no overlapping dates, the version guard), lines in the
caller's scope, and the commission routes in the OpenAPI document. Figures
by hand in the docstrings (fixtures: commission_fixtures,
commission_api_fixtures); carrier statements are in
test_commission_statements_api, agent statements and the leaderboard in
test_agent_statements_api."""

from __future__ import annotations

from plugins.insurance.models import InsuranceCommissionRule

from .commission_api_fixtures import API, count_rows, january
from .commission_fixtures import book  # noqa: F401

# --- rules -------------------------------------------------------------------


def test_a_rule_is_written_read_and_changed(as_user, book):  # noqa: F811
    admin = as_user(book.admin)
    made = admin.post(
        f"{API}/commission-rules",
        json={
            "carrier_id": book.carrier.id,
            "product_id": book.home.id,
            "first_year_rate": "0.15",
            "renewal_rate": "0.05",
            "effective_from": "2026-01-01",
        },
    )
    assert made.status_code == 201, made.json
    assert made.json["agent_share"] == "1.0000" and made.json["leader_override"] == "0.0000"
    assert made.json["first_year_rate"] == "0.1500"
    rule_id, version = made.json["id"], made.json["version"]
    changed = admin.patch(
        f"{API}/commission-rules/{rule_id}", json={"renewal_rate": "0.06", "version": version}
    )
    assert changed.status_code == 200 and changed.json["renewal_rate"] == "0.0600"
    stale = admin.patch(
        f"{API}/commission-rules/{rule_id}", json={"renewal_rate": "0.07", "version": version}
    )
    assert stale.status_code == 409
    listed = as_user(book.ann).get(f"{API}/commission-rules?carrier_id={book.carrier.id}")
    assert listed.status_code == 200 and listed.json["total"] == 3
    refused = as_user(book.ann).post(f"{API}/commission-rules", json={})
    assert refused.status_code == 403


def test_a_refused_rule_names_its_field(as_user, book):  # noqa: F811
    admin = as_user(book.admin)
    base = {
        "carrier_id": book.carrier.id,
        "product_id": book.home.id,
        "first_year_rate": "0.15",
        "renewal_rate": "0.05",
        "effective_from": "2026-01-01",
    }
    for field, value in [
        ("first_year_rate", "1.5"),
        ("renewal_rate", "-0.01"),
        ("agent_share", "25"),
        ("leader_override", "0.123456"),
        ("effective_to", "2025-12-31"),
    ]:
        answer = admin.post(f"{API}/commission-rules", json=base | {field: value})
        assert answer.status_code == 422 and field in answer.json["errors"], (field, answer.json)
    other = admin.post(f"{API}/commission-rules", json=base | {"product_id": book.bare_product.id})
    assert other.status_code == 422 and "product_id" in other.json["errors"]
    assert count_rows(InsuranceCommissionRule) == 2  # the fixtures' two


def test_rules_of_one_carrier_and_product_may_not_overlap(as_user, book):  # noqa: F811
    """Fleet motor's rule runs from 2020-01-01 with no end: a second from
    2025-06-01 overlaps (422 effective_from); so does a carrier-wide one
    besides the carrier-wide one. Ending the first on 2025-05-31 makes room."""
    admin = as_user(book.admin)
    body = {
        "carrier_id": book.carrier.id,
        "product_id": book.fleet.id,
        "first_year_rate": "0.3",
        "renewal_rate": "0.1",
        "effective_from": "2025-06-01",
    }
    clash = admin.post(f"{API}/commission-rules", json=body)
    assert clash.status_code == 422 and "effective_from" in clash.json["errors"]
    wide = admin.post(f"{API}/commission-rules", json=body | {"product_id": None})
    assert wide.status_code == 422 and "effective_from" in wide.json["errors"]
    ended = admin.patch(
        f"{API}/commission-rules/{book.own.id}",
        json={"effective_to": "2025-05-31", "version": book.own.version},
    )
    assert ended.status_code == 200, ended.json
    assert admin.post(f"{API}/commission-rules", json=body).status_code == 201
    # moving the first rule's end past the second's start overlaps again
    again = admin.patch(
        f"{API}/commission-rules/{book.own.id}",
        json={"effective_to": None, "version": ended.json["version"]},
    )
    assert again.status_code == 422 and "effective_from" in again.json["errors"]


# --- lines -------------------------------------------------------------------


def test_lines_are_listed_in_the_callers_scope(as_user, book):  # noqa: F811
    """Ann sees her 2 commission lines, not Lee's override nor Bob's; Lee his
    override; Meg (Motor desk manager) Ann's and Lee's 3; the admin all 4."""
    january(book)

    def listed(user, query=""):
        answer = as_user(user).get(f"{API}/commission-lines{query}")
        assert answer.status_code == 200, answer.json
        return sorted((i["kind"], i["agent_id"], i["agent_amount"]) for i in answer.json["items"])

    assert listed(book.ann) == [
        ("commission", book.ann.id, "100.00"),
        ("commission", book.ann.id, "150.00"),
    ]
    assert listed(book.lee) == [("override", book.lee.id, "20.00")]
    assert len(listed(book.meg)) == 3 and len(listed(book.admin)) == 4
    assert listed(book.admin, "?kind=override") == [("override", book.lee.id, "20.00")]
    assert len(listed(book.admin, f"?agent_id={book.bob.id}&month=2026-01")) == 1
    assert listed(book.admin, "?month=2026-02") == []
    assert listed(book.ann, f"?agent_id={book.bob.id}") == []
    assert as_user(book.admin).get(f"{API}/commission-lines?month=January").status_code == 422


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/insurance/commission-rules",
        "/api/v1/insurance/commission-rules/{rule_id}",
        "/api/v1/insurance/commission-lines",
        "/api/v1/insurance/commission-statements",
        "/api/v1/insurance/commission-statements/{carrier_statement_id}",
        "/api/v1/insurance/agent-statements",
        "/api/v1/insurance/agent-statements/{agent_statement_id}",
        "/api/v1/insurance/agent-statements/{agent_statement_id}/issue",
        "/api/v1/insurance/agents/leaderboard",
    ):
        assert path in paths, path
