"""SMS campaigns sent through a real local server answering like Twilio's
Messages resource (core.testing.servers): who gets a text (SMS consent, a
valid mobile number, the suppression list, each number once), what it says
(merge fields and the opt-out line), a rejected number suppressed, and that
a provider saying "later" mid-campaign loses nothing and texts nobody
twice. The template's text is refused naming its column when too long or
naming an unknown field, and the form shows the number of SMS parts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import db, may_contact, record_consent
from core.testing.servers import TWILIO_ACCOUNT, TWILIO_FROM, TWILIO_TOKEN
from core.testing.servers import trellis_sms_server as sms_server  # noqa: F401
from plugins.marketing.models import Campaign, CampaignTemplate, Recipient, Suppression
from plugins.marketing.services.campaigns import sending
from plugins.marketing.services.campaigns.texts import opt_out_line

API = "/api/v1/marketing"
SMS_TEMPLATE = {
    "name": "Spring text",
    "channel": "sms",
    "text_en": "Hi {{ customer.name }}, our spring sale starts Friday. {{ owner.name }}",
    "text_zh_CN": "{{ customer.name }}您好，春季促销周五开始。",
}
FIXED_LINE = "+861065529988"  # a Beijing number: no texts


def mobile(n: int) -> str:
    return f"+86138001380{n:02d}"


@pytest.fixture
def sms_app(app, make_app, sms_server):  # noqa: F811
    """An app texting through ``sms_server`` (the newest app: the clients use it)."""
    return make_app(TRELLIS_SMS_URL=sms_server.url)


def texting(customer, status: str = "granted"):
    """Record ``customer``'s marketing SMS consent."""
    payload = {"channel": "sms", "purpose": "marketing", "status": status, "source": "form"}
    record_consent(customer, payload, None, already_confirmed=True)
    return customer


def sms_campaign_of(api, **fields) -> dict:
    """A segment of everyone the user sees, the SMS template and a draft
    campaign of them, through the API; the campaign's JSON."""
    segment = api.post(f"{API}/segments", json={"name": "All", "conditions": []})
    template = api.post(f"{API}/templates", json=SMS_TEMPLATE)
    assert template.status_code == 201, template.json
    body = {"name": "Spring texts", "segment_id": segment.json["id"], **fields}
    created = api.post(f"{API}/campaigns", json={**body, "template_id": template.json["id"]})
    assert created.status_code == 201, created.json
    return created.json


def _statuses(campaign_id: int) -> dict[str, str]:
    rows = db.session.execute(
        select(Recipient.phone, Recipient.status).where(Recipient.campaign_id == campaign_id)
    )
    return dict(rows.all())


def test_each_consenting_mobile_gets_the_text_once_through_the_job(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    make_contact,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager", name="Mona Manager")
    own = {"owner_id": manager.id}
    texting(make_customer(name="Ann", phones=[mobile(0)], **own))
    make_customer(name="Bob", phones=[mobile(1)], **own)  # never agreed to texts
    texting(make_customer(name="Cid", phones=[FIXED_LINE], **own))  # no mobile
    texting(make_customer(name="Dee", phones=[mobile(3)], **own))
    erin = texting(make_customer(name="Erin Ltd", **own))
    make_contact(erin, name="Erin", phones=[mobile(4)], is_primary=True)
    texting(make_customer(name="Ann again", phones=[mobile(0)], **own))
    texting(make_customer(name="Fay", phones=[FIXED_LINE, mobile(5)], **own))
    withdrew = texting(make_customer(name="Gus", phones=[mobile(6)], **own))
    texting(withdrew, "withdrawn")
    api = as_user(manager)
    suppressed = api.post(f"{API}/unsubscribe", json={"phone": "+86 138 0013 8003"})
    assert suppressed.status_code == 200, suppressed.json
    assert suppressed.json["phone"] == mobile(3)
    campaign = sms_campaign_of(api)
    assert campaign["channel"] == "sms"  # the template's
    started = api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert started.status_code == 200, started.json

    assert sorted(sms_server.to()) == [mobile(0), mobile(4), mobile(5)]
    erins = next(m for m in sms_server.messages if m["To"] == mobile(4))
    assert erins["Body"] == (
        "Hi Erin Ltd, our spring sale starts Friday. Mona Manager\nReply TD to unsubscribe"
    )
    assert erins["From"] == TWILIO_FROM and erins["auth"] == f"{TWILIO_ACCOUNT}:{TWILIO_TOKEN}"
    assert _statuses(campaign["id"]) == dict.fromkeys([mobile(0), mobile(4), mobile(5)], "sent")
    sid = db.session.scalar(select(Recipient.message_id).where(Recipient.phone == mobile(4)))
    assert sid == erins["sid"]
    assert db.session.get(Campaign, campaign["id"]).status == "sent"
    listed = api.get(f"{API}/campaigns/{campaign['id']}/recipients").json["items"]
    assert {r["phone"] for r in listed} == {mobile(0), mobile(4), mobile(5)}
    assert {r["email"] for r in listed} == {None}
    found = api.get(f"{API}/campaigns/{campaign['id']}/recipients?q=3800138004").json["items"]
    assert [r["phone"] for r in found] == [mobile(4)]
    results = api.get(f"{API}/campaigns/{campaign['id']}/results").json
    assert results["recipients"] == 3 and results["by_status"]["sent"] == 3
    assert api.post(f"{API}/campaigns/{campaign['id']}/send").status_code == 409
    assert len(sms_server.messages) == 3


def test_a_chinese_campaign_is_texted_in_chinese_with_its_opt_out_line(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    texting(make_customer(name="王先生", phones=[mobile(0)], owner_id=manager.id))
    api = as_user(manager)
    campaign = sms_campaign_of(api, language="zh_CN")
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    [message] = sms_server.messages
    # the line is translated into the campaign's language ("回复TD退订" from the
    # catalogue), whatever language the sender's page is in
    assert message["Body"] == f"王先生您好，春季促销周五开始。\n{opt_out_line('zh_CN')}"
    assert opt_out_line("en") == "Reply TD to unsubscribe"


def test_a_rejected_number_is_suppressed_and_the_rest_go_on(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    for n in range(3):
        texting(make_customer(name=f"c{n}", phones=[mobile(n)], owner_id=manager.id))
    sms_server.reject = {mobile(1)}
    api = as_user(manager)
    campaign = sms_campaign_of(api)
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert sorted(sms_server.to()) == [mobile(0), mobile(2)]
    assert _statuses(campaign["id"])[mobile(1)] == "bounced"
    reason = db.session.scalar(select(Suppression.reason).where(Suppression.phone == mobile(1)))
    assert reason == "rejected"
    assert db.session.get(Campaign, campaign["id"]).status == "sent"
    again = sms_campaign_of(api)
    api.post(f"{API}/campaigns/{again['id']}/send")
    assert mobile(1) not in _statuses(again["id"])
    assert sms_server.to().count(mobile(1)) == 0


def test_a_provider_saying_later_loses_nothing_and_texts_nobody_twice(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    numbers = [mobile(n) for n in range(6)]
    for number in numbers:
        texting(make_customer(name=number, phones=[number], owner_id=manager.id))
    api = as_user(manager)
    campaign = sms_campaign_of(api)
    sms_server.defer_after = 2  # "429 Too Many Requests" from the third text on
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    found = db.session.get(Campaign, campaign["id"])
    assert found.status == "sending" and "429" in (found.last_error or "")
    assert len(sms_server.messages) == 2
    assert sorted(_statuses(campaign["id"]).values()) == ["queued"] * 4 + ["sent"] * 2

    sms_server.defer_after = None
    sms_server.answers = [503]  # unavailable: still nothing lost
    assert "stopped" in sending.run(campaign["id"])
    assert list(_statuses(campaign["id"]).values()).count("queued") == 4

    assert sending.run_sending().startswith("0 started")  # the periodic job resumes
    assert sorted(sms_server.to()) == numbers  # each once
    db.session.expire_all()
    assert db.session.get(Campaign, campaign["id"]).status == "sent"


def test_a_text_that_may_have_gone_is_never_sent_again(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    for n in range(2):
        texting(make_customer(name=f"c{n}", phones=[mobile(n)], owner_id=manager.id))
    api = as_user(manager)
    campaign = sms_campaign_of(api)
    sms_server.answers = [500]  # the provider failed after taking the request
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert _statuses(campaign["id"]) == {mobile(0): "failed", mobile(1): "queued"}
    sending.run(campaign["id"])
    assert sms_server.to() == [mobile(1)]
    assert len(sms_server.requests) == 2  # the first number was tried once only


def test_consent_withdrawn_after_the_start_is_honoured(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    late = texting(make_customer(name="late", phones=[mobile(0)], owner_id=manager.id))
    texting(make_customer(name="keen", phones=[mobile(1)], owner_id=manager.id))
    campaign = sms_campaign_of(as_user(manager))
    found = db.session.get(Campaign, campaign["id"])
    sending.start(found)
    texting(late, "withdrawn")
    sending.run(found.id)
    assert sms_server.to() == [mobile(1)]
    assert _statuses(found.id)[mobile(0)] == "skipped"


def test_a_test_text_goes_to_the_number_given(
    sms_app,
    sms_server,
    make_user,
    as_user,  # noqa: F811
):
    api = as_user(make_user(role="manager", name="Mona"))
    campaign = sms_campaign_of(api)
    missing = api.post(f"{API}/campaigns/{campaign['id']}/test", json={})
    assert missing.status_code == 422 and "to" in missing.json["errors"]
    sent = api.post(f"{API}/campaigns/{campaign['id']}/test", json={"to": "+86 138 0013 8009"})
    assert sent.status_code == 200, sent.json
    [message] = sms_server.messages
    assert message["To"] == mobile(9) and message["Body"].startswith("[Test] Hi Sample customer")


def test_a_bad_sms_template_is_refused_naming_the_field(make_user, as_user):
    api = as_user(make_user(role="manager"))
    long = api.post(f"{API}/templates", json={**SMS_TEMPLATE, "text_zh_CN": "您" * 400})
    assert long.status_code == 422 and list(long.json["errors"]) == ["text_zh_CN"]
    assert "SMS parts" in long.json["errors"]["text_zh_CN"][0]
    unknown = api.post(f"{API}/templates", json={**SMS_TEMPLATE, "text_en": "{{ customer.age }}"})
    assert unknown.status_code == 422 and "customer.age" in unknown.json["errors"]["text_en"][0]
    mixed = api.post(f"{API}/templates", json={**SMS_TEMPLATE, "subject_en": "Hello"})
    assert mixed.status_code == 422 and "subject_en" in mixed.json["errors"]
    empty = api.post(f"{API}/templates", json={"name": "Empty", "channel": "sms"})
    assert empty.status_code == 422 and "text_en" in empty.json["errors"]
    assert db.session.scalar(select(func.count(CampaignTemplate.id))) == 0
    saved = api.post(f"{API}/templates", json=SMS_TEMPLATE).json
    changed = api.patch(
        f"{API}/templates/{saved['id']}", json={"channel": "email", "version": saved["version"]}
    )
    assert changed.status_code == 422 and "channel" in changed.json["errors"]
    segment = api.post(f"{API}/segments", json={"name": "All", "conditions": []}).json
    body = {"name": "x", "segment_id": segment["id"], "template_id": saved["id"]}
    wrong = api.post(f"{API}/campaigns", json={**body, "channel": "email"})
    assert wrong.status_code == 422 and "template_id" in wrong.json["errors"]


def _token(web, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text).group(1)


def test_the_template_form_shows_the_length_and_the_sms_parts(make_user, login_as):
    web = login_as(make_user(role="manager"))
    blank = web.get("/marketing/templates/new?channel=sms").text
    assert 'name="text_en"' in blank and 'name="subject_en"' not in blank
    form = {
        "name": "Fair",
        "channel": "sms",
        "text_en": "a" * 120,
        "text_zh_CN": "您" * 100,
        "csrf_token": _token(web, "/marketing/templates/new?channel=sms"),
    }
    assert web.post("/marketing/templates", data=form).status_code == 302
    template = db.session.scalar(select(CampaignTemplate))
    assert template.channel == "sms" and template.text_zh_CN == "您" * 100
    page = web.get(f"/marketing/templates/{template.id}/edit").text
    # 120 + a line break + "Reply TD to unsubscribe" (23) = 144: one GSM-7 part;
    # 100 + 1 + the Chinese line (回复TD退订: 6) = 107 UCS-2 characters: two parts
    english = re.search(r'id="parts-en">([^<]*)<', page).group(1)
    chinese = re.search(r'id="parts-zh_CN">([^<]*)<', page).group(1)
    assert "144" in english and "GSM-7" in english and "SMS parts: 1" in english
    length = 101 + len(opt_out_line("zh_CN"))
    assert f"{length} " in chinese and "UCS-2" in chinese and "SMS parts: 2" in chinese
    too_long = {
        **form,
        "text_en": "a" * 800,
        "version": str(template.version),
        "csrf_token": _token(web, f"/marketing/templates/{template.id}/edit"),
    }
    refused = web.post(f"/marketing/templates/{template.id}", data=too_long)
    assert refused.status_code == 422 and 'id="e-text_en"' in refused.text
    assert "6 SMS parts" in refused.text


def test_the_campaign_page_shows_the_channel_and_the_numbers(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    login_as,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    texting(make_customer(name="Ann", phones=[mobile(0)], owner_id=manager.id))
    campaign = sms_campaign_of(as_user(manager))
    web = login_as(manager)
    token = _token(web, f"/marketing/campaigns/{campaign['id']}")
    sent = web.post(f"/marketing/campaigns/{campaign['id']}/send", data={"csrf_token": token})
    assert sent.status_code == 302
    page = web.get(f"/marketing/campaigns/{campaign['id']}").text
    assert re.search(r'id="campaign-channel">SMS<', page)
    assert mobile(0) in page and 'id="count-opened"' not in page
    assert re.search(r'id="count-sent">1<', page)
    assert "Spring texts" in web.get("/marketing/campaigns").text


def test_the_link_in_a_text_unsubscribes_the_number(
    sms_app,
    sms_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    ann = texting(make_customer(name="Ann", phones=[mobile(0)], owner_id=manager.id))
    api = as_user(manager)
    segment = api.post(f"{API}/segments", json={"name": "All", "conditions": []}).json
    text = {**SMS_TEMPLATE, "text_en": "Sale! Stop: {{ unsubscribe_url }}"}
    template = api.post(f"{API}/templates", json=text).json
    body = {"name": "Linked", "segment_id": segment["id"], "template_id": template["id"]}
    campaign = api.post(f"{API}/campaigns", json=body).json
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    [message] = sms_server.messages
    link = re.search(r"http://localhost(/m/u/\S+)", message["Body"]).group(1)
    visitor = sms_app.test_client()
    shown = visitor.get(link)
    assert shown.status_code == 200 and mobile(0) in shown.text and "SMS" in shown.text
    assert ann.id in may_contact([ann.id], "sms", "marketing")
    assert visitor.post(link).status_code == 200
    assert may_contact([ann.id], "sms", "marketing") == set()
    reason = db.session.scalar(select(Suppression.reason).where(Suppression.phone == mobile(0)))
    assert reason == "unsubscribed"
