"""Odd values in a query string are a 4xx or ignored, never a 5xx — on every
GET route of the URL map (new routes are walked without anyone adding them)."""

import pytest

BIG = "9" * 20
#: the names list pages, reports and lookups read from their query strings
NAMES = (
    "page per_page q sort customer_id owner_id team_id engineer_id pipeline_id stage_id "
    "user_id entity_id contact_id product_id deal_id order_id id days year month limit "
    "offset from to since until date start end status stage grade source kind tag phone "
    "category priority currency period rule_id location_id part_id"
).split()
ODD = {
    "a 20-digit number": BIG,
    "a NUL": "a\x00b",
    "a negative": "-1",
    "a huge date": "99999-01-01",
}


def _routes(app):
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not r.arguments and r.endpoint != "static"
    )


@pytest.mark.parametrize("kind", sorted(ODD))
def test_no_page_fails_on_an_odd_query_value(app, make_user, login_as, kind):
    client = login_as(make_user(role="admin"))
    value = ODD[kind]
    failures = []
    for rule in _routes(app):
        for names in (NAMES, ["ids", "ids"]):  # every name once; a repeated one (multi-value)
            response = client.get(rule, query_string=[(n, value) for n in names])
            if response.status_code >= 500:
                failures.append(f"GET {rule} with {kind}: {response.status_code}")
    assert failures == []


def test_a_nul_is_refused_naming_the_field(app, make_user, login_as, as_user):
    admin = make_user(role="admin")
    api = as_user(admin)
    answer = api.get("/api/v1/customers", query_string={"q": "a\x00b"})
    assert answer.status_code == 422 and "q" in answer.json["errors"]
    for body in ({"name": "N", "tags": ["a\x00b"]}, {"name": "N", "phones": ["1\x002"]}):
        answer = api.post("/api/v1/customers", json=body)
        assert answer.status_code == 422, answer.json
    client = login_as(admin)
    for path in ("/sales/forms/a%00b", "/service/request/a%00b", "/service/track/a%00b"):
        assert client.get(path).status_code < 500, path
    page = client.get("/customers/", query_string={"q": "a\x00b"})
    assert page.status_code == 400 and "NUL" in page.text


def test_a_lead_import_with_a_nul_reports_the_row(app, make_user):
    from plugins.sales.services.leads import import_csv

    report = import_csv("name,notes\nGood,fine\nBad,a\x00b\n", make_user(role="admin"))
    assert report["imported"] == 0
    assert report["bad_rows"] == [
        {"line": 3, "errors": {"notes": ["NUL characters are not allowed"]}}
    ]
