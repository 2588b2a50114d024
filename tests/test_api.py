"""The JSON API contract (DESIGN.md): lists, errors as RFC 9457 problems,
optimistic locking, bearer tokens, CSRF for cookie writes, scope."""

import re

import pytest
from sqlalchemy import func, select

from core.models import Customer
from core.services.tokens import create_token, revoke_token

PROBLEM = "application/problem+json"


@pytest.fixture
def rep(make_user):
    return make_user(role="sales", name="Rep")


@pytest.fixture
def api(app, rep):
    """A client calling the API with the rep's bearer token."""
    _token, secret = create_token(rep, "tests", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def count(db):
    return db.session.scalar(select(func.count()).select_from(Customer))


def test_openapi_document_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    assert {
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/plugins",
        "/api/v1/customers/{customer_id}/activities",
        "/api/v1/me/tokens",
    } <= set(doc["paths"])
    assert "bearer" in doc["components"]["securitySchemes"]


def test_without_credentials_the_api_answers_401_as_a_problem(client):
    response = client.get("/api/v1/customers")
    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert response.json["status"] == 401 and response.json["type"].endswith("/401")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer trl_" + "x" * 40, "Bearer "])
def test_a_malformed_or_unknown_token_is_refused(client, header):
    response = client.get("/api/v1/customers", headers={"Authorization": header})
    assert response.status_code == 401 and response.json["type"].endswith("/bad-token")


def test_a_revoked_token_stops_working(app, rep):
    token, secret = create_token(rep, "old", None)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/customers", headers=headers).status_code == 200
    revoke_token(token, None)
    assert client.get("/api/v1/customers", headers=headers).status_code == 401


def test_create_then_read_a_customer(api, rep):
    created = api.post(
        "/api/v1/customers",
        json={"name": "Acme", "phones": ["138 0013 8000"], "grade": "A", "tags": ["vip"]},
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["owner_id"] == rep.id and body["phones"] == ["+8613800138000"]
    assert body["version"] == 1 and body["tags"] == ["vip"] and body["likely_duplicates"] == []
    again = api.post("/api/v1/customers", json={"name": "Other", "phones": ["13800138000"]})
    assert again.json["likely_duplicates"] == [{"id": body["id"], "name": "Acme"}]
    assert api.get(f"/api/v1/customers/{body['id']}").json["name"] == "Acme"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 300}, "name"),
        ({"name": "A", "grade": "Z"}, "grade"),
        ({"name": "A", "hobby": "golf"}, "hobby"),
        ({"name": "A", "phones": "13800138000"}, "phones"),
        ([1, 2], "_body"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(api, db, payload, field):
    response = api.post("/api/v1/customers", json=payload)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.json["errors"]
    assert count(db) == 0


def test_malformed_json_is_a_422_and_writes_nothing(api, db):
    response = api.post(
        "/api/v1/customers", data="{name: oops", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "_body" in response.json["errors"]
    assert count(db) == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=201", "per_page"),
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=x", "page"),
        ("sort=password", "sort"),
        ("stage=emperor", "stage"),
        ("page=99999999999", "page"),
    ],
)
def test_bad_list_arguments_are_a_422(api, query, field):
    response = api.get(f"/api/v1/customers?{query}")
    assert response.status_code == 422 and field in response.json["errors"]


def test_lists_are_paged_sorted_filtered_and_searched_in_sql(api):
    for name, grade in [("Delta", "A"), ("alpha", "B"), ("Charlie", "A"), ("Bravo 100%", "C")]:
        api.post("/api/v1/customers", json={"name": name, "grade": grade, "tags": [grade]})
    page = api.get("/api/v1/customers?per_page=2&page=2&sort=name").json
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 4)
    assert [c["name"] for c in page["items"]] == ["Charlie", "Delta"]
    desc = api.get("/api/v1/customers?sort=-grade,name").json["items"]
    assert [c["name"] for c in desc] == ["Bravo 100%", "alpha", "Charlie", "Delta"]
    assert api.get("/api/v1/customers?grade=A").json["total"] == 2
    assert api.get("/api/v1/customers?tag=C").json["items"][0]["name"] == "Bravo 100%"
    assert [c["name"] for c in api.get("/api/v1/customers?q=100%25").json["items"]] == [
        "Bravo 100%"
    ]
    # case does not matter, on PostgreSQL as on SQLite
    assert [c["name"] for c in api.get("/api/v1/customers?q=ALPH").json["items"]] == ["alpha"]
    assert [c["name"] for c in api.get("/api/v1/customers?q=bravo").json["items"]] == ["Bravo 100%"]


def test_a_stale_version_is_a_409_and_changes_nothing(api):
    cid = api.post("/api/v1/customers", json={"name": "Acme"}).json["id"]
    assert (
        api.patch(f"/api/v1/customers/{cid}", json={"industry": "Retail", "version": 1}).status_code
        == 200
    )
    stale = api.patch(f"/api/v1/customers/{cid}", json={"industry": "Food", "version": 1})
    assert stale.status_code == 409 and stale.json["current_version"] == 2
    assert stale.json["type"].endswith("/stale-version")
    by_header = api.patch(
        f"/api/v1/customers/{cid}", json={"industry": "Food"}, headers={"If-Match": '"1"'}
    )
    assert by_header.status_code == 409
    assert api.get(f"/api/v1/customers/{cid}").json["industry"] == "Retail"
    assert (
        api.patch(
            f"/api/v1/customers/{cid}", json={"industry": "Food"}, headers={"If-Match": '"2"'}
        ).json["version"]
        == 3
    )


def test_another_reps_customer_does_not_exist_for_me(api, make_customer, make_user):
    other = make_customer(name="Secret", owner_id=make_user().id)
    assert api.get(f"/api/v1/customers/{other.id}").status_code == 404
    assert api.patch(f"/api/v1/customers/{other.id}", json={"name": "x"}).status_code == 404
    assert api.get(f"/api/v1/customers/{other.id}/activities").status_code == 404
    assert (
        api.post("/api/v1/contacts", json={"customer_id": other.id, "name": "Spy"}).status_code
        == 404
    )
    assert api.get("/api/v1/customers").json["total"] == 0
    assert api.get("/api/v1/customers?q=Secret").json["total"] == 0


def test_delete_needs_the_permission_and_goes_to_the_recycle_bin(api, app, make_user):
    cid = api.post("/api/v1/customers", json={"name": "Acme"}).json["id"]
    denied = api.delete(f"/api/v1/customers/{cid}")
    assert denied.status_code == 403 and denied.mimetype == PROBLEM
    _t, secret = create_token(make_user(role="admin"), "admin", None)
    admin = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert client.delete(f"/api/v1/customers/{cid}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/customers/{cid}", headers=admin).status_code == 404
    restored = client.post(f"/api/v1/customers/{cid}/restore", headers=admin)
    assert restored.status_code == 200 and restored.json["deleted_at"] is None


def test_a_rep_cannot_hand_a_customer_to_someone_else(api, make_user):
    cid = api.post("/api/v1/customers", json={"name": "Mine"}).json["id"]
    other = make_user()
    response = api.patch(f"/api/v1/customers/{cid}", json={"owner_id": other.id})
    assert response.status_code == 403


def test_cookie_sessions_must_send_the_csrf_header_to_write(login_as, rep):
    client = login_as(rep)
    refused = client.post("/api/v1/customers", json={"name": "Acme"})
    assert refused.status_code == 403 and refused.json["type"].endswith("/csrf")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    assert (
        client.post(
            "/api/v1/customers", json={"name": "Acme"}, headers={"X-CSRF-Token": token}
        ).status_code
        == 201
    )


def test_contacts_and_the_timeline(api):
    cid = api.post("/api/v1/customers", json={"name": "Acme"}).json["id"]
    contact = api.post(
        "/api/v1/contacts", json={"customer_id": cid, "name": "Li Lei", "emails": ["LI@acme.cn"]}
    )
    assert contact.status_code == 201 and contact.json["emails"] == ["li@acme.cn"]
    for i in range(3):
        api.post(
            "/api/v1/activities", json={"kind": "call", "subject": f"Call {i}", "customer_id": cid}
        )
    task = api.post(
        "/api/v1/activities",
        json={
            "kind": "task",
            "subject": "Quote",
            "customer_id": cid,
            "due_at": "2030-01-01T09:00:00+08:00",
        },
    )
    assert task.json["due_at"] == "2030-01-01T01:00:00+00:00"
    page = api.get(f"/api/v1/customers/{cid}/activities?per_page=2").json
    assert page["total"] == 4 and len(page["items"]) == 2
    assert api.get(f"/api/v1/customers/{cid}/activities?open_tasks=true").json["total"] == 1
    done = api.post(f"/api/v1/activities/{task.json['id']}/complete")
    assert done.status_code == 200 and done.json["done_at"] is not None
    assert api.get(f"/api/v1/customers/{cid}").json["next_follow_up_at"] is None


def test_unknown_paths_and_methods_are_problems_not_html(api):
    assert api.get("/api/v1/nothing-here").mimetype == PROBLEM
    response = api.put("/api/v1/customers")
    assert response.status_code == 405 and response.mimetype == PROBLEM


def test_sql_and_html_in_text_are_stored_as_text(api):
    name = "Robert'); DROP TABLE customer;-- <b>bold</b>"
    cid = api.post("/api/v1/customers", json={"name": name}).json["id"]
    assert api.get(f"/api/v1/customers/{cid}").json["name"] == name


def test_plugins_are_listed(api):
    plugins = {p["name"]: p for p in api.get("/api/v1/plugins").json}
    assert plugins["sales"]["enabled"] and plugins["sales"]["builtin"]
    assert plugins["hello"]["enabled"] is False


def test_personal_tokens_are_shown_once_and_revocable(api, login_as, rep):
    session_client = login_as(rep)  # only a password sign-in session mints tokens
    with session_client.session_transaction() as session:
        session["csrf"] = "t"
    created = session_client.post(
        "/api/v1/me/tokens", json={"name": "script"}, headers={"X-CSRF-Token": "t"}
    )
    assert created.status_code == 201 and created.json["token"].startswith("trl_")
    listed = api.get("/api/v1/me/tokens").json
    assert [t["name"] for t in listed] == ["tests", "script"]
    assert all("token" not in t for t in listed)
    assert api.delete(f"/api/v1/me/tokens/{created.json['id']}").status_code == 204
    assert api.get("/api/v1/me/tokens").json[1]["revoked_at"] is not None
    empty = session_client.post(
        "/api/v1/me/tokens", json={"name": ""}, headers={"X-CSRF-Token": "t"}
    )
    assert empty.status_code == 422


def test_the_creator_owns_a_new_customer_unless_allowed_to_name_another(api, app, make_user):
    other = make_user()
    assert (
        api.post("/api/v1/customers", json={"name": "For other", "owner_id": other.id}).status_code
        == 403
    )
    assert (
        api.post("/api/v1/customers", json={"name": "To pool", "owner_id": None}).status_code == 403
    )
    admin = make_user(role="admin")
    _t, secret = create_token(admin, "a", None)
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert (
        client.post("/api/v1/customers", json={"name": "Admin's"}, headers=headers).json["owner_id"]
        == admin.id
    )
    assert (
        client.post(
            "/api/v1/customers", json={"name": "Pool", "owner_id": None}, headers=headers
        ).json["owner_id"]
        is None
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("/api/v1/customers/99999999999"),
        lambda c: c.get("/api/v1/customers?owner_id=99999999999"),
        lambda c: c.post("/api/v1/contacts", json={"customer_id": 2**40, "name": "x"}),
        lambda c: c.post("/api/v1/customers", json={"name": "x", "team_id": 2**40}),
    ],
)
def test_ids_beyond_32_bits_are_refused_before_the_database(api, call):
    assert call(api).status_code in (404, 422)


def test_nul_characters_are_refused_with_the_field_name(api, client, db):
    response = api.post("/api/v1/customers", json={"name": "Ac\x00me", "tags": ["ok", "b\x00d"]})
    assert response.status_code == 422 and "name" in response.json["errors"]
    assert api.get("/api/v1/customers?q=a%00b").json["errors"] == {
        "q": ["NUL characters are not allowed"]
    }
    assert client.post("/login", data={"email": "a\x00@b.cn", "password": "x"}).status_code == 400
    assert count(db) == 0


def test_audit_entries_do_not_show_the_fields_a_role_hides(
    db, app, as_user, make_user, make_customer, make_contact
):
    from core.models import DataScope, Role

    db.session.add(
        Role(
            name="masked auditor",
            scope=DataScope.all,
            permissions=["customer.read", "audit.read"],
            hidden_fields=["customer.industry", "contact.emails"],
        )
    )
    db.session.commit()
    viewer, admin = make_user(role="masked auditor"), make_user(role="admin")
    customer = make_customer(name="Marker Ltd", industry="MARKER-IND-42")
    other = make_customer(name="Marker Co", industry="MARKER-IND-7")
    make_contact(customer=customer, name="Li", emails=["marker-mail-42@acme.cn"])
    edited = as_user(admin).patch(
        f"/api/v1/customers/{customer.id}", json={"industry": "MARKER-IND-43", "version": 1}
    )
    assert edited.status_code == 200, edited.json
    merged = as_user(admin).post(
        f"/api/v1/customers/{customer.id}/merge",
        json={"merge_id": other.id, "choose": {"industry": "merged"}},
    )
    assert merged.status_code == 200, merged.json

    def bodies(user):
        api = as_user(user)
        page = app.test_client()
        with page.session_transaction() as session:
            session["_user_id"] = user.get_id()
        answers = [
            api.get(f"/api/v1/customers/{customer.id}/audit?per_page=100"),
            api.get("/api/v1/audit?per_page=100"),
            page.get("/admin/audit"),
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        return [a.get_data(as_text=True) for a in answers]

    for body in bodies(viewer):
        assert "MARKER-IND" not in body and "marker-mail-42" not in body
        assert "Marker Ltd" in body  # the entries are there, only the hidden values are not
    shown = bodies(admin)
    assert all("MARKER-IND-42" in body and "MARKER-IND-43" in body for body in shown)
    assert all("MARKER-IND-7" in body for body in shown)
    assert "marker-mail-42" in shown[1] and "marker-mail-42" in shown[2]
