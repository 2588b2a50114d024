"""``trellis_customers_in_care``: a plugin widens who sees a customer beyond
their role's scope (a doctor sees a patient of another department in their
care) — through ``scoped``, so the list, the page and the API widen alike,
and nothing else of the customer's owner comes with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.access import _team_ids
from core.api import Customer, NotFoundError, db, scoped, visible_customer, visible_customer_ids
from core.testing import plugin_module


def seen(user) -> set[int]:
    return set(db.session.scalars(visible_customer_ids(user)))


def test_hook_customers_in_care_widens_every_scoped_customer_query(
    register_plugin, make_user, make_customer, login_as
):
    cared: dict[int, set[int]] = {}

    def trellis_customers_in_care(user):
        ids = cared.get(user.id)
        return select(Customer.id).where(Customer.id.in_(ids)) if ids else None

    register_plugin(plugin_module("care", trellis_customers_in_care=trellis_customers_in_care))
    ann, bob, admin = make_user(role="sales"), make_user(role="sales"), make_user(role="admin")
    hers, his, other = (make_customer(owner_id=owner.id) for owner in (ann, bob, bob))
    assert seen(ann) == {hers.id}

    cared[ann.id] = {his.id}
    assert seen(ann) == {hers.id, his.id}
    assert seen(bob) == {his.id, other.id}  # only Ann's care widened
    assert seen(admin) >= {hers.id, his.id, other.id}
    client = login_as(ann)
    assert client.get(f"/api/v1/customers/{his.id}").status_code == 200
    assert client.get(f"/api/v1/customers/{other.id}").status_code == 404
    listed = {c["id"] for c in client.get("/api/v1/customers").get_json()["items"]}
    assert listed == {hers.id, his.id}


def test_hook_customers_in_care_may_answer_a_select_for_each_reason(
    register_plugin, make_user, make_customer
):
    """A list of selects widens by each; a look-up of one customer
    (``per_row``: each select checked against that customer) sees exactly
    what the list sees — a select over the customer table itself included,
    which must not turn into "this customer is itself"."""
    ann, bob = make_user(role="sales"), make_user(role="sales")
    named, listed, other = (make_customer(owner_id=bob.id, name=n) for n in "ABC")
    register_plugin(
        plugin_module(
            "care",
            trellis_customers_in_care=lambda user: (
                [
                    select(Customer.id).where(Customer.name == "A"),
                    select(Customer.id).where(Customer.id.in_([listed.id])),
                ]
                if user.id == ann.id
                else None
            ),
        )
    )
    assert seen(ann) == {named.id, listed.id}
    for per_row in (False, True):
        query = scoped(select(Customer.id), Customer, ann, per_row=per_row)
        assert set(db.session.scalars(query)) == {named.id, listed.id}
        for customer in (named, listed, other):
            one = db.session.scalar(query.where(Customer.id == customer.id))
            assert (one is not None) == (customer is not other), (per_row, customer.name)
    assert visible_customer(named.id, ann).id == named.id
    with pytest.raises(NotFoundError):
        visible_customer(other.id, ann)
    assert seen(bob) == {named.id, listed.id, other.id}


def test_a_customer_in_care_is_still_hidden_in_the_recycle_bin(
    register_plugin, make_user, make_customer
):
    from core.services.customers import delete_customer

    register_plugin(
        plugin_module(
            "care",
            trellis_customers_in_care=lambda user: select(Customer.id).where(Customer.id > 0),
        )
    )
    ann, bob = make_user(role="sales"), make_user(role="sales")
    his = make_customer(owner_id=bob.id)
    assert his.id in seen(ann)
    delete_customer(his, None)
    assert his.id not in seen(ann)
    binned = scoped(select(Customer.id), Customer, ann, include_deleted=True)
    assert his.id in set(db.session.scalars(binned))  # asked for the bin, it is there


def scope_sql(user) -> str:
    """The compiled SQL of a scoped customer list query for ``user``."""
    query = scoped(select(Customer).order_by(Customer.id), Customer, user)
    return str(query.compile(db.engine))


def test_without_an_answer_the_scoped_query_is_the_scope_alone(register_plugin, make_user):
    """A user no plugin answers for gets exactly the query from before the
    hook existed — no ``OR … IN (…)`` arm — while the one it answers for
    gets the arm."""
    from core.services.users import create_team

    east = create_team("East care", None)
    ann, bob = make_user(role="manager", team=east), make_user(role="sales")
    before = str(
        select(Customer)
        .where(Customer.deleted_at.is_(None))
        .where((Customer.owner_id == ann.id) | Customer.team_id.in_(_team_ids(east.id)))
        .order_by(Customer.id)
        .compile(db.engine)
    )
    assert scope_sql(ann) == before

    register_plugin(
        plugin_module(
            "care",
            trellis_customers_in_care=lambda user: (
                select(Customer.id).where(Customer.name == "in care") if user.id == bob.id else None
            ),
        )
    )
    assert scope_sql(ann) == before  # the plugin answered None for her
    widened = scope_sql(bob)
    assert widened != scope_sql(make_user(role="sales"))
    assert widened.count("customer.name =") == 1  # the plugin's select, once
