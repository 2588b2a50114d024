"""The campaign API: templates with checked merge fields, campaigns and
their moves (draft → scheduled → sending → sent, paused, cancelled), the
test send to oneself, the recipient list — each refusal naming its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import db, utcnow
from plugins.marketing.models import Campaign, CampaignTemplate
from plugins.marketing.services.campaigns import sending

from .smtp import TEMPLATE, campaign_of, consenting, mail_app, smtp_server  # noqa: F401

API = "/api/v1/marketing"


@pytest.mark.parametrize(
    "change, key, words",
    [
        ({"body_en": "Hi {{ customer.phone }}"}, "body_en", "customer.phone"),
        ({"subject_zh_CN": "{{ boss.name }}您好"}, "subject_zh_CN", "boss.name"),
        ({"body_en": "Hi {{ customer }}"}, "body_en", "customer"),
        ({"body_en": "Tell us: {{ survey.url }}"}, "body_en", "survey.url"),
        ({"body_en": "Hi {{ customer.name "}, "body_en", "cannot be read"),
        ({"body_en": ""}, "body_en", "both"),
    ],
)
def test_a_template_naming_an_unknown_merge_field_is_refused_naming_the_column(
    make_user, as_user, change, key, words
):
    api = as_user(make_user(role="manager"))
    answer = api.post(f"{API}/templates", json={**TEMPLATE, **change})
    assert answer.status_code == 422, answer.json
    assert words in " ".join(answer.json["errors"][key])
    assert db.session.scalar(select(func.count(CampaignTemplate.id))) == 0


def test_a_template_is_saved_changed_and_deleted(make_user, as_user):
    api = as_user(make_user(role="manager"))
    created = api.post(
        f"{API}/templates",
        json={"name": "Only English", "subject_en": "Hi", "body_en": "<p>{{ customer.name }}</p>"},
    )
    assert created.status_code == 201, created.json
    tid = created.json["id"]
    bad = api.patch(f"{API}/templates/{tid}", json={"version": 1, "body_en": "{{ nope }}"})
    assert bad.status_code == 422 and "body_en" in bad.json["errors"]
    changed = api.patch(f"{API}/templates/{tid}", json={"version": 1, "name": "English"})
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert api.patch(f"{API}/templates/{tid}", json={"version": 1, "name": "x"}).status_code == 409
    assert [t["name"] for t in api.get(f"{API}/templates").json["items"]] == ["English"]
    assert api.delete(f"{API}/templates/{tid}").status_code == 204
    assert api.get(f"{API}/templates/{tid}").status_code == 404


def test_a_campaign_names_what_is_wrong_with_it(make_user, as_user):
    api = as_user(make_user(role="manager"))
    english = api.post(
        f"{API}/templates", json={"name": "E", "subject_en": "Hi", "body_en": "Hi"}
    ).json
    segment = api.post(f"{API}/segments", json={"name": "All", "conditions": []}).json
    base = {"name": "C", "segment_id": segment["id"], "template_id": english["id"]}
    for body, key, status in [
        ({**base, "segment_id": 999}, "segment_id", 404),
        ({**base, "template_id": 999}, "template_id", 404),
        ({**base, "language": "zh_CN"}, "language", 422),
        ({**base, "rate": 10**6}, "rate", 422),
        ({**base, "language": "fr"}, "language", 422),
    ]:
        answer = api.post(f"{API}/campaigns", json=body)
        assert answer.status_code == status and key in answer.json["errors"], (body, answer.json)
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_a_campaign_moves_only_as_its_table_allows(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    consenting(make_customer(name="A", emails=["a@example.com"], owner_id=manager.id))
    api = as_user(manager)
    campaign = campaign_of(api, [])
    cid = campaign["id"]
    assert campaign["status"] == "draft" and campaign["rate"] == 600
    assert api.post(f"{API}/campaigns/{cid}/pause").status_code == 409
    past = (utcnow() - timedelta(hours=1)).isoformat()
    late = api.post(f"{API}/campaigns/{cid}/schedule", json={"send_at": past})
    assert late.status_code == 422 and "send_at" in late.json["errors"]
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    scheduled = api.post(f"{API}/campaigns/{cid}/schedule", json={"send_at": soon})
    assert scheduled.status_code == 200 and scheduled.json["status"] == "scheduled"
    assert api.patch(f"{API}/campaigns/{cid}", json={"name": "x"}).status_code == 409
    sending.run_sending()  # not due yet
    assert smtp_server.messages == []
    db.session.get(Campaign, cid).send_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sending.run_sending()  # due: started and sent by the periodic job
    assert smtp_server.to() == ["a@example.com"]
    assert api.get(f"{API}/campaigns/{cid}").json["status"] == "sent"
    assert api.post(f"{API}/campaigns/{cid}/cancel").status_code == 409
    listed = api.get(f"{API}/campaigns/{cid}/recipients?status=sent").json
    assert [r["email"] for r in listed["items"]] == ["a@example.com"]
    assert api.get(f"{API}/campaigns/{cid}/recipients?status=bounced").json["total"] == 0
    assert api.get(f"{API}/campaigns?status=sent").json["total"] == 1


def test_a_test_send_goes_to_the_senders_own_address_only(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    rep = make_user(role="sales", email="rep@example.com", name="Rita Rep")
    consenting(make_customer(name="Acme", emails=["buyer@acme.example"], owner_id=rep.id))
    api = as_user(rep)
    campaign = campaign_of(api, [])
    answer = api.post(f"{API}/campaigns/{campaign['id']}/test")
    assert answer.status_code == 200, answer.json
    assert smtp_server.to() == ["rep@example.com"]
    assert smtp_server.messages[0]["Subject"] == "[Test] Hello Acme"
    assert db.session.get(Campaign, campaign["id"]).status == "draft"


def test_without_an_smtp_server_sending_is_refused_not_queued(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    campaign = campaign_of(api, [])
    answer = api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert answer.status_code == 503
    assert "TRELLIS_SMTP_URL" in answer.json["detail"]
    assert db.session.get(Campaign, campaign["id"]).status == "draft"
