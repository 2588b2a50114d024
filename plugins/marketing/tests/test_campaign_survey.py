"""A survey sent by campaign: the template's ``{{ survey_url }}`` gives each
recipient an invitation of their own, over a real local SMTP server; the
answers reach the survey and a detractor's makes the owner a task. A campaign
and its template must agree on the survey, each refusal naming ``survey_id``."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from core.api import Activity, create_team, db
from plugins.marketing.models import SurveyInvitation, SurveyResponse
from plugins.marketing.services.campaigns import sending

from .smtp import TEMPLATE, campaign_of, consenting, mail_app, smtp_server  # noqa: F401

API = "/api/v1/marketing"
LEADS = [{"field": "stage", "op": "is", "value": "lead"}]
ASKING = {
    **TEMPLATE,
    "name": "Asking",
    "body_en": '<p>Dear {{ contact.name }}, <a href="{{ survey_url }}">tell us</a>.</p>',
    "body_zh_CN": '<p>{{ contact.name }}您好，<a href="{{ survey_url }}">请评价</a></p>',
}


def _survey(api, **fields) -> dict:
    body = {"name": "After the offer", "kind": "nps", "channel": "email", **fields}
    made = api.post(f"{API}/surveys", json=body)
    assert made.status_code == 201, made.json
    return made.json


def _asking_template(api) -> dict:
    made = api.post(f"{API}/templates", json=ASKING)
    assert made.status_code == 201, made.json
    return made.json


def test_a_campaign_and_its_template_must_agree_on_the_survey(make_user, as_user):
    api = as_user(make_user(role="manager"))
    survey = _survey(api)
    plain = campaign_of(api, LEADS)  # its template has no {{ survey_url }}
    asking = _asking_template(api)
    base = {"name": "C", "segment_id": plain["segment_id"]}

    no_survey = api.post(f"{API}/campaigns", json={**base, "template_id": asking["id"]})
    assert no_survey.status_code == 422 and "survey_id" in no_survey.json["errors"]
    no_link = api.patch(f"{API}/campaigns/{plain['id']}", json={"survey_id": survey["id"]})
    assert no_link.status_code == 422 and "survey_id" in no_link.json["errors"]
    unknown = api.post(
        f"{API}/campaigns", json={**base, "template_id": asking["id"], "survey_id": 999_999}
    )
    assert unknown.status_code == 404 and "survey_id" in unknown.json["errors"]
    closed = _survey(api, name="Closed one")
    assert api.patch(f"{API}/surveys/{closed['id']}", json={"status": "closed"}).status_code == 200
    refused = api.post(
        f"{API}/campaigns", json={**base, "template_id": asking["id"], "survey_id": closed["id"]}
    )
    assert refused.status_code == 409 and "survey_id" in refused.json["errors"]
    made = api.post(
        f"{API}/campaigns", json={**base, "template_id": asking["id"], "survey_id": survey["id"]}
    )
    assert made.status_code == 201, made.json
    assert made.json["survey_id"] == survey["id"]
    assert db.session.scalar(select(SurveyInvitation.id)) is None  # nothing sent yet


def test_each_recipient_gets_their_own_invitation_and_a_detractor_makes_a_task(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    team = create_team("Field", None)
    manager = make_user(role="manager", name="Mona Manager", team=team)
    rep = make_user(role="sales", name="Rita Rep", team=team)
    api = as_user(manager)
    for name in ("Ann", "Bob"):
        consenting(
            make_customer(
                name=name, emails=[f"{name.lower()}@example.com"], stage="lead", owner_id=rep.id
            )
        )
    survey = _survey(api)
    asking = _asking_template(api)
    segment = api.post(f"{API}/segments", json={"name": "Leads", "conditions": LEADS}).json
    campaign = api.post(
        f"{API}/campaigns",
        json={
            "name": "Ask them",
            "segment_id": segment["id"],
            "template_id": asking["id"],
            "survey_id": survey["id"],
        },
    ).json
    assert api.post(f"{API}/campaigns/{campaign['id']}/send").status_code == 200
    sending.run(campaign["id"], pace=False)
    links = {}
    for mail in smtp_server.messages:
        text = mail.get_body(("plain",)).get_content()
        links[str(mail["To"])] = re.search(r"\((\S*/m/s/[^)\s]+)\)", text).group(1)
    assert sorted(links) == ["ann@example.com", "bob@example.com"]
    assert links["ann@example.com"] != links["bob@example.com"]
    invitations = db.session.scalars(select(SurveyInvitation)).all()
    assert {(i.survey_id, i.occasion, i.sent_to) for i in invitations} == {
        (survey["id"], f"campaign:{campaign['id']}", "ann@example.com"),
        (survey["id"], f"campaign:{campaign['id']}", "bob@example.com"),
    }

    public = current_app.test_client()
    path = "/" + links["ann@example.com"].split("/", 3)[3]
    assert public.post(path, json={"score": 2}).status_code == 201
    assert public.post(path, json={"score": 9}).status_code == 409  # answered once only
    answered = db.session.scalar(select(SurveyResponse))
    assert (answered.score, answered.survey_id) == (2, survey["id"])
    tasks = db.session.scalars(select(Activity).where(Activity.due_at.is_not(None))).all()
    assert [(t.owner_id, t.customer_id) for t in tasks] == [(rep.id, answered.customer_id)]
    results = api.get(f"{API}/surveys/{survey['id']}/results").json
    assert (results["invitations"], results["responses"], results["nps"]) == (2, 1, -100.0)
