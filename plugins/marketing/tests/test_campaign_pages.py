"""The campaign pages without a browser: the template form refuses an
unknown merge field next to its box (nothing saved), the campaign form
saves a draft, and the campaign page sends it and shows the figures and the
recipients — through the same services as the API."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.api import db
from plugins.marketing.models import Campaign, CampaignTemplate

from .smtp import TEMPLATE, consenting, mail_app, smtp_server  # noqa: F401


def _token(web, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text).group(1)


def test_the_template_form_names_an_unknown_merge_field_and_saves_nothing(make_user, login_as):
    web = login_as(make_user(role="manager"))
    data = {**TEMPLATE, "body_en": "Hi {{ customer.age }}"}
    answer = web.post(
        "/marketing/templates", data={**data, "csrf_token": _token(web, "/marketing/templates/new")}
    )
    assert answer.status_code == 422
    assert 'id="e-body_en"' in answer.text and "customer.age" in answer.text
    assert db.session.scalar(select(func.count(CampaignTemplate.id))) == 0
    saved = web.post(
        "/marketing/templates",
        data={**TEMPLATE, "csrf_token": _token(web, "/marketing/templates/new")},
    )
    assert saved.status_code == 302
    assert "Spring" in web.get("/marketing/templates").text


def test_a_campaign_is_written_sent_and_followed_from_its_pages(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    login_as,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    consenting(make_customer(name="Ann", emails=["ann@example.com"], owner_id=manager.id))
    api = as_user(manager)
    segment = api.post("/api/v1/marketing/segments", json={"name": "Everyone", "conditions": []})
    template = api.post("/api/v1/marketing/templates", json=TEMPLATE)
    web = login_as(manager)
    form = {
        "name": "Spring sale",
        "segment_id": str(segment.json["id"]),
        "template_id": str(template.json["id"]),
        "language": "en",
        "rate": "600",
        "csrf_token": _token(web, "/marketing/campaigns/new"),
    }
    created = web.post("/marketing/campaigns", data=form)
    assert created.status_code == 302, created.text
    page = web.get(created.headers["Location"]).text
    assert "Spring sale" in page and "data-confirm" in page and "Send now" in page
    campaign = db.session.scalar(select(Campaign))
    token = _token(web, f"/marketing/campaigns/{campaign.id}")
    sent = web.post(f"/marketing/campaigns/{campaign.id}/send", data={"csrf_token": token})
    assert sent.status_code == 302
    assert smtp_server.to() == ["ann@example.com"]
    page = web.get(f"/marketing/campaigns/{campaign.id}").text
    assert 'id="count-sent">1<' in page and "ann@example.com" in page
    assert "Send now" not in page  # a sent campaign has no such button
    listed = web.get("/marketing/campaigns").text
    assert "Spring sale" in listed


def test_a_rep_sees_no_send_button_and_may_not_send(make_user, login_as, as_user):
    rep = make_user(role="sales")
    api = as_user(rep)
    segment = api.post("/api/v1/marketing/segments", json={"name": "Mine", "conditions": []})
    template = api.post("/api/v1/marketing/templates", json=TEMPLATE)
    body = {"name": "Mine", "segment_id": segment.json["id"], "template_id": template.json["id"]}
    campaign = api.post("/api/v1/marketing/campaigns", json=body).json
    web = login_as(rep)
    page = web.get(f"/marketing/campaigns/{campaign['id']}").text
    assert "Send now" not in page and "Send a test to me" in page
    token = _token(web, f"/marketing/campaigns/{campaign['id']}")
    refused = web.post(f"/marketing/campaigns/{campaign['id']}/send", data={"csrf_token": token})
    assert refused.status_code == 403
    assert db.session.get(Campaign, campaign["id"]).status == "draft"
