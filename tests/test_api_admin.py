"""Field-level access, merge with choices, recycle bin and purge, audit log."""

import pytest
from sqlalchemy import func, select

from core.models import Activity, AuditEntry, Contact, Customer, DataScope, Role


@pytest.fixture
def masked_rep(db, make_user):
    db.session.add(
        Role(
            name="intern",
            scope=DataScope.own,
            permissions=["customer.read", "customer.write"],
            hidden_fields=["customer.phones", "customer.emails", "contact.phones"],
        )
    )
    db.session.commit()
    return make_user(role="intern")


def test_hidden_fields_never_leave_the_api(as_user, masked_rep, make_customer, make_contact):
    customer = make_customer(
        name="Acme", owner_id=masked_rep.id, phones=["13800138000"], emails=["a@acme.cn"]
    )
    make_contact(customer=customer, phones=["13900139000"], emails=["li@acme.cn"])
    client = as_user(masked_rep)
    detail = client.get(f"/api/v1/customers/{customer.id}").json
    listed = client.get("/api/v1/customers").json["items"][0]
    contact = client.get(f"/api/v1/customers/{customer.id}/contacts").json["items"][0]
    for record in (detail, listed):
        assert "phones" not in record and "emails" not in record and record["name"] == "Acme"
    assert "phones" not in contact and contact["emails"] == ["li@acme.cn"]


def test_hidden_fields_are_not_on_the_customer_page(masked_rep, make_user, make_customer, app):
    customer = make_customer(owner_id=masked_rep.id, phones=["13800138000"])
    masked = app.test_client()
    with masked.session_transaction() as session:
        session["_user_id"] = masked_rep.get_id()
    assert "+8613800138000" not in masked.get(f"/customers/{customer.id}").text
    admin = make_user(role="admin")
    plain = app.test_client()
    with plain.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    assert "+8613800138000" in plain.get(f"/customers/{customer.id}").text


def test_merge_through_the_api_with_field_choices(
    as_user, make_user, make_customer, make_contact, db
):
    admin = make_user(role="admin")
    survivor = make_customer(name="Acme", industry="Retail", grade="B")
    other = make_customer(name="ACME Ltd", industry="Food", grade="A")
    make_contact(customer=other, name="Li Lei")
    response = as_user(admin).post(
        f"/api/v1/customers/{survivor.id}/merge",
        json={"merge_id": other.id, "choose": {"name": "survivor"}},
    )
    assert response.status_code == 200, response.json
    body = response.json
    # name kept by choice; industry and grade: the newer non-empty value (the other's)
    assert (body["name"], body["industry"], body["grade"]) == ("Acme", "Food", "A")
    assert db.session.scalar(select(Contact.customer_id)) == survivor.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert entry.after["choices"]["name"] == "survivor"
    assert entry.after["choices"]["industry"] == "merged"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"merge_id": "x"}, "merge_id"),
        ({}, "merge_id"),
        ({"merge_id": 0, "choose": {"colour": "merged"}}, None),
    ],
)
def test_bad_merges_are_refused(as_user, make_user, make_customer, payload, field):
    admin = make_user(role="admin")
    a, b = make_customer(), make_customer()
    if payload.get("merge_id") == 0:
        payload = {**payload, "merge_id": b.id}
        field = "choose.colour"
    response = as_user(admin).post(f"/api/v1/customers/{a.id}/merge", json=payload)
    assert response.status_code == 422 and field in response.json["errors"]
    self_merge = as_user(admin).post(f"/api/v1/customers/{a.id}/merge", json={"merge_id": a.id})
    assert self_merge.status_code == 422


def test_merge_needs_the_permission_and_both_customers_visible(as_user, make_user, make_customer):
    rep = make_user()
    mine, hidden = make_customer(owner_id=rep.id), make_customer(owner_id=make_user().id)
    assert (
        as_user(rep)
        .post(f"/api/v1/customers/{mine.id}/merge", json={"merge_id": hidden.id})
        .status_code
        == 403
    )
    manager = make_user(role="manager")
    own = make_customer(owner_id=manager.id)
    assert (
        as_user(manager)
        .post(f"/api/v1/customers/{own.id}/merge", json={"merge_id": hidden.id})
        .status_code
        == 404
    )


def test_recycle_bin_restore_and_purge_with_plugin_records(
    as_user, make_user, make_customer, make_activity, db
):
    from decimal import Decimal

    from plugins.sales.models import Deal, Pipeline, Stage

    admin = make_user(role="admin")
    client = as_user(admin)
    customer = make_customer(name="Gone Ltd")
    make_activity(customer=customer)
    pipeline = Pipeline(name="P")
    db.session.add(pipeline)
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="S", position=0)
    db.session.add(stage)
    db.session.flush()
    db.session.add(
        Deal(
            title="D",
            customer_id=customer.id,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            amount=Decimal(1),
        )
    )
    db.session.commit()
    assert client.delete(f"/api/v1/recycle-bin/{customer.id}").status_code == 422  # not deleted
    assert client.delete(f"/api/v1/customers/{customer.id}").status_code == 204
    assert [c["name"] for c in client.get("/api/v1/recycle-bin").json["items"]] == ["Gone Ltd"]
    assert client.delete(f"/api/v1/recycle-bin/{customer.id}").status_code == 204
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0
    audit = client.get(f"/api/v1/audit?entity=customer&entity_id={customer.id}").json
    assert [e["action"] for e in audit["items"]] == ["purge", "delete", "create"]


def test_a_rep_cannot_purge_or_read_the_whole_audit_log(as_user, make_user, make_customer):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    client = as_user(rep)
    assert client.get("/api/v1/audit").status_code == 403
    assert client.delete(f"/api/v1/recycle-bin/{customer.id}").status_code == 403
    history = client.get(f"/api/v1/customers/{customer.id}/audit").json
    assert [e["action"] for e in history["items"]] == ["create"]
