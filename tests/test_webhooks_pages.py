"""Settings → Webhooks: the list, the form (refusing an internal URL by the
field), a subscription's delivery log and a delivery's request, response and
latency with a button to send it again — in both locales (that no Chinese
page shows English is tests/test_zh_pages.py's walk)."""

from __future__ import annotations

import pytest

from core.services.customers import create_customer


@pytest.fixture
def admin_page(make_user, login_as):
    def sign_in(locale: str):
        return login_as(make_user(role="admin", locale=locale, name="Ada", email="a@example.com"))

    return sign_in


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_an_admin_subscribes_and_reads_the_delivery_log(
    admin_page, locale, trellis_webhook_receiver
):
    client = admin_page(locale)
    form = client.get("/admin/webhooks/new")
    assert form.status_code == 200
    refused = client.post(
        "/admin/webhooks/new",
        data={
            "csrf_token": _csrf(form.get_data(as_text=True)),
            "name": "Mirror",
            "url": "http://10.0.0.5/hook",
            "events": ["customer_created"],
            "active": "1",
        },
    )
    assert refused.status_code == 422
    assert 'id="e-url"' in refused.get_data(as_text=True)
    saved = client.post(
        "/admin/webhooks/new",
        data={
            "csrf_token": _csrf(form.get_data(as_text=True)),
            "name": "Mirror",
            "url": trellis_webhook_receiver.url,
            "events": ["customer_created"],
            "active": "1",
            "allow_internal": "1",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    edit = saved.headers["Location"]
    subscription_id = int(edit.rstrip("/").rsplit("/", 1)[1])
    create_customer({"name": "Page test"}, None)
    pages = {
        "list": client.get("/admin/webhooks/"),
        "form": client.get(edit),
        "log": client.get(f"/admin/webhooks/{subscription_id}/deliveries"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert f'lang="{locale.replace("_", "-")}"' in page.get_data(as_text=True), name
    log = pages["log"].get_data(as_text=True)
    assert "customer_created" in log and 'class="badge ok"' in log
    link = log.split('href="/admin/webhooks/deliveries/', 1)[1].split('"', 1)[0]
    detail = client.get(f"/admin/webhooks/deliveries/{link}")
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "Trellis-Signature: t=" in text and "Page test" in text
    again = client.post(
        f"/admin/webhooks/deliveries/{link}/redeliver", data={"csrf_token": _csrf(text)}
    )
    assert again.status_code == 302
    keys = {r.headers["Trellis-Delivery"] for r in trellis_webhook_receiver.requests}
    assert len(trellis_webhook_receiver.requests) == 2 and len(keys) == 1


def test_the_pages_are_for_webhook_admins_only(make_user, login_as):
    client = login_as(make_user(role="sales"))
    assert client.get("/admin/webhooks/").status_code == 403
    assert client.get("/admin/webhooks/new").status_code == 403
