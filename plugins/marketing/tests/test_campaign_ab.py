"""An A/B test of an e-mail campaign's subject, through a real local SMTP
server: the test group is drawn and split, the rest held; the winner (by
open or click rate, a tie to the template's subject) is decided only when
its hours have passed and the test group is all sent, and goes to everyone
else; the figures per subject are the test group's; bad tests are refused
naming the field; the pages show it in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import db, utcnow
from plugins.marketing.models import Campaign, Recipient
from plugins.marketing.services.campaigns import abtest, sending

from .smtp import campaign_of, consenting, mail_app, smtp_server  # noqa: F401

API = "/api/v1/marketing"
LEADS = [{"field": "stage", "op": "is", "value": "lead"}]
TEST = {"subject_b": "Last chance, {{ customer.name }}", "test_percent": 40, "test_hours": 2}
PIXEL = re.compile(r"(/m/o/[^\"']+\.gif)")


@pytest.fixture
def leads(make_user, make_customer):
    """A manager with twenty consenting leads; the manager."""
    manager = make_user(role="manager", name="Mona", email="mona@example.com")
    for n in range(20):
        consenting(
            make_customer(
                name=f"Lead {n:02}",
                emails=[f"lead{n}@example.com"],
                owner_id=manager.id,
                stage="lead",
            )
        )
    return manager


def _by_status(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Recipient.status, func.count())
        .where(Recipient.campaign_id == campaign_id)
        .group_by(Recipient.status)
    )
    return dict(rows.all())


def _open(client, message) -> None:
    html = message.get_body(("html",)).get_content()
    pixel = PIXEL.search(html).group(1)
    assert client.get(pixel).status_code == 200


def test_the_better_subject_wins_after_its_hours_and_goes_to_the_rest(
    mail_app,
    smtp_server,
    leads,
    as_user,
    client,  # noqa: F811
):
    api = as_user(leads)
    campaign = campaign_of(api, LEADS, **TEST)
    assert campaign["subject_b"] == TEST["subject_b"] and campaign["winner"] is None
    assert api.post(f"{API}/campaigns/{campaign['id']}/send").status_code == 200

    # 40 in a hundred of 20: four get each subject, twelve wait for the winner
    assert _by_status(campaign["id"]) == {"sent": 8, "held": 12}
    subjects = [m["Subject"] for m in smtp_server.messages]
    a = [m for m in smtp_server.messages if m["Subject"].startswith("Hello ")]
    b = [m for m in smtp_server.messages if m["Subject"].startswith("Last chance, ")]
    assert len(a) == len(b) == 4, subjects
    found = db.session.get(Campaign, campaign["id"])
    assert found.status == "sending"  # not done while recipients are held

    for message in b[:3] + a[:1]:  # three of B's four open, one of A's
        _open(client, message)
    assert abtest.pick_winners(utcnow() + timedelta(hours=1)) == []  # the test still runs
    assert _by_status(campaign["id"])["held"] == 12

    assert abtest.pick_winners(utcnow() + timedelta(hours=2, minutes=1)) == [campaign["id"]]
    sending.run(campaign["id"], pace=False)
    db.session.expire_all()
    assert _by_status(campaign["id"]) == {"sent": 20}
    assert found.status == "sent" and found.winner == "b" and found.winner_at is not None
    rest = smtp_server.messages[8:]
    assert len(rest) == 12 and all(m["Subject"].startswith("Last chance, Lead ") for m in rest)
    assert len(set(smtp_server.to())) == 20  # nobody twice

    results = api.get(f"{API}/campaigns/{campaign['id']}/results").json
    assert results["variants"]["a"] == {
        "sent": 4,
        "opened": 1,
        "clicked": 0,
        "open_rate": 0.25,
        "click_rate": 0.0,
    }
    assert results["variants"]["b"]["sent"] == 4 and results["variants"]["b"]["open_rate"] == 0.75
    assert results["by_status"]["sent"] == 20 and results["by_status"]["held"] == 0


def test_a_test_send_shows_both_subjects(mail_app, smtp_server, leads, as_user):  # noqa: F811
    api = as_user(leads)
    campaign = campaign_of(api, LEADS, **TEST)
    assert api.post(f"{API}/campaigns/{campaign['id']}/test").status_code == 200
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert smtp_server.to() == ["mona@example.com"] * 2
    assert subjects[0].endswith("Hello Lead 00") and subjects[1].endswith("Last chance, Lead 00")


def test_a_tie_goes_to_the_templates_subject_and_clicks_can_decide(
    mail_app,
    smtp_server,
    leads,
    as_user,  # noqa: F811
):
    api = as_user(leads)
    campaign = campaign_of(api, LEADS, **TEST, winner_by="click")
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    # opens do not count for a test decided by clicks: nothing clicked, a tie
    assert abtest.pick_winners(utcnow() + timedelta(hours=3)) == [campaign["id"]]
    assert db.session.get(Campaign, campaign["id"]).winner == "a"
    sending.run(campaign["id"], pace=False)
    assert sum(m["Subject"].startswith("Hello ") for m in smtp_server.messages) == 16


def test_no_winner_while_the_test_group_is_still_being_sent(
    mail_app,
    smtp_server,
    leads,
    as_user,  # noqa: F811
):
    api = as_user(leads)
    campaign = campaign_of(api, LEADS, **TEST, rate=3)
    sending.start(db.session.get(Campaign, campaign["id"]))
    sending.run(campaign["id"], pace=False)  # three of the eight in the test
    assert _by_status(campaign["id"]) == {"sent": 3, "queued": 5, "held": 12}
    assert abtest.pick_winners(utcnow() + timedelta(hours=5)) == []


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"test_percent": 20}, "subject_b"),
        ({"subject_b": "Other"}, "test_percent"),
        ({"subject_b": "Other", "test_percent": 5}, "test_percent"),
        ({"subject_b": "Other", "test_percent": 60}, "test_percent"),
        ({"subject_b": "Hi {{ customer.age }}", "test_percent": 20}, "subject_b"),
        ({"subject_b": "Other", "test_percent": 20, "test_hours": 0}, "test_hours"),
        ({"subject_b": "Other", "test_percent": 20, "winner_by": "revenue"}, "winner_by"),
    ],
)
def test_a_bad_test_is_refused_naming_its_field(leads, as_user, fields, field):
    api = as_user(leads)
    segment = api.post(f"{API}/segments", json={"name": "S", "conditions": LEADS}).json
    template = api.post(
        f"{API}/templates", json={"name": "T", "subject_en": "Hi", "body_en": "<p>Hi</p>"}
    ).json
    body = {"name": "C", "segment_id": segment["id"], "template_id": template["id"], **fields}
    refused = api.post(f"{API}/campaigns", json=body)
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_an_sms_campaign_has_no_subject_to_test(leads, as_user):
    api = as_user(leads)
    segment = api.post(f"{API}/segments", json={"name": "S", "conditions": LEADS}).json
    template = api.post(
        f"{API}/templates", json={"name": "T", "channel": "sms", "text_en": "Hi"}
    ).json
    body = {"name": "C", "segment_id": segment["id"], "template_id": template["id"]}
    refused = api.post(f"{API}/campaigns", json={**body, "subject_b": "B", "test_percent": 20})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["test_percent"]
    # nor may a draft's test be switched on later without its second subject
    created = api.post(f"{API}/campaigns", json=body).json
    changed = api.patch(
        f"{API}/campaigns/{created['id']}", json={"test_percent": 20, "version": created["version"]}
    )
    assert changed.status_code == 422 and list(changed.json["errors"]) == ["test_percent"]


@pytest.mark.parametrize(
    "locale,words", [("en", ("A/B test of the subject", "Winner")), ("zh_CN", None)]
)
def test_the_form_and_the_campaign_page_show_the_test(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,
    login_as,
    locale,
    words,  # noqa: F811
):
    manager = make_user(role="manager", locale=locale, email="m@example.com")
    for n in range(4):
        consenting(
            make_customer(
                name=f"Lead {n}", emails=[f"l{n}@example.com"], owner_id=manager.id, stage="lead"
            )
        )
    campaign = campaign_of(as_user(manager), LEADS)
    page = login_as(manager)
    form = page.get(f"/marketing/campaigns/{campaign['id']}/edit").get_data(as_text=True)
    assert 'name="subject_b"' in form and 'name="test_percent"' in form
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    saved = page.post(
        f"/marketing/campaigns/{campaign['id']}",
        data={
            "csrf_token": token,
            "version": campaign["version"],
            "name": "Spring sale",
            "segment_id": campaign["segment_id"],
            "template_id": campaign["template_id"],
            "language": "en",
            "rate": "600",
            "subject_b": "Last chance, {{ customer.name }}",
            "test_percent": "50",
            "test_hours": "2",
            "winner_by": "open",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    as_user(manager).post(f"{API}/campaigns/{campaign['id']}/send")
    abtest.pick_winners(utcnow() + timedelta(hours=3))
    shown = page.get(f"/marketing/campaigns/{campaign['id']}").get_data(as_text=True)
    assert 'id="ab-test"' in shown and 'id="variant-b"' in shown
    assert "Last chance, {{ customer.name }}" in shown
    row_a = shown.split('id="variant-a"', 1)[1].split('id="variant-b"', 1)[0]
    assert 'class="badge ok"' in row_a  # a tie (nobody opened): the template's subject won
    if words:
        assert all(w in shown for w in words)
    else:
        assert "主题 A/B 测试" in shown and "胜出" in shown
