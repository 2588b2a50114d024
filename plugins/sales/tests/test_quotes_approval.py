"""Quotes that require approval: a discount past a flow's threshold
(``effective_discount_percent`` > 15) is approved by a manager before the
quote is sent; while it waits the quote is locked (API and pages); a
rejected quote stays a draft; a quote within the threshold is sent at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import ApprovalRequest, StateError, db, is_locked
from plugins.sales.models import Quote
from plugins.sales.services.quotes import editing, lifecycle
from plugins.sales.services.quotes.approval import RECORD, submit_quote

from .quote_fixtures import *  # noqa: F403
from .quote_fixtures import token


def requests_of(quote) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ApprovalRequest)
        .where(ApprovalRequest.record_type == RECORD, ApprovalRequest.record_id == quote.id)
    )


def test_quotes_are_declared_approvable_by_effective_discount(people, as_user, discount_flow):
    admin = as_user(people["admin"])
    bad = admin.post(
        "/api/v1/approvals/flows",
        json={
            "record_type": RECORD,
            "name": "By amount",
            "condition": {"field": "amount", "op": "gt", "value": "5"},
            "steps": [{"approver_kind": "team_manager"}],
        },
    )
    assert bad.status_code == 422
    assert "currency, effective_discount_percent, total" in bad.json["errors"]["condition.field"][0]


def test_a_deep_discount_is_not_sent_before_approval_and_nothing_changes(
    make_quote, people, discount_flow, as_user
):
    quote = make_quote(discount_percent="10")  # 17.18 % below the list
    assert quote.effective_discount_percent > Decimal("15")
    refused = as_user(people["rep"]).post(f"/api/v1/sales/quotes/{quote.id}/send", json={})
    assert refused.status_code == 409 and "submit it first" in refused.json["errors"]["approval"][0]
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == "draft"
    assert requests_of(quote) == 0  # the engine was asked, nothing was kept


def test_a_small_discount_is_sent_without_approval(make_quote, people, discount_flow):
    quote = make_quote()  # 8.0 % below the list
    assert lifecycle.send_quote(quote, people["rep"]).status == "sent"
    assert requests_of(quote) == 0


def test_the_managers_approval_lets_the_quote_be_sent(make_quote, people, discount_flow, as_user):
    quote = make_quote(discount_percent="10")
    rep = as_user(people["rep"])
    submitted = rep.post(f"/api/v1/sales/quotes/{quote.id}/submit")
    assert submitted.status_code == 201 and submitted.json["status"] == "pending"
    assert is_locked(RECORD, quote.id)
    waiting = rep.post(f"/api/v1/sales/quotes/{quote.id}/send", json={})
    assert waiting.status_code == 409 and waiting.json["type"].endswith("approval-pending")
    approved = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{submitted.json['id']}/approve", json={"comment": "Go"}
    )
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    sent = rep.post(f"/api/v1/sales/quotes/{quote.id}/send", json={})
    assert sent.status_code == 200 and sent.json["status"] == "sent"
    detail = rep.get(f"/api/v1/sales/quotes/{quote.id}").json
    assert detail["approval"]["status"] == "approved"


def test_a_change_after_the_approval_needs_another(make_quote, people, discount_flow, as_user):
    quote = make_quote(discount_percent="10")
    request = submit_quote(quote, people["rep"])
    manager = as_user(people["manager"])
    assert (
        manager.post(f"/api/v1/approvals/requests/{request.id}/approve", json={}).status_code == 200
    )
    db.session.expire_all()
    editing.update_quote(quote, {"discount_percent": "20"}, people["rep"])
    with pytest.raises(StateError) as caught:
        lifecycle.send_quote(quote, people["rep"])
    assert "approval" in caught.value.errors


def test_a_rejected_quote_stays_a_draft_to_change(make_quote, people, discount_flow, as_user):
    quote = make_quote(discount_percent="10")
    request = submit_quote(quote, people["rep"])
    rejected = as_user(people["manager"]).post(
        f"/api/v1/approvals/requests/{request.id}/reject", json={"comment": "Too deep"}
    )
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    db.session.expire_all()
    kept = db.session.get(Quote, quote.id)
    assert kept.status == "draft" and not is_locked(RECORD, quote.id)
    with pytest.raises(StateError):
        lifecycle.send_quote(kept, people["rep"])
    editing.update_quote(kept, {"discount_percent": "0"}, people["rep"])  # 8 %: within the flow
    assert lifecycle.send_quote(kept, people["rep"]).status == "sent"


def test_a_waiting_quote_refuses_every_change_through_the_api(
    make_quote, people, discount_flow, as_user
):
    quote = make_quote(discount_percent="10")
    submit_quote(quote, people["rep"])
    api = as_user(people["rep"])
    for answer in (
        api.patch(f"/api/v1/sales/quotes/{quote.id}", json={"title": "Cheaper"}),
        api.patch(
            f"/api/v1/sales/quotes/{quote.id}",
            json={"lines": [{"description": "Tea", "unit_price": "1.00", "quantity": "1"}]},
        ),
        api.post(f"/api/v1/sales/quotes/{quote.id}/send", json={}),
        api.post(f"/api/v1/sales/quotes/{quote.id}/revise", json={}),
    ):
        assert answer.status_code == 409, answer.json
        assert answer.json["type"].endswith("approval-pending")
    db.session.expire_all()
    kept = db.session.get(Quote, quote.id)
    assert kept.title == "Tea for every office" and len(kept.lines) == 2
    assert kept.version == quote.version and kept.status == "draft"


def test_the_quote_page_submits_shows_the_wait_and_refuses_edits(
    make_quote, people, discount_flow, login_as
):
    quote = make_quote(discount_percent="10")
    web = login_as(people["rep"])
    page = web.get(f"/sales/quotes/{quote.id}").text
    assert "Submit for approval" in page and f"/sales/quotes/{quote.id}/edit" in page
    sent = web.post(
        f"/sales/quotes/{quote.id}/send",
        data={"csrf_token": token(web, f"/sales/quotes/{quote.id}"), "version": quote.version},
    )
    assert sent.status_code == 302
    page = web.get(f"/sales/quotes/{quote.id}").text
    assert "submit it first" in page  # the refusal, flashed
    web.post(
        f"/sales/quotes/{quote.id}/approval",
        data={"csrf_token": token(web, f"/sales/quotes/{quote.id}")},
    )
    page = web.get(f"/sales/quotes/{quote.id}").text
    assert "is waiting for approval" in page and "Waiting for approval" in page
    assert "Submit for approval" not in page and f"/sales/quotes/{quote.id}/edit" not in page
    assert f"/sales/quotes/{quote.id}/send" not in page
    edit = web.post(
        f"/sales/quotes/{quote.id}/edit",
        data={
            "csrf_token": token(web, f"/sales/quotes/{quote.id}/edit"),
            "version": quote.version,
            "title": "Changed",
            "discount_percent": "0",
            "tax_percent": "0",
            "line-0-description": "Tea",
            "line-0-unit_price": "1",
            "line-0-quantity": "1",
        },
    )
    assert edit.status_code == 409 and "waits for approval" in edit.text
    assert 'value="Changed"' in edit.text  # the form again, with what was typed
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).title == "Tea for every office"
