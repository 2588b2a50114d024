"""Leads: capture from the API, a web form and CSV; assignment rules;
conversion into customer + contact + deal; disqualification; bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import Activity, ConflictError, Contact, Customer, Team, ValidationError, db
from plugins.sales.models import AssignmentRule, Deal, Lead
from plugins.sales.services import leads
from plugins.sales.services import pipelines as pipeline_service

STAGES = [
    {"name": "Lead in", "probability": 10},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def pipeline(app):
    return pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)


def test_rules_assign_by_source_then_round_robin_within_a_team(app, make_user, db):
    team = Team(name="East")
    db.session.add(team)
    db.session.commit()
    a, b = make_user(team=team), make_user(team=team)
    expo = make_user()
    db.session.add_all(
        [
            AssignmentRule(position=0, source="exhibition", user_id=expo.id),
            AssignmentRule(position=1, team_id=team.id),
        ]
    )
    db.session.commit()
    owners = [
        leads.create_lead({"name": f"L{i}", "source": "website"}, None).owner_id for i in range(3)
    ]
    assert owners == [a.id, b.id, a.id]
    assert leads.create_lead({"name": "Fair", "source": "exhibition"}, None).owner_id == expo.id


def test_converting_makes_customer_contact_and_deal_once(app, pipeline, make_user, make_customer):
    rep = make_user()
    lead = leads.create_lead(
        {
            "name": "Li Na",
            "company": "Blue Sky Foods",
            "phone": "138 0000 1111",
            "source": "referral",
            "owner_id": rep.id,
            "notes": "Wants samples",
        },
        rep,
    )
    leads.convert(
        lead, {"pipeline_id": pipeline.id, "amount": "5000", "deal_title": "Samples"}, rep
    )
    assert lead.status == "converted" and lead.customer_id and lead.deal_id
    customer = db.session.get(Customer, lead.customer_id)
    assert customer.name == "Blue Sky Foods" and customer.owner_id == rep.id
    assert [c.name for c in customer.contacts] == ["Li Na"]
    deal = db.session.get(Deal, lead.deal_id)
    assert str(deal.amount) == "5000.00" and deal.contact_id == customer.contacts[0].id
    subjects = [
        a.subject
        for a in db.session.scalars(select(Activity).where(Activity.customer_id == customer.id))
    ]
    assert any("Converted from lead Li Na" in s for s in subjects)
    with pytest.raises(ConflictError, match="already Converted") as caught:
        leads.convert(lead, {}, rep)
    assert caught.value.details == {"lead_status": "converted"} and count(Customer) == 1


def test_a_failed_conversion_changes_nothing(app, make_user):
    rep = make_user()
    lead = leads.create_lead({"name": "Zhao", "owner_id": rep.id}, rep)
    with pytest.raises(ValidationError):
        leads.convert(lead, {"pipeline_id": 999}, rep)  # no such pipeline: after the customer
    assert count(Customer) == 0 and count(Contact) == 0
    assert db.session.get(Lead, lead.id).status == "new"


def test_conversion_may_attach_to_a_likely_duplicate(app, make_user, make_customer):
    rep = make_user()
    existing = make_customer(name="Blue Sky Foods", phones=["13800001111"], owner_id=rep.id)
    lead = leads.create_lead(
        {"name": "Wang", "company": "Blue Sky Foods", "phone": "13800001111", "owner_id": rep.id},
        rep,
    )
    assert [c.id for c in leads.likely_duplicates(lead)] == [existing.id]
    leads.convert(lead, {"customer_id": existing.id}, rep)
    assert lead.customer_id == existing.id and count(Customer) == 1


def test_a_leads_phone_is_checked_and_stored_as_core_stores_phones(app, make_user):
    rep = make_user()
    with pytest.raises(ValidationError) as refused:
        leads.create_lead({"name": "Wrong", "phone": "12"}, rep)
    assert list(refused.value.errors) == ["phone"] and "12" in refused.value.errors["phone"][0]
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    lead = leads.create_lead({"name": "Right", "phone": "138 0013 8000"}, rep)
    assert lead.phone == "+8613800138000"
    assert leads.create_lead({"name": "None", "phone": ""}, rep).phone is None


def test_disqualifying_needs_a_reason(app, make_user):
    lead = leads.create_lead({"name": "Spam Ltd"}, make_user())
    with pytest.raises(ValidationError):
        leads.disqualify(lead, "  ", None)
    leads.disqualify(lead, "Not a real company", None)
    assert lead.status == "disqualified"


def test_csv_import_reports_bad_rows_by_line_and_imports_none_unless_asked(app, make_user):
    rep = make_user()
    text = (
        "name,company,email,source\n"
        "Ann,Acme,ann@example.com,website\n"
        ",NoName Co,x@example.com,website\n"
        "Bob,Bobco,not-an-email,referral\n"
        "Cai,Caico,cai@example.com,exhibition\n"
    )
    report = leads.import_csv(text, rep)
    assert report["imported"] == 0 and [r["line"] for r in report["bad_rows"]] == [3, 4]
    assert "name" in report["bad_rows"][0]["errors"] and "email" in report["bad_rows"][1]["errors"]
    assert count(Lead) == 0
    assert leads.import_csv(text, rep, skip_bad=True)["imported"] == 2 and count(Lead) == 2


def test_a_file_that_is_not_csv_is_refused_as_a_whole(app, make_user):
    rep = make_user()
    with pytest.raises(ValidationError) as refused:
        leads.import_csv('name,company\nAnn,Acme\nBob,"Bob"co\n', rep, skip_bad=True)
    assert "line 3" in refused.value.errors["file"][0]
    assert count(Lead) == 0


def test_the_leads_api_converts_and_refuses_a_second_conversion(app, pipeline, make_user, as_user):
    rep = make_user()
    api = as_user(rep)
    created = api.post(
        "/api/v1/sales/leads", json={"name": "Chen", "company": "Chen Tea", "source": "cold_call"}
    )
    assert created.status_code == 201 and created.json["owner_id"] == rep.id
    lead_id = created.json["id"]
    first = api.post(f"/api/v1/sales/leads/{lead_id}/convert", json={"pipeline_id": pipeline.id})
    assert first.status_code == 200 and first.json["status"] == "converted"
    second = api.post(f"/api/v1/sales/leads/{lead_id}/convert", json={})
    assert second.status_code == 409 and second.json["lead_status"] == "converted"
    bad = api.post("/api/v1/sales/leads", json={"name": "X", "source": "telepathy"})
    assert bad.status_code == 422 and "source" in bad.json["errors"]
    other = as_user(make_user())
    assert other.get(f"/api/v1/sales/leads/{lead_id}").status_code == 404


def test_assignment_rules_through_the_api(app, make_user, as_user):
    admin, rep = make_user(role="admin"), make_user()
    api = as_user(admin)
    bad = api.put("/api/v1/sales/assignment-rules", json={"rules": [{"source": "website"}]})
    assert bad.status_code == 422
    good = api.put(
        "/api/v1/sales/assignment-rules", json={"rules": [{"source": "website", "user_id": rep.id}]}
    )
    assert good.status_code == 200 and good.json["rules"][0]["user_id"] == rep.id
    assert as_user(rep).put("/api/v1/sales/assignment-rules", json={"rules": []}).status_code == 403


@pytest.fixture
def web_form(app):
    return leads.new_form("Contact us", "website", None)


def test_the_public_web_form_captures_a_lead_without_signing_in(app, client, web_form, make_user):
    rep = make_user()
    db.session.add(AssignmentRule(position=0, user_id=rep.id))
    db.session.commit()
    page = client.get(f"/sales/forms/{web_form.key}")
    assert page.status_code == 200 and 'name="website"' in page.text
    sent = client.post(
        f"/sales/forms/{web_form.key}",
        data={"name": "Zhou Jie", "company": "Green Hills", "phone": "13912345678"},
    )
    assert sent.status_code == 201
    lead = db.session.scalar(select(Lead))
    assert (lead.name, lead.source, lead.owner_id) == ("Zhou Jie", "website", rep.id)


def test_the_web_form_refuses_a_wrong_key_drops_spam_and_names_missing_fields(
    app, client, web_form
):
    assert client.post("/sales/forms/not-the-key", data={"name": "x"}).status_code == 404
    spam = client.post(
        f"/sales/forms/{web_form.key}", data={"name": "Bot", "phone": "1", "website": "http://spam"}
    )
    assert spam.status_code == 200 and count(Lead) == 0
    empty = client.post(f"/sales/forms/{web_form.key}", data={"name": ""})
    assert empty.status_code == 422 and 'id="e-phone"' in empty.text and count(Lead) == 0


def test_the_web_form_is_rate_limited(app, client, web_form):
    answers = [
        client.post(
            f"/sales/forms/{web_form.key}", data={"name": f"N{i}", "phone": "13900000000"}
        ).status_code
        for i in range(12)
    ]
    assert answers[:10] == [201] * 10 and answers[10:] == [429, 429]
    assert count(Lead) == 10


def test_converting_in_the_browser_form(app, pipeline, make_user, login_as):
    rep = make_user()
    lead = leads.create_lead({"name": "Sun Li", "company": "Sun Trading", "owner_id": rep.id}, rep)
    client = login_as(rep)
    page = client.get(f"/sales/leads/{lead.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        f"/sales/leads/{lead.id}/convert",
        data={
            "csrf_token": token,
            "pipeline_id": pipeline.id,
            "deal_title": "Sun order",
            "amount": "1200",
            "currency": "CNY",
        },
    )
    assert answer.status_code == 302 and "/sales/deals/" in answer.location
    assert "Sun order" in client.get(answer.location).text
    listing = client.get("/sales/leads/?status=converted").text
    assert "Sun Li" in listing
    assert listing.count('aria-current="page"') == 2  # the Leads menu entry and the tab, only
    assert re.search(r'href="/sales/leads/" aria-current="page"', listing)


def test_a_lead_is_followed_up_and_its_history_joins_the_customer(
    app, pipeline, make_user, as_user, login_as
):
    rep = make_user()
    api = as_user(rep)
    lead_id = api.post(
        "/api/v1/sales/leads", json={"name": "Zhou", "company": "Zhou Tea", "source": "exhibition"}
    ).json["id"]
    called = api.post(
        f"/api/v1/sales/leads/{lead_id}/activities",
        json={"kind": "call", "subject": "Met at the expo, wants a quote"},
    )
    assert called.status_code == 201 and called.json["customer_id"] is None
    untimed = api.post(
        f"/api/v1/sales/leads/{lead_id}/activities",
        json={"kind": "task", "subject": "Send the quote"},
    )
    assert untimed.status_code == 422 and "due_at" in untimed.json["errors"]
    assert api.get(f"/api/v1/sales/leads/{lead_id}").json["status"] == "working"
    web = login_as(rep)
    page = web.get(f"/sales/leads/{lead_id}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    planned = web.post(
        f"/sales/leads/{lead_id}/activities",
        data={
            "csrf_token": csrf,
            "kind": "task",
            "subject": "Send the quote",
            "due_at": "2030-03-01T10:00",
        },
    )
    assert planned.status_code == 302
    assert "Send the quote" in web.get(f"/sales/leads/{lead_id}").text
    converted = api.post(f"/api/v1/sales/leads/{lead_id}/convert", json={}).json
    customer_id = converted["customer_id"]
    timeline = api.get(f"/api/v1/customers/{customer_id}/activities").json["items"]
    subjects = {a["subject"] for a in timeline}
    assert {"Met at the expo, wants a quote", "Send the quote"} <= subjects
    other = as_user(make_user())
    assert other.get(f"/api/v1/sales/leads/{lead_id}/activities").status_code == 404
