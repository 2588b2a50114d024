"""The webhooks API under /api/v1/webhooks: subscriptions for admins only,
SSRF refusals naming ``url``, the delivery log, a delivery's request and
response, redelivering with the same idempotency key."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def api(admin, as_user):
    return as_user(admin)


def add_role(name: str, permissions: list[str], hidden: list[str] | None = None) -> None:
    from core.api import DataScope, Role, db
    from core.services.users import ensure_default_roles

    ensure_default_roles()
    db.session.add(
        Role(name=name, permissions=permissions, scope=DataScope.all, hidden_fields=hidden or [])
    )
    db.session.commit()


def subscribe(api, url, **fields):
    return api.post(
        "/api/v1/webhooks/subscriptions",
        json={"name": "Mirror", "url": url, "events": ["customer_created"], **fields},
    )


def test_an_admin_manages_subscriptions(api, trellis_webhook_receiver):
    made = subscribe(api, trellis_webhook_receiver.url, allow_internal=True)
    assert made.status_code == 201, made.json
    body = made.json
    assert body["secret"].startswith("whsec_") and body["active"] and body["allow_internal"]
    listed = api.get("/api/v1/webhooks/subscriptions").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    url = f"/api/v1/webhooks/subscriptions/{body['id']}"
    changed = api.patch(url, json={"events": ["*"], "version": body["version"]})
    assert changed.status_code == 200, changed.json
    assert changed.json["events"] == ["*"]
    stale = api.patch(url, json={"name": "Old", "version": body["version"]})
    assert stale.status_code == 409
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get("/api/v1/webhooks/subscriptions").json["total"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http://127.0.0.1:9/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://localhost/hook",  # a name resolving to loopback
        "not a url",
    ],
)
def test_a_url_that_is_not_public_http_is_refused_naming_url(api, url):
    refused = subscribe(api, url)
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == ["url"]


def test_only_a_settings_admin_may_allow_an_internal_host(make_user, as_user, api):
    add_role("integrator", ["admin.webhooks"])
    integrator = as_user(make_user(role="integrator"))
    refused = subscribe(integrator, "http://127.0.0.1:9/hook", allow_internal=True)
    assert refused.status_code == 403
    allowed = subscribe(api, "http://127.0.0.1:9/hook", allow_internal=True)
    assert allowed.status_code == 201
    moved = integrator.patch(
        f"/api/v1/webhooks/subscriptions/{allowed.json['id']}", json={"url": "http://10.0.0.5/hook"}
    )
    assert moved.status_code == 422 and list(moved.json["errors"]) == ["url"]


def test_an_unknown_event_is_refused_and_the_declared_ones_are_listed(api):
    events = api.get("/api/v1/webhooks/events").json
    names = {e["name"] for e in events}
    assert {"customer_created", "contact_created", "sales_deal_won"} <= names
    created = next(e for e in events if e["name"] == "customer_created")
    assert created["arguments"] == ["customer"] and created["declared_by"] == "core"
    refused = api.post(
        "/api/v1/webhooks/subscriptions",
        json={"name": "x", "url": "https://example.com/", "events": ["customer_vanished"]},
    )
    assert refused.status_code == 422 and "events" in refused.json["errors"]


def test_the_delivery_log_shows_request_and_response_and_redelivers(api, trellis_webhook_receiver):
    hook = subscribe(api, trellis_webhook_receiver.url, allow_internal=True).json
    api.post("/api/v1/customers", json={"name": "Logged"})
    log = api.get(f"/api/v1/webhooks/subscriptions/{hook['id']}/deliveries").json
    assert log["total"] == 1
    [item] = log["items"]
    assert item["status"] == "delivered" and item["event"] == "customer_created"
    detail = api.get(f"/api/v1/webhooks/deliveries/{item['id']}").json
    assert detail["request"]["url"] == trellis_webhook_receiver.url
    assert detail["request"]["headers"]["Trellis-Delivery"] == item["key"]
    assert detail["request"]["body"]["data"]["customer"]["values"]["name"] == "Logged"
    assert detail["response"]["status_code"] == 200 and detail["response"]["latency_ms"] >= 0
    again = api.post(f"/api/v1/webhooks/deliveries/{item['id']}/redeliver")
    assert again.status_code == 202, again.json
    assert again.json["attempts"] == 2 and again.json["status"] == "delivered"
    keys = [r.headers["Trellis-Delivery"] for r in trellis_webhook_receiver.requests]
    assert keys == [item["key"], item["key"]]


def test_a_switched_off_subscription_cannot_redeliver(api, trellis_webhook_receiver):
    hook = subscribe(api, trellis_webhook_receiver.url, allow_internal=True).json
    api.post("/api/v1/customers", json={"name": "Once"})
    [item] = api.get(f"/api/v1/webhooks/subscriptions/{hook['id']}/deliveries").json["items"]
    api.patch(f"/api/v1/webhooks/subscriptions/{hook['id']}", json={"active": False})
    refused = api.post(f"/api/v1/webhooks/deliveries/{item['id']}/redeliver")
    assert refused.status_code == 409


def test_a_user_without_the_permission_gets_403(make_user, as_user, admin):
    rep = as_user(make_user(role="sales"))
    for path in ("/api/v1/webhooks/subscriptions", "/api/v1/webhooks/events"):
        assert rep.get(path).status_code == 403
    refused = rep.post(
        "/api/v1/webhooks/subscriptions",
        json={"name": "x", "url": "https://example.com/", "events": ["*"]},
    )
    assert refused.status_code == 403


def test_the_payload_leaves_out_what_the_creators_role_hides(make_user, as_user, admin):
    from core.models import WebhookDelivery
    from core.services.customers import create_customer
    from core.webhooks import save_subscription

    add_role("hooks", ["admin.webhooks", "admin.settings"], hidden=["customer.industry"])
    creator = make_user(role="hooks")
    assert creator.role.name == "hooks"
    save_subscription(
        {"name": "x", "url": "http://127.0.0.1:9/", "events": ["*"], "allow_internal": True},
        None,
        creator,
    )
    create_customer({"name": "Hidden industry", "industry": "Secret sauce"}, None)
    from core.api import db

    delivery = db.session.query(WebhookDelivery).one()
    values = delivery.payload["data"]["customer"]["values"]
    assert values["name"] == "Hidden industry" and "industry" not in values
