"""Role × action → answer, for core's customer resources. The default roles
are admin (everything, all records), manager (team scope, no delete) and
sales (own records); a user without a role may do nothing."""

import pytest

from core.services.tokens import create_token

MATRIX = {
    # action:            sales, manager, admin, no role
    "list": (200, 200, 200, 403),
    "read": (200, 200, 200, 403),
    "create": (201, 201, 201, 403),
    "update": (200, 200, 200, 403),
    "delete": (403, 403, 204, 403),
    "merge": (403, 200, 200, 403),
    "release": (200, 200, 200, 404),
    "pool": (200, 200, 200, 403),
    "recycle_bin": (403, 403, 200, 403),
    "audit_log": (403, 403, 200, 403),
    "customer_audit": (200, 200, 200, 403),
    "transfer_user": (403, 403, 200, 403),
    "automation": (403, 403, 200, 403),
    "imports": (403, 200, 200, 403),
}
ROLES = ("sales", "manager", "admin", None)


def call(client, action, own, other, victim):
    return {
        "list": lambda: client.get("/api/v1/customers"),
        "read": lambda: client.get(f"/api/v1/customers/{own.id}"),
        "create": lambda: client.post("/api/v1/customers", json={"name": "New"}),
        "update": lambda: client.patch(f"/api/v1/customers/{own.id}", json={"notes": "x"}),
        "delete": lambda: client.delete(f"/api/v1/customers/{own.id}"),
        "merge": lambda: client.post(
            f"/api/v1/customers/{own.id}/merge", json={"merge_id": other.id}
        ),
        "release": lambda: client.post(f"/api/v1/customers/{own.id}/release"),
        "pool": lambda: client.get("/api/v1/pool"),
        "recycle_bin": lambda: client.get("/api/v1/recycle-bin"),
        "audit_log": lambda: client.get("/api/v1/audit"),
        "customer_audit": lambda: client.get(f"/api/v1/customers/{own.id}/audit"),
        "transfer_user": lambda: client.post(
            f"/api/v1/users/{victim.id}/transfer", json={"to_user_id": own.owner_id or victim.id}
        ),
        "automation": lambda: client.get("/api/v1/automation/rules"),
        "imports": lambda: client.get("/api/v1/imports/jobs"),
    }[action]()


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[str(r) for r in ROLES])
def test_permission_matrix(app, db, make_user, make_customer, action, role_index):
    role = ROLES[role_index]
    user = make_user(role=role or "sales")
    if role is None:
        user.role_id = None
        db.session.commit()
    owner_id = user.id if role else make_user().id
    own = make_customer(name="Own", owner_id=owner_id)
    other = make_customer(name="Also own", owner_id=owner_id)
    victim = make_user()
    _token, secret = create_token(user, "matrix", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    response = call(client, action, own, other, victim)
    expected = MATRIX[action][role_index]
    assert response.status_code == expected, (role, action, response.json)
