"""A quote's way to the customer's answer: revisions keep the old quote as it
was, send / accept / reject move it on, an accepted quote becomes a contract
in the same transaction, expired quotes are not accepted, and other plugins
hear of an acceptance after the commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import StateError, ValidationError, db
from core.testing import plugin_module
from plugins.sales.models import Contract, Quote
from plugins.sales.services.quotes import editing, lifecycle

from .quote_fixtures import *  # noqa: F403
from .quote_fixtures import tomorrow


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_quotes_are_numbered_by_the_default_pattern(make_quote):
    first, second = make_quote(), make_quote()
    month = editing.today().strftime("%Y%m")
    assert first.number == f"QT-{month}-0001" and second.number == f"QT-{month}-0002"
    assert first.revision == 1 and first.status == "draft"


def test_a_revision_is_a_new_row_and_the_old_quote_is_kept_as_it_was(make_quote, people):
    old = make_quote(discount_percent="5", valid_until=tomorrow(), terms="30 days net")
    before = {line.description: (line.unit_price, line.total) for line in old.lines}
    lifecycle.send_quote(old, people["rep"])
    new = editing.revise_quote(old, people["rep"])
    assert new.id != old.id and new.number == old.number and new.revision == 2
    assert new.supersedes_id == old.id and new.status == "draft"
    assert (new.total, new.terms, new.discount_percent) == (old.total, "30 days net", Decimal("5"))
    editing.update_quote(
        new,
        {"lines": [{"description": "Tea", "unit_price": "99.00", "quantity": "1"}]},
        people["rep"],
    )
    db.session.expire_all()
    kept = db.session.get(Quote, old.id)
    assert kept.status == "superseded" and kept.sent_at is not None
    assert {line.description: (line.unit_price, line.total) for line in kept.lines} == before
    assert db.session.get(Quote, new.id).total == Decimal("94.05")  # 99 less 5 %
    with pytest.raises(StateError) as caught:  # a superseded quote is not changed
        editing.update_quote(kept, {"title": "Changed"}, people["rep"])
    assert "status" in caught.value.errors


def test_send_then_accept_stamps_the_quote_and_makes_a_contract(make_quote, people, as_user):
    quote = make_quote(valid_until=tomorrow())
    api = as_user(people["rep"])
    sent = api.post(f"/api/v1/sales/quotes/{quote.id}/send", json={})
    assert sent.status_code == 200 and sent.json["status"] == "sent" and sent.json["sent_at"]
    accepted = api.post(f"/api/v1/sales/quotes/{quote.id}/accept", json={})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["decided_at"]
    contract = db.session.get(Contract, accepted.json["contract_id"])
    assert contract.quote_id == quote.id and contract.amount == quote.total
    assert contract.customer_id == quote.customer_id and contract.status == "draft"


def test_accepting_without_a_contract_makes_none(make_quote, people):
    quote = make_quote()
    lifecycle.send_quote(quote, people["rep"])
    accepted, contract = lifecycle.accept_quote(quote, people["rep"], create_contract=False)
    assert accepted.status == "accepted" and contract is None and count(Contract) == 0


def test_a_contract_that_cannot_be_made_leaves_the_quote_sent(make_quote, people):
    """The contract is made in the acceptance's transaction: its refusal undoes both."""
    quote = make_quote(lines=[{"description": "Free sample", "unit_price": "0", "quantity": "1"}])
    lifecycle.send_quote(quote, people["rep"])
    with pytest.raises(ValidationError):
        lifecycle.accept_quote(quote, people["rep"])  # a contract of 0 is refused
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == "sent" and count(Contract) == 0


def test_reject_and_the_states_that_refuse_a_decision(make_quote, people, as_user):
    draft = make_quote()
    api = as_user(people["rep"])
    early = api.post(f"/api/v1/sales/quotes/{draft.id}/accept", json={})
    assert early.status_code == 409 and "status" in early.json["errors"]
    lifecycle.send_quote(draft, people["rep"])
    rejected = api.post(f"/api/v1/sales/quotes/{draft.id}/reject", json={})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    again = api.post(f"/api/v1/sales/quotes/{draft.id}/send", json={})
    assert again.status_code == 409 and "status" in again.json["errors"]
    revised = api.post(f"/api/v1/sales/quotes/{draft.id}/revise", json={})
    assert revised.status_code == 201 and revised.json["revision"] == 2
    assert [r["status"] for r in revised.json["revisions"]] == ["superseded", "draft"]


def test_a_quote_past_its_validity_is_expired_daily_and_not_accepted(make_quote, people):
    quote = make_quote(valid_until=editing.today().isoformat())
    lifecycle.send_quote(quote, people["rep"])
    assert lifecycle.expire_quotes(editing.today()) == 0  # valid through today
    # the next day, before the daily job has run, accepting is refused already
    quote.valid_until = editing.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(StateError) as caught:
        lifecycle.accept_quote(quote, people["rep"])
    assert "valid_until" in caught.value.errors
    assert lifecycle.expire_quotes() == 1 and lifecycle.expire_quotes() == 0
    db.session.expire_all()
    expired = db.session.get(Quote, quote.id)
    assert expired.status == "expired" and expired.decided_at is None
    with pytest.raises(StateError):
        lifecycle.accept_quote(expired, people["rep"])
    assert editing.revise_quote(expired, people["rep"]).valid_until is None


def test_a_stale_version_is_refused(make_quote, people, as_user):
    quote = make_quote()
    api = as_user(people["rep"])
    stale = api.patch(
        f"/api/v1/sales/quotes/{quote.id}", json={"title": "New", "version": quote.version + 5}
    )
    assert stale.status_code == 409
    fresh = api.patch(
        f"/api/v1/sales/quotes/{quote.id}", json={"title": "New", "version": quote.version}
    )
    assert fresh.status_code == 200 and fresh.json["title"] == "New"


def test_hook_trellis_sales_quote_accepted(register_plugin, people, deal):
    heard = []

    def listener(quote):
        # after the commit: another connection reads the acceptance already
        with db.engine.connect() as other:
            seen = other.scalar(select(Quote.status).where(Quote.id == quote.id))
        heard.append((quote.number, seen))

    register_plugin(plugin_module("listener", trellis_sales_quote_accepted=listener))
    quote = editing.create_quote({"deal_id": deal.id}, people["rep"])
    lifecycle.send_quote(quote, people["rep"])
    assert heard == []
    lifecycle.accept_quote(quote, people["rep"], create_contract=False)
    assert heard == [(quote.number, "accepted")]
