"""Deals that require approval: the sales plugin declares them to core's
approval engine through ``trellis_approvables`` (only ``core.api``, as a
third-party plugin would); a deal waiting for approval refuses every change
through the API and the pages; the manager's approval unlocks it; the deal
page submits and shows the approval; the demo has a flow and a waiting deal."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import ApprovalRequest, Team, db, is_locked, save_approval_flow
from plugins.sales.models import Deal
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services.approvals import RECORD, submit_deal

STAGES = [
    {"name": "Proposal", "probability": 50},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


@pytest.fixture
def people(app, make_user):
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    return {
        "admin": make_user(role="admin", name="Ada Admin"),
        "manager": make_user(role="manager", team=east, name="Max Manager"),
        "rep": make_user(role="sales", team=east, name="Rita Rep"),
    }


@pytest.fixture
def pipeline(app):
    return pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)


@pytest.fixture
def make_deal(people, pipeline, make_customer):
    customer = make_customer(name="Acme Tea", owner_id=people["rep"].id)

    def make(amount: str = "250000.00", title: str = "Tea for every office") -> Deal:
        return deal_service.create_deal(
            {
                "title": title,
                "customer_id": customer.id,
                "pipeline_id": pipeline.id,
                "amount": amount,
                "currency": "CNY",
            },
            people["rep"],
        )

    return make


@pytest.fixture
def large_deals(people):
    """The flow: a manager approves every deal above 100,000."""
    return save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Large deals",
            "condition": {"field": "amount", "op": "gt", "value": "100000"},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        people["admin"],
    )


def token(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


def test_deals_are_declared_approvable_with_amount_and_currency(people, as_user, login_as):
    admin = as_user(people["admin"])
    flow = {
        "record_type": RECORD,
        "name": "Dollar deals",
        "condition": {"field": "currency", "op": "eq", "value": "USD"},
        "steps": [{"approver_kind": "team_manager"}],
    }
    assert admin.post("/api/v1/approvals/flows", json=flow).status_code == 201
    bad = admin.post(
        "/api/v1/approvals/flows",
        json={**flow, "condition": {"field": "discount", "op": "gt", "value": 5}},
    )
    assert bad.status_code == 422
    assert "amount, currency" in bad.json["errors"]["condition.field"][0]
    form = login_as(people["admin"]).get("/approvals/flows/new")
    assert form.status_code == 200 and 'value="sales.deal"' in form.text


def test_without_a_matching_flow_a_deal_is_approved_at_once_and_stays_open(
    people, make_deal, large_deals
):
    small = make_deal(amount="5000.00", title="A sample box")
    request = submit_deal(small, people["rep"])
    assert request.status == "approved" and request.flow_id is None
    assert not is_locked(RECORD, small.id)
    deal_service.update_deal(small, {"title": "Two sample boxes"}, people["rep"])
    assert small.title == "Two sample boxes"


def test_a_large_deal_waits_locked_and_refuses_every_change_through_the_api(
    people, make_deal, large_deals, as_user, pipeline
):
    deal = make_deal()
    request = submit_deal(deal, people["rep"])
    assert request.status == "pending" and request.flow_id == large_deals.id
    assert is_locked(RECORD, deal.id)
    api = as_user(people["rep"])
    won = next(s for s in pipeline.stages if s.outcome == "won")
    refusals = [
        api.patch(f"/api/v1/sales/deals/{deal.id}", json={"amount": "90000.00"}),
        api.post(f"/api/v1/sales/deals/{deal.id}/stage", json={"stage_id": won.id}),
        api.put(
            f"/api/v1/sales/deals/{deal.id}/lines",
            json={"lines": [{"description": "Tea", "unit_price": "1.00", "quantity": "1"}]},
        ),
    ]
    for answer in refusals:
        assert answer.status_code == 409, answer.json
        assert answer.json["type"].endswith("approval-pending")
        assert "Tea for every office" in answer.json["detail"]
    db.session.expire_all()
    kept = db.session.get(Deal, deal.id)
    assert kept.amount == Decimal("250000.00") and kept.stage.name == "Proposal"
    assert kept.lines == [] and kept.version == deal.version
    again = api.post(
        "/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": deal.id}
    )
    assert again.status_code == 409 and "record_id" in again.json["errors"]


def test_the_managers_approval_unlocks_the_deal(people, make_deal, large_deals, as_user, pipeline):
    deal = make_deal()
    request = submit_deal(deal, people["rep"])
    rep = as_user(people["rep"])
    mine = rep.post(f"/api/v1/approvals/requests/{request.id}/approve", json={})
    assert mine.status_code == 403  # the submitter does not approve their own deal
    approved = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/approve", json={"comment": "Go"}
    )
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert not is_locked(RECORD, deal.id)
    won = next(s for s in pipeline.stages if s.outcome == "won")
    moved = rep.post(f"/api/v1/sales/deals/{deal.id}/stage", json={"stage_id": won.id})
    assert moved.status_code == 200 and moved.json["stage_id"] == won.id


def test_a_rep_who_may_not_see_the_deal_cannot_submit_it(
    people, make_deal, large_deals, as_user, make_user
):
    deal = make_deal()
    stranger = as_user(make_user(role="sales", name="Sam Stranger"))
    got = stranger.post(
        "/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": deal.id}
    )
    assert got.status_code == 404 and "record_id" in got.json["errors"]
    assert not is_locked(RECORD, deal.id)


def test_the_deal_page_submits_shows_the_wait_and_refuses_edits(
    people, make_deal, large_deals, login_as, pipeline
):
    deal = make_deal()
    client = login_as(people["rep"])
    page = client.get(f"/sales/deals/{deal.id}")
    assert "Submit for approval" in page.text and f"/sales/deals/{deal.id}/edit" in page.text
    sent = client.post(
        f"/sales/deals/{deal.id}/approval",
        data={"csrf_token": token(client, f"/sales/deals/{deal.id}")},
    )
    assert sent.status_code == 302
    request = db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.record_id == deal.id))
    assert request.status == "pending"
    page = client.get(f"/sales/deals/{deal.id}")
    assert "is waiting for approval" in page.text  # the flash
    assert "Waiting for approval" in page.text and f"/approvals/{request.id}" in page.text
    assert "Submit for approval" not in page.text
    assert f"/sales/deals/{deal.id}/edit" not in page.text  # no forms that would change it
    csrf = token(client, f"/sales/deals/{deal.id}/edit")
    edit = client.post(
        f"/sales/deals/{deal.id}/edit",
        data={"csrf_token": csrf, "title": "Changed", "amount": "1", "currency": "CNY"},
    )
    assert edit.status_code == 409
    assert "waits for approval" in edit.text and "Tea for every office" in edit.text
    assert 'value="Changed"' in edit.text  # the form again, with what was typed
    won = next(s for s in pipeline.stages if s.outcome == "won")
    moved = client.post(
        f"/sales/deals/{deal.id}/stage",
        data={"csrf_token": csrf, "stage_id": won.id, "version": deal.version},
    )
    assert moved.status_code == 302
    assert "waits for approval" in client.get(f"/sales/deals/{deal.id}").text
    lines = client.post(
        f"/sales/deals/{deal.id}/lines",
        data={
            "csrf_token": csrf,
            "version": deal.version,
            "line-0-description": "Tea",
            "line-0-unit_price": "1.00",
            "line-0-quantity": "1",
            "line-0-discount_percent": "0",
        },
    )
    assert lines.status_code == 409 and "waits for approval" in lines.text
    assert 'name="line-0-description"' in lines.text and 'value="Tea"' in lines.text
    db.session.expire_all()
    kept = db.session.get(Deal, deal.id)
    assert kept.title == "Tea for every office" and kept.stage.name == "Proposal"


def test_the_page_says_when_no_approval_was_needed(people, make_deal, large_deals, login_as):
    small = make_deal(amount="500.00", title="A sample box")
    client = login_as(people["rep"])
    client.post(
        f"/sales/deals/{small.id}/approval",
        data={"csrf_token": token(client, f"/sales/deals/{small.id}")},
    )
    page = client.get(f"/sales/deals/{small.id}").text
    assert "No approval needed: A sample box is approved." in page
    assert "Approved" in page and "Submit for approval" in page


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_has_a_large_deals_flow_and_a_deal_waiting_for_the_manager(
    locale, people, make_customer, make_user, as_user
):
    from plugins.sales.demo import load_demo
    from plugins.sales.demo.approvals import TEXT

    west = Team(name="West")
    db.session.add(west)
    db.session.commit()
    users = [
        people["admin"],
        people["manager"],
        make_user(role="sales", team=west, name="Wes West"),
        people["rep"],
    ]
    customers = [
        make_customer(name=f"Customer {i}", owner_id=users[1 + i % 3].id) for i in range(12)
    ]
    load_demo(locale, customers, users)
    db.session.commit()
    waiting = db.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.status == "pending", ApprovalRequest.record_type == RECORD
        )
    ).all()
    assert len(waiting) == 1
    request = waiting[0]
    assert request.record_type == RECORD and request.flow.name == TEXT[locale]["flow"]
    deal = db.session.get(Deal, request.record_id)
    assert deal.amount > Decimal(TEXT[locale]["threshold"]) and deal.closed_at is None
    assert is_locked(RECORD, deal.id)
    inbox = as_user(people["manager"]).get("/api/v1/approvals/inbox")
    assert request.id in [t["request_id"] for t in inbox.json["items"]]


def test_a_deal_s_approval_steps_stay_off_the_timeline_of_who_may_not_see_the_deal(
    people, make_deal, large_deals, as_user, make_user
):
    """The timeline entry of an approval step names the deal: it links to
    the deal's table, so the sales plugin shows it only to who may see the
    deal — the customer's rep sees the customer, not another owner's deal."""
    west = Team(name="West")
    db.session.add(west)
    db.session.commit()
    olga = make_user(role="sales", team=west, name="Olga Other")
    deal = make_deal(title="Secret tender")
    deal.owner_id, deal.team_id = olga.id, west.id
    db.session.commit()
    submit_deal(deal, people["admin"])
    db.session.commit()

    def subjects(user) -> list[str]:
        got = as_user(user).get(f"/api/v1/customers/{deal.customer_id}/activities")
        assert got.status_code == 200
        return [entry["subject"] for entry in got.json["items"]]

    assert "Submitted for approval: Secret tender" in subjects(people["admin"])
    assert not [s for s in subjects(people["rep"]) if "Secret tender" in s]
