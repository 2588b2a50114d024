"""Contacts, the activity timeline, tasks and contact attempts."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import ValidationError
from core.models import Activity, Contact, utcnow
from core.services.activities import complete_task, log_activity, record_attempt
from core.services.contacts import create_contact, update_contact


def test_only_one_contact_per_customer_is_primary(make_customer, db):
    customer = make_customer()
    first = create_contact({"customer_id": customer.id, "name": "A", "is_primary": True}, None)
    second = create_contact({"customer_id": customer.id, "name": "B", "is_primary": True}, None)
    db.session.expire_all()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_a_contact_of_an_unknown_customer_is_refused(db):
    with pytest.raises(ValidationError) as err:
        create_contact({"customer_id": 424242, "name": "Ghost"}, None)
    assert "customer_id" in err.value.errors
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_contact_cannot_be_moved_to_another_customer(make_contact, make_customer):
    contact = make_contact()
    with pytest.raises(ValidationError) as err:
        update_contact(contact, {"customer_id": make_customer().id}, None)
    assert "customer_id" in err.value.errors


def test_a_call_sets_last_contacted_but_a_note_does_not(make_customer):
    customer = make_customer()
    log_activity({"kind": "note", "subject": "Thinking", "customer_id": customer.id}, None)
    assert customer.last_contacted_at is None
    when = utcnow() - timedelta(hours=2)
    log_activity(
        {
            "kind": "call",
            "subject": "Called",
            "customer_id": customer.id,
            "occurred_at": when.isoformat(),
        },
        None,
    )
    assert customer.last_contacted_at == when


def test_a_task_sets_the_next_follow_up_and_completing_it_clears_it(make_customer, make_user):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    due = utcnow() + timedelta(days=3)
    task = log_activity(
        {
            "kind": "task",
            "subject": "Send quote",
            "customer_id": customer.id,
            "due_at": due.isoformat(),
        },
        rep,
    )
    assert task.owner_id == rep.id and task.is_open
    assert customer.next_follow_up_at == due
    complete_task(task, rep)
    assert not task.is_open and customer.next_follow_up_at is None
    done_at = task.done_at
    complete_task(task, rep)  # idempotent
    assert task.done_at == done_at


def test_contact_attempts_are_recorded_on_the_task(make_customer):
    customer = make_customer()
    task = log_activity(
        {
            "kind": "task",
            "subject": "Call back",
            "customer_id": customer.id,
            "due_at": utcnow().isoformat(),
        },
        None,
    )
    miss = record_attempt(
        task, {"kind": "call", "subject": "No answer", "outcome": "no_answer"}, None
    )
    assert miss.task_id == task.id and task.is_open
    hit = record_attempt(
        task, {"kind": "call", "subject": "Reached", "outcome": "reached"}, None, done=True
    )
    assert hit.task_id == task.id and not task.is_open and task.outcome == "reached"
    assert customer.last_contacted_at == hit.occurred_at


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"kind": "telepathy", "subject": "x"}, "kind"),
        ({"kind": "call", "subject": ""}, "subject"),
        ({"kind": "call", "subject": "x", "due_at": "tomorrow"}, "due_at"),
        ({"kind": "call", "subject": "x", "link_type": "sales_deal"}, "link_id"),
    ],
)
def test_bad_activities_name_the_field_and_write_nothing(make_customer, db, payload, field):
    customer = make_customer()
    with pytest.raises(ValidationError) as err:
        log_activity({**payload, "customer_id": customer.id}, None)
    assert field in err.value.errors
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_a_contact_of_another_customer_is_refused(make_contact, make_customer):
    contact = make_contact()
    with pytest.raises(ValidationError) as err:
        log_activity(
            {
                "kind": "call",
                "subject": "x",
                "contact_id": contact.id,
                "customer_id": make_customer().id,
            },
            None,
        )
    assert "contact_id" in err.value.errors


def test_an_activity_can_link_to_a_plugin_record(make_customer):
    activity = log_activity(
        {
            "kind": "note",
            "subject": "Quote sent",
            "customer_id": make_customer().id,
            "link_type": "sales_deal",
            "link_id": 7,
        },
        None,
    )
    assert (activity.link_type, activity.link_id) == ("sales_deal", 7)
