"""Customers: normalised contact points, duplicates, validation that writes
nothing, optimistic locking, audit, recycle bin, owner changes, merge."""

import pytest
from sqlalchemy import func, select

from core.errors import StaleVersionError, ValidationError
from core.models import Activity, AuditEntry, Contact, Customer, CustomFieldDefinition, Tag
from core.services.customers import (
    change_owner,
    create_customer,
    delete_customer,
    merge_customers,
    restore_customer,
    update_customer,
)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_phones_and_emails_are_normalised_on_write(db):
    customer = create_customer(
        {
            "name": "Acme",
            "phones": ["138-0013-8000", "+86 138 0013 8000"],
            "emails": [" Sales@Acme.COM "],
        },
        None,
    ).customer
    assert customer.phones == ["+8613800138000"]
    assert customer.emails == ["sales@acme.com"]


@pytest.mark.parametrize(
    "second",
    [
        {"name": "Other name", "phones": ["13800138000"]},
        {"name": "Other name", "emails": ["SALES@acme.com"]},
        {"name": "  acme  "},
    ],
)
def test_creating_a_likely_duplicate_reports_it(db, second):
    first = create_customer(
        {"name": "Acme", "phones": ["138 0013 8000"], "emails": ["sales@acme.com"]}, None
    ).customer
    assert create_customer(second, None).duplicates == [first]


def test_a_duplicate_through_a_contacts_phone_is_reported(db, make_contact):
    contact = make_contact(phones=["+1 415 555 2671"])
    assert create_customer(
        {"name": "New Co", "phones": ["001 (415) 555-2671"]}, None
    ).duplicates == [contact.customer]


def test_a_customer_in_the_recycle_bin_is_not_reported_as_duplicate(db):
    old = create_customer({"name": "Acme"}, None).customer
    delete_customer(old, None)
    assert create_customer({"name": "Acme"}, None).duplicates == []


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A", "grade": "Z"}, "grade"),
        ({"name": "A", "owner_id": "7"}, "owner_id"),
        ({"name": "A", "owner_id": 999}, "owner_id"),
        ({"name": "A", "phones": ["call me"]}, "phones"),
        ({"name": "A", "emails": ["no-at-sign"]}, "emails"),
        ({"name": "A", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, events, payload, field):
    with pytest.raises(ValidationError) as err:
        create_customer(payload, None)
    assert field in err.value.errors
    assert count(db, Customer) == count(db, AuditEntry) == 0
    assert events.fired == []


def test_a_stale_version_is_refused_and_nothing_changes(db):
    customer = create_customer({"name": "Acme"}, None).customer
    update_customer(customer, {"industry": "Retail"}, None, expected_version=1)
    with pytest.raises(StaleVersionError):
        update_customer(customer, {"industry": "Food"}, None, expected_version=1)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).industry == "Retail"
    assert customer.version == 2


def test_an_update_is_audited_with_only_what_changed(db, make_user):
    admin = make_user(role="admin")
    customer = create_customer({"name": "Acme", "industry": "Retail"}, admin).customer
    update_customer(customer, {"industry": "Food", "name": "Acme"}, admin)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.user_id == admin.id and entry.entity == "customer"
    assert entry.before == {"industry": "Retail", "version": 1}
    assert entry.after == {"industry": "Food", "version": 2}


def test_an_update_that_changes_nothing_writes_nothing(db, events):
    customer = create_customer({"name": "Acme"}, None).customer
    events.clear()
    update_customer(customer, {"name": "Acme"}, None)
    assert events.fired == [] and customer.version == 1


def test_tags_are_created_once_and_reused(db):
    a = create_customer({"name": "A", "tags": ["VIP", "north"]}, None).customer
    b = create_customer({"name": "B", "tags": ["north"]}, None).customer
    assert count(db, Tag) == 2
    assert b.tags[0].id == next(t.id for t in a.tags if t.name == "north")


def test_change_owner_moves_the_team_and_refuses_an_inactive_user(db, make_user, events):
    from core.services.users import create_team

    team = create_team("East", None)
    rep, gone = make_user(team=team), make_user()
    gone.active = False
    db.session.commit()
    customer = create_customer({"name": "Acme"}, None).customer
    change_owner(customer, rep.id, None)
    assert (customer.owner_id, customer.team_id) == (rep.id, team.id)
    with pytest.raises(ValidationError) as err:
        change_owner(customer, gone.id, None)
    assert "owner_id" in err.value.errors and customer.owner_id == rep.id
    change_owner(customer, None, None)
    assert customer.owner_id is None  # back in the customer pool


def test_delete_goes_to_the_recycle_bin_and_restore_brings_it_back(db):
    customer = create_customer({"name": "Acme"}, None).customer
    delete_customer(customer, None)
    assert customer.deleted_at is not None and count(db, Customer) == 1
    restore_customer(customer, None)
    assert customer.deleted_at is None
    with pytest.raises(ValidationError):
        restore_customer(customer, None)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "delete", "restore"]


def test_merge_moves_contacts_and_activities_and_keeps_both_snapshots(
    db, make_contact, make_activity
):
    survivor = create_customer({"name": "Acme", "phones": ["13800138000"]}, None).customer
    other = create_customer(
        {"name": "ACME Ltd", "industry": "Retail", "phones": ["13900139000"], "tags": ["north"]},
        None,
    ).customer
    make_contact(customer=other, name="Li Lei")
    make_activity(customer=other, subject="Met at fair")
    merge_customers(survivor, other, None)
    assert other.deleted_at is not None
    assert survivor.industry == "Retail"
    assert survivor.phones == ["+8613800138000", "+8613900139000"]
    assert [t.name for t in survivor.tags] == ["north"]
    assert db.session.scalar(select(Contact.customer_id)) == survivor.id
    assert db.session.scalar(select(Activity.customer_id)) == survivor.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert entry.before["merged"]["name"] == "ACME Ltd" and entry.after["merged_id"] == other.id
    assert create_customer({"name": "x", "phones": ["13900139000"]}, None).duplicates == [survivor]


def test_a_customer_cannot_be_merged_with_itself(db):
    customer = create_customer({"name": "Acme"}, None).customer
    with pytest.raises(ValidationError) as err:
        merge_customers(customer, customer, None)
    assert "merge_id" in err.value.errors


@pytest.fixture
def fields(db):
    for key, type_, extra in [
        ("note", "text", {}),
        ("seats", "number", {}),
        ("budget", "money", {}),
        ("since", "date", {}),
        ("size", "choice", {"options": ["S", "M", "L"]}),
        ("channels", "multi_choice", {"options": ["web", "shop"]}),
        ("export", "boolean", {}),
        ("tax_id", "text", {"required": True}),
    ]:
        db.session.add(
            CustomFieldDefinition(entity="customer", key=key, label=key, type=type_, **extra)
        )
    db.session.commit()


def test_custom_field_values_are_checked_and_cleaned(fields):
    customer = create_customer(
        {
            "name": "Acme",
            "custom_fields": {
                "note": "hi",
                "seats": 12,
                "budget": "1999.50",
                "since": "2024-02-29",
                "size": "M",
                "channels": ["web", "web", "shop"],
                "export": True,
                "tax_id": "91310000",
            },
        },
        None,
    ).customer
    assert customer.custom_fields == {
        "note": "hi",
        "seats": 12,
        "budget": "1999.50",
        "since": "2024-02-29",
        "size": "M",
        "channels": ["web", "shop"],
        "export": True,
        "tax_id": "91310000",
    }


@pytest.mark.parametrize(
    "values, key",
    [
        ({"seats": "twelve"}, "seats"),
        ({"budget": 19.99}, "budget"),
        ({"budget": "1.234"}, "budget"),
        ({"since": "2023-02-29"}, "since"),
        ({"size": "XL"}, "size"),
        ({"channels": "web"}, "channels"),
        ({"export": "yes"}, "export"),
        ({"unknown": 1}, "unknown"),
        ({}, "tax_id"),
    ],
)
def test_a_custom_field_value_of_the_wrong_type_is_refused(db, fields, values, key):
    payload = {"tax_id": "9131", **values} if key != "tax_id" else values
    with pytest.raises(ValidationError) as err:
        create_customer({"name": "Acme", "custom_fields": payload}, None)
    assert f"custom_fields.{key}" in err.value.errors
    assert count(db, Customer) == 0


def test_change_owner_moves_the_old_owners_open_tasks_on_that_customer_only(
    db, make_user, make_activity
):
    from datetime import timedelta

    from core.models import utcnow
    from core.services.pool import claim

    old, new, colleague = make_user(), make_user(), make_user()
    customer = create_customer({"name": "Acme", "owner_id": old.id}, None).customer
    elsewhere = create_customer({"name": "Other", "owner_id": old.id}, None).customer
    due = (utcnow() + timedelta(days=1)).isoformat()
    mine = make_activity(customer=customer, actor=old, kind="task", due_at=due)
    done = make_activity(customer=customer, actor=old, kind="task", due_at=due)
    done.done_at = utcnow()
    theirs = make_activity(customer=customer, actor=colleague, kind="task", due_at=due)
    note = make_activity(customer=customer, actor=old)  # not a task
    other = make_activity(customer=elsewhere, actor=old, kind="task", due_at=due)
    db.session.commit()
    change_owner(customer, new.id, None)
    db.session.expire_all()
    assert mine.owner_id == new.id and mine.version == 2
    assert (done.owner_id, theirs.owner_id, note.owner_id, other.owner_id) == (
        old.id,
        colleague.id,
        old.id,
        old.id,
    )
    change_owner(customer, None, None)  # to the pool: the tasks stay where they are
    db.session.expire_all()
    assert mine.owner_id == new.id
    claim(customer, old)  # from the pool: there is no previous owner's task to move
    db.session.expire_all()
    assert mine.owner_id == new.id


@pytest.mark.parametrize("version", ["1e309", "-1e309", "100000000000000000000", "-1", "1.5"])
def test_a_version_that_is_no_valid_number_is_a_422(app, db, make_user, version):
    from core.services.tokens import create_token

    rep = make_user(role="sales")
    customer = create_customer({"name": "Acme", "owner_id": rep.id}, None).customer
    _token, secret = create_token(rep, "tests", None)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    response = client.patch(
        f"/api/v1/customers/{customer.id}",
        data=f'{{"version": {version}, "name": "x"}}',
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json["errors"]["version"]
    db.session.expire_all()
    assert (customer.name, customer.version) == ("Acme", 1)
