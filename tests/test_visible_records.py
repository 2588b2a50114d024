"""``core.api.visible_records``/``visible_record``: the records that belong
to a customer and an owner are seen by the role's scope, and only while
their customer is visible to the user and not in the recycle bin; a record
out of sight is a 404 naming its type, whether or not it exists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import (
    Activity,
    Attachment,
    NotFoundError,
    db,
    update_customer,
    visible_record,
    visible_records,
)
from core.services.customers import delete_customer


def seen(model, user, **columns) -> set[int]:
    return set(db.session.scalars(visible_records(model, user, **columns)).all())


@pytest.fixture
def people(make_user):
    return {
        "ann": make_user(role="sales"),
        "bob": make_user(role="sales"),
        "admin": make_user(role="admin"),
    }


def call_of(make_customer, make_activity, rep, **customer):
    """A call ``rep`` logged on a customer of theirs (``customer``: its fields)."""
    owned = make_customer(owner_id=rep.id, **customer)
    return make_activity(customer=owned, actor=rep)


def test_a_rep_sees_their_own_records_and_not_another_reps(people, make_customer, make_activity):
    ann, bob = people["ann"], people["bob"]
    mine = call_of(make_customer, make_activity, ann)
    theirs = call_of(make_customer, make_activity, bob)
    assert seen(Activity, ann, team_attr=None) == {mine}
    assert seen(Activity, bob, team_attr=None) == {theirs}
    assert seen(Activity, people["admin"], team_attr=None) == {mine, theirs}
    assert seen(Activity, None, team_attr=None) == set()


def test_a_record_leaves_its_owners_sight_with_its_customer(people, make_customer, make_activity):
    ann, bob = people["ann"], people["bob"]
    call = call_of(make_customer, make_activity, ann)
    update_customer(call.customer, {"owner_id": bob.id}, None)  # moved to Bob's private list
    assert seen(Activity, ann, team_attr=None) == set()
    with pytest.raises(NotFoundError):
        visible_record(Activity, call.id, ann, team_attr=None)
    # the admin still sees it: the customer is live
    assert visible_record(Activity, call.id, people["admin"], team_attr=None) is call


def test_no_one_sees_the_records_of_a_customer_in_the_recycle_bin(
    people, make_customer, make_activity
):
    ann, admin = people["ann"], people["admin"]
    kept = call_of(make_customer, make_activity, ann)
    binned = call_of(make_customer, make_activity, ann)
    delete_customer(binned.customer, None)
    assert seen(Activity, ann, team_attr=None) == {kept}
    assert seen(Activity, admin, team_attr=None) == {kept}
    # the query given is narrowed the same way
    ids = select(Activity.id).where(Activity.kind == "call")
    narrowed = db.session.scalars(visible_records(Activity, admin, ids, team_attr=None))
    assert set(narrowed) == {kept.id}


def test_owner_attr_names_the_column_that_owns_the_record(people, make_customer):
    ann, bob = people["ann"], people["bob"]
    customer = make_customer(owner_id=ann.id)
    rows = [
        Attachment(
            link_type="test_record",
            link_id=1,
            customer_id=customer.id,
            filename=f"{who.name}.pdf",
            content_type="application/pdf",
            size=1,
            stored_name=f"stored-{who.id}",
            uploaded_by_id=who.id,
        )
        for who in (ann, bob)
    ]
    db.session.add_all(rows)
    db.session.commit()
    mine = seen(Attachment, ann, owner_attr="uploaded_by_id", team_attr=None)
    assert mine == {rows[0]}
    # Bob uploaded to a customer he cannot see: still out of his sight
    assert seen(Attachment, bob, owner_attr="uploaded_by_id", team_attr=None) == set()


def test_a_record_out_of_sight_is_not_found_by_its_type_either_way(people, make_customer):
    customer = make_customer(owner_id=people["ann"].id)
    row = Attachment(
        link_type="test_record",
        link_id=1,
        customer_id=customer.id,
        filename="a.pdf",
        content_type="application/pdf",
        size=1,
        stored_name="stored-a",
        uploaded_by_id=people["ann"].id,
    )
    db.session.add(row)
    db.session.commit()
    columns = {"owner_attr": "uploaded_by_id", "team_attr": None}
    with pytest.raises(NotFoundError) as hidden:
        visible_record(Attachment, row.id, people["bob"], **columns)
    with pytest.raises(NotFoundError) as missing:
        visible_record(Attachment, row.id + 1000, people["bob"], **columns)
    assert str(hidden.value) == f"Attachment {row.id} not found"
    assert str(missing.value) == f"Attachment {row.id + 1000} not found"
    assert visible_record(Attachment, row.id, people["ann"], **columns) is row
