"""Users, teams, roles, tags and custom fields through the API."""

import pytest


def test_an_admin_builds_the_organisation(as_user, make_user):
    admin = as_user(make_user(role="admin"))
    east = admin.post("/api/v1/teams", json={"name": "East"}).json
    north = admin.post("/api/v1/teams", json={"name": "East North", "parent_id": east["id"]})
    assert north.status_code == 201 and north.json["parent_id"] == east["id"]
    role = admin.post(
        "/api/v1/roles",
        json={
            "name": "telesales",
            "scope": "team",
            "permissions": ["customer.read", "pool.claim"],
            "hidden_fields": ["customer.phones"],
        },
    )
    assert role.status_code == 201 and role.json["scope"] == "team"
    user = admin.post(
        "/api/v1/users",
        json={
            "email": "new@example.com",
            "name": "New",
            "password": "long enough pw",
            "team_id": east["id"],
        },
    )
    assert user.status_code == 201 and user.json["email"] == "new@example.com"
    changed = admin.patch(
        f"/api/v1/users/{user.json['id']}", json={"role_id": role.json["id"], "version": 1}
    )
    assert changed.status_code == 200 and changed.json["role_id"] == role.json["id"]


@pytest.mark.parametrize(
    "payload, field, status",
    [
        ({"name": "x", "permissions": ["customer.fly"]}, "permissions", 422),
        ({"name": "x", "scope": "galaxy"}, "scope", 422),
        ({"name": "x", "hidden_fields": ["phones"]}, "hidden_fields", 422),
        ({"name": "admin"}, "name", 409),  # taken: well formed, refused by what is stored
    ],
)
def test_bad_roles_are_refused(as_user, make_user, payload, field, status):
    response = as_user(make_user(role="admin")).post("/api/v1/roles", json=payload)
    assert response.status_code == status and field in response.json["errors"]
    assert response.mimetype == "application/problem+json"


def test_deactivating_a_user_ends_their_access(as_user, make_user):
    admin, rep = as_user(make_user(role="admin")), make_user()
    rep_client = as_user(rep)
    assert rep_client.get("/api/v1/customers").status_code == 200
    assert admin.patch(f"/api/v1/users/{rep.id}", json={"active": False}).status_code == 200
    assert rep_client.get("/api/v1/customers").status_code == 401


def test_reps_read_the_directory_but_cannot_change_it(as_user, make_user):
    other = make_user(email="other@example.com")
    rep = as_user(make_user())
    users = rep.get("/api/v1/users").json["items"]
    assert {u["email"] for u in users if u["id"] == other.id} == {None}  # e-mails are private
    assert rep.post("/api/v1/teams", json={"name": "Mine"}).status_code == 403
    assert rep.post("/api/v1/roles", json={"name": "god", "permissions": ["*"]}).status_code == 403
    assert rep.patch(f"/api/v1/users/{other.id}", json={"active": False}).status_code == 403
    assert rep.post("/api/v1/tags", json={"name": "x"}).status_code == 403


def test_tags_and_custom_fields(as_user, make_user):
    admin = as_user(make_user(role="admin"))
    assert admin.post("/api/v1/tags", json={"name": "VIP", "color": "#f00"}).status_code == 201
    taken = admin.post("/api/v1/tags", json={"name": "VIP"})
    assert taken.status_code == 409 and taken.json["type"].endswith("/taken")
    assert taken.json["errors"] == {"name": ["a tag with this name already exists"]}
    field = admin.post(
        "/api/v1/custom-fields",
        json={
            "entity": "customer",
            "key": "size",
            "label": "Size",
            "type": "choice",
            "options": ["S", "M", "L"],
        },
    )
    assert field.status_code == 201
    assert admin.post(
        "/api/v1/custom-fields",
        json={"entity": "customer", "key": "size2", "label": "x", "type": "choice"},
    ).json["errors"] == {"options": ["a choice field needs options"]}
    assert (
        "type"
        in admin.post(
            "/api/v1/custom-fields",
            json={"entity": "customer", "key": "k", "label": "x", "type": "colour"},
        ).json["errors"]
    )
    created = admin.post("/api/v1/customers", json={"name": "Acme", "custom_fields": {"size": "M"}})
    assert created.json["custom_fields"] == {"size": "M"}
    assert (
        admin.post(
            "/api/v1/customers", json={"name": "B", "custom_fields": {"size": "XXL"}}
        ).status_code
        == 422
    )


def test_a_user_with_a_role_or_team_that_does_not_exist_is_a_404(as_user, make_user):
    """A reference to a record that does not exist is a 404 naming the field
    (JSON:API's rule), and a 422 only when the value cannot be an id."""
    admin = as_user(make_user(role="admin"))
    for field in ("role_id", "team_id"):
        response = admin.post(
            "/api/v1/users", json={"email": f"{field}@example.com", "name": "X", field: 424242}
        )
        assert response.status_code == 404 and field in response.json["errors"]
        assert response.json["type"].endswith("/missing-reference")
        bad = admin.post("/api/v1/users", json={"email": "b@example.com", "name": "X", field: 0})
        assert bad.status_code == 422 and field in bad.json["errors"]
