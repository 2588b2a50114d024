"""Consent per channel and purpose: the latest decision holds, the earlier
ones stay as history; with none recorded, service messages may be sent and
marketing and research may not; a customer nobody may reach is never
contactable; bad input is refused with the field named and nothing kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import (
    AuditEntry,
    ValidationError,
    consents_of,
    db,
    may_contact,
    record_consent,
    utcnow,
)
from core.models import CustomerConsent
from core.testing import plugin_module


def decide(customer, status, channel="sms", purpose="marketing", **more):
    return record_consent(
        customer, {"channel": channel, "purpose": purpose, "status": status, **more}, None
    )


def test_without_a_decision_service_is_allowed_and_marketing_and_research_are_not(make_customer):
    customer = make_customer()
    assert may_contact([customer.id], "sms", "service") == {customer.id}
    assert may_contact([customer.id], "sms", "marketing") == set()
    assert may_contact([customer.id], "email", "research") == set()


def test_the_latest_decision_holds_and_the_earlier_ones_stay_as_history(make_customer):
    customer = make_customer()
    first = decide(customer, "granted", decided_at=utcnow() - timedelta(days=3))
    assert may_contact([customer.id], "sms", "marketing") == {customer.id}
    second = decide(customer, "withdrawn", source="verbal", note="said on the phone")
    assert may_contact([customer.id], "sms", "marketing") == set()
    assert [row.id for row in consents_of(customer.id)] == [second.id, first.id]
    assert (first.status, second.status, second.source) == ("granted", "withdrawn", "verbal")


def test_a_backdated_decision_does_not_override_a_later_one(make_customer):
    customer = make_customer()
    decide(customer, "withdrawn", purpose="service", decided_at=utcnow() - timedelta(days=1))
    decide(customer, "granted", purpose="service", decided_at=utcnow() - timedelta(days=10))
    assert may_contact([customer.id], "sms", "service") == set()


def test_each_channel_and_purpose_is_decided_apart(make_customer):
    customer, other = make_customer(), make_customer()
    decide(customer, "granted", channel="post")
    decide(customer, "withdrawn", channel="sms", purpose="service")
    assert may_contact([customer.id, other.id], "post", "marketing") == {customer.id}
    assert may_contact([customer.id, other.id], "sms", "marketing") == set()
    assert may_contact([customer.id, other.id], "sms", "service") == {other.id}
    assert may_contact([customer.id, other.id], "email", "service") == {customer.id, other.id}


def test_many_customers_are_answered_in_batches(make_customer):
    granted = make_customer()
    decide(granted, "granted")
    ids = [*range(10_000_000, 10_001_200), granted.id]
    assert may_contact(ids, "sms", "marketing") == {granted.id}
    assert len(may_contact(ids, "sms", "service")) == len(ids)


def test_a_customer_nobody_may_reach_is_never_contactable(register_plugin, make_customer):
    barred: set[int] = set()
    register_plugin(
        plugin_module(
            "deceased",
            trellis_customers_not_to_contact=lambda customer_ids: barred & set(customer_ids),
        )
    )
    gone, alive = make_customer(), make_customer()
    decide(gone, "granted")
    decide(alive, "granted")
    barred.add(gone.id)
    assert may_contact([gone.id, alive.id], "sms", "marketing") == {alive.id}
    assert may_contact([gone.id, alive.id], "sms", "service") == {alive.id}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"purpose": "gossip"}, "purpose"),
        ({"status": "maybe"}, "status"),
        ({"source": "rumour"}, "source"),
        ({"decided_at": (utcnow() + timedelta(days=1)).isoformat()}, "decided_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(make_customer, change, field):
    customer = make_customer()
    payload = {"channel": "sms", "purpose": "marketing", "status": "granted", **change}
    with pytest.raises(ValidationError) as caught:
        record_consent(customer, payload, None)
    assert field in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count(CustomerConsent.id))) == 0


def test_a_decision_is_audited_on_the_customer(make_customer, make_user):
    customer, clerk = make_customer(), make_user(role="admin")
    row = record_consent(
        customer, {"channel": "post", "purpose": "research", "status": "granted"}, clerk
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "customer", AuditEntry.action == "consent")
    )
    assert entry is not None and entry.entity_id == customer.id and entry.user_id == clerk.id
    assert entry.after["purpose"] == "research" and row.recorded_by_id == clerk.id


def test_purge_takes_the_decisions_with_the_customer(make_customer):
    from core.services.customers import delete_customer, purge_customer

    customer = make_customer()
    decide(customer, "granted")
    delete_customer(customer, None)
    purge_customer(customer, None)
    assert db.session.scalar(select(func.count(CustomerConsent.id))) == 0


def test_a_merge_moves_the_decisions_and_the_latest_still_holds(make_customer):
    from core.services.customers import merge_customers

    kept, duplicate = make_customer(), make_customer()
    decide(kept, "granted", decided_at=utcnow() - timedelta(days=5))
    decide(duplicate, "withdrawn", decided_at=utcnow() - timedelta(days=1))
    merge_customers(kept, duplicate, None)
    assert len(consents_of(kept.id)) == 2 and consents_of(duplicate.id) == []
    assert may_contact([kept.id], "sms", "marketing") == set()  # the later withdrawal
