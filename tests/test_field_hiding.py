"""Field hiding beyond what a record shows: a hidden field is no filter, no
sort key, survives a form save, is not copied into a work order, and the
audit log answers a rep only for the customers in their scope.
(tests/test_route_walk.py walks every route for the values themselves.)"""

import re

import pytest

from core.api import DataScope, Role, db

HIDES = ["customer.source", "customer.grade", "customer.address", "customer.custom_fields.secret"]


@pytest.fixture
def rep(make_user):
    from core.models import CustomFieldDefinition

    db.session.add(
        CustomFieldDefinition(entity="customer", key="secret", label="Secret", type="text")
    )
    db.session.add(
        Role(
            name="hiding_rep",
            scope=DataScope.own,
            permissions=["customer.read", "customer.write", "audit.read", "service.order.write"],
            hidden_fields=HIDES,
        )
    )
    db.session.commit()
    return make_user(role="hiding_rep")


def test_the_api_refuses_a_filter_or_sort_by_a_hidden_field(as_user, rep, make_customer):
    make_customer(name="Plain", source="referral", owner_id=rep.id)
    api = as_user(rep)
    answer = api.get("/api/v1/customers?source=referral")
    assert answer.status_code == 422
    assert "source" in answer.json["errors"]
    for sort in ("-grade", "name,grade"):
        answer = api.get(f"/api/v1/customers?sort={sort}")
        assert answer.status_code == 422 and "sort" in answer.json["errors"], sort
    assert api.get("/api/v1/customers?sort=-name").status_code == 200


def test_the_page_ignores_a_filter_or_sort_by_a_hidden_field(login_as, rep, make_customer):
    make_customer(name="Referred", source="referral", owner_id=rep.id)
    make_customer(name="Walked in", source="walk-in", owner_id=rep.id)
    client = login_as(rep)
    page = client.get("/customers/?source=referral&sort=grade")
    assert page.status_code == 200
    assert "Referred" in page.text and "Walked in" in page.text  # the filter told nothing
    assert 'name="source"' not in page.text  # and is not offered


def test_a_form_save_keeps_the_hidden_custom_field(login_as, rep, make_customer):
    from core.api import Customer

    customer = make_customer(name="Keeps", owner_id=rep.id, custom_fields={"secret": "s3"})
    client = login_as(rep)
    form = client.get(f"/customers/{customer.id}/edit")
    assert "s3" not in form.text and 'name="custom_fields.secret"' not in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    saved = client.post(
        f"/customers/{customer.id}/edit",
        data={
            "csrf_token": token,
            "name": "Keeps too",
            "kind": "company",
            "stage": "lead",
            "version": customer.version,
        },
    )
    assert saved.status_code == 302, saved.text
    db.session.expire_all()
    kept = db.session.get(Customer, customer.id)
    assert kept.name == "Keeps too" and kept.custom_fields == {"secret": "s3"}


def test_a_work_order_copies_only_the_address_its_author_may_see(rep, make_user, make_customer):
    from plugins.service_dispatch.services.orders import create_work_order

    customer = make_customer(city="Hangzhou", address="1 Secret Lane", owner_id=rep.id)
    payload = {"title": "Fix", "customer_id": customer.id, "category": "repair"}
    assert create_work_order(payload, rep).address == "Hangzhou"
    admin = make_user(role="admin")
    assert create_work_order(payload, admin).address == "Hangzhou 1 Secret Lane"


def test_the_audit_log_answers_a_rep_for_their_scope_only(as_user, rep, make_user, make_customer):
    other = make_user()
    mine = make_customer(name="Mine", owner_id=rep.id)
    theirs = make_customer(name="Theirs", owner_id=other.id)
    answer = as_user(rep).get("/api/v1/audit?per_page=100")
    assert answer.status_code == 200
    ids = {(e["entity"], e["entity_id"]) for e in answer.json["items"]}
    assert ("customer", mine.id) in ids and ("customer", theirs.id) not in ids
    everything = as_user(make_user(role="admin")).get("/api/v1/audit?per_page=100").json
    assert ("customer", theirs.id) in {(e["entity"], e["entity_id"]) for e in everything["items"]}
