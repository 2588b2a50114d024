"""A batch of new customers written at once (core.imports.bulk) keeps every
promise of the row-by-row import: an audit entry, a search document, a
contact point and an event per record, duplicates found within the batch
and against the database, a batch the database refuses imported row by row
with the good rows kept, an exact undo — and the name key the duplicate
check reads kept by the model on every write."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, insert, inspect, select, text

from core.api import db
from core.models import AuditEntry, ContactPoint, Customer, ImportJobError, ImportJobItem
from core.models.customers import name_key


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="bulk@example.com", name="Bulk Admin")


@pytest.fixture
def api(admin, as_user):
    return as_user(admin)


def imported(api, data: str, **configure) -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={"file": (io.BytesIO(data.encode()), "c.csv"), "target": "customers"},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    job_id = made.json["id"]
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def named(name: str) -> Customer:
    return db.session.scalar(select(Customer).where(Customer.name == name))


def ids_of(events: list[dict]) -> list[int]:
    """The ids of the events' customers (committed and detached by then)."""
    return [inspect(e["customer"]).identity[0] for e in events]


def names(ids: list[int]) -> list[str]:
    return sorted(db.session.scalars(select(Customer.name).where(Customer.id.in_(ids))))


ROWS = (
    "name,phone,email,tags\n"
    "华东贸易,13800138201,east@trade.cn,vip;东区\n"
    "Acme Tools,13800138202,ops@acme.cn,vip\n"
    "Nobody,12345,,\n"
)


def test_each_new_customer_gets_its_audit_entry_points_and_search_document(api, admin):
    done = imported(api, ROWS)
    assert (done["created"], done["failed"]) == (2, 1)
    east, acme = named("华东贸易"), named("Acme Tools")
    audits = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "customer", AuditEntry.action == "create")
    ).all()
    by_id = {a.entity_id: a for a in audits}
    assert set(by_id) == {east.id, acme.id}
    assert by_id[east.id].user_id == admin.id and by_id[east.id].after["name"] == "华东贸易"
    points = db.session.execute(
        select(ContactPoint.kind, ContactPoint.value).where(ContactPoint.customer_id == acme.id)
    ).all()
    assert sorted(points) == [("email", "ops@acme.cn"), ("phone", "+8613800138202")]
    assert [t.name for t in east.tags] == ["vip", "东区"]
    assert named("Nobody") is None
    searches = (("华东", "华东贸易"), ("acme", "Acme Tools"), ("0138202", "Acme Tools"))
    for query, expected in searches:
        found = api.get("/api/v1/customers", query_string={"q": query}).json["items"]
        assert [c["name"] for c in found] == [expected], query


def test_a_subscriber_hears_of_every_new_customer_after_the_commit(api, trellis_events):
    imported(api, "name,phone\n" + "".join(f"Event {i},1380013{8300 + i}\n" for i in range(7)))
    heard = ids_of(trellis_events.of("customer_created"))
    assert len(heard) == 7 and names(heard) == [f"Event {i}" for i in range(7)]


def test_duplicates_within_the_batch_and_in_the_database_are_matched(api, make_customer):
    old = make_customer(name="Old Co", phones=["13800138401"])
    data = (
        "name,phone,email\n"
        "First Co,13800138402,first@co.cn\n"
        "FIRST co,,\n"  # the name of the row before, another case: a repeat
        "Other,,first@co.cn\n"  # the e-mail of the first row
        "Renamed,13800138401,\n"  # the phone of a customer in the database
        "  ｏｌｄ　co ,,\n"  # full-width and spaced: the name key of Old Co
    )
    done = imported(api, data, on_duplicate="skip")
    assert (done["created"], done["skipped"]) == (1, 4)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2
    assert named("First Co") is not None and old.name == "Old Co"


def test_a_repeat_within_the_batch_may_update_the_record_it_created(api):
    data = "name,phone,city\nTwice Co,13800138501,\nTwice Co,13800138502,Suzhou\n"
    done = imported(api, data, on_duplicate="update")
    assert (done["created"], done["updated"]) == (1, 1)
    twice = named("Twice Co")
    assert twice.city == "Suzhou" and twice.phones == ["+8613800138501", "+8613800138502"]
    items = db.session.scalars(select(ImportJobItem).order_by(ImportJobItem.id)).all()
    assert [(i.action, i.record_id, i.version) for i in items] == [
        ("create", twice.id, 1),
        ("update", twice.id, 2),
    ]
    undone = api.post(f"/api/v1/imports/jobs/{done['id']}/undo")
    assert undone.status_code == 200, undone.json
    db.session.expire_all()
    assert twice.deleted_at is not None and twice.city is None


@pytest.fixture
def refuse_boom():
    """A database trigger that refuses a customer called Boom: a failure only
    the database sees, as a constraint added by an integrator would be."""
    if db.engine.dialect.name == "sqlite":
        made = [
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON customer WHEN new.name = 'Boom' "
            "BEGIN SELECT RAISE(ABORT, 'no boom'); END"
        ]
        dropped = ["DROP TRIGGER refuse_boom"]
    else:
        made = [
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.name = 'Boom' THEN RAISE EXCEPTION 'no boom' USING ERRCODE = "
            "'check_violation'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON customer "
            "FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
        ]
        dropped = ["DROP TRIGGER refuse_boom ON customer", "DROP FUNCTION refuse_boom()"]
    with db.engine.begin() as conn:
        for statement in made:
            conn.execute(text(statement))
    yield
    db.session.rollback()
    with db.engine.begin() as conn:
        for statement in dropped:
            conn.execute(text(statement))


def test_a_batch_the_database_refuses_goes_row_by_row_and_keeps_the_good_rows(
    api, refuse_boom, trellis_events
):
    data = "name,phone\nGood One,13800138601\nBoom,13800138602\nGood Two,13800138603\n"
    done = imported(api, data)
    assert (done["status"], done["created"], done["failed"], done["processed"]) == ("done", 2, 1, 3)
    assert named("Good One") is not None and named("Good Two") is not None
    assert named("Boom") is None
    error = db.session.scalar(select(ImportJobError))
    assert error.line == 3 and "no boom" in error.message
    assert names(ids_of(trellis_events.of("customer_created"))) == ["Good One", "Good Two"]
    audited = db.session.scalars(
        select(AuditEntry.entity_id).where(AuditEntry.entity == "customer")
    ).all()
    assert sorted(audited) == sorted([named("Good One").id, named("Good Two").id])


def test_undo_of_a_bulk_import_bins_exactly_what_it_created(api, make_customer):
    kept = make_customer(name="Kept", phones=["13800138701"])
    done = imported(api, "name,phone\nKept,13800138701\nNew A,13800138702\nNew B,\n")
    assert (done["created"], done["skipped"]) == (2, 1)
    undone = api.post(f"/api/v1/imports/jobs/{done['id']}/undo")
    assert undone.status_code == 200, undone.json
    db.session.expire_all()
    live = db.session.scalars(select(Customer.name).where(Customer.deleted_at.is_(None))).all()
    assert live == ["Kept"] and kept.version == 1


def test_the_name_key_is_kept_on_every_write(admin):
    from core.services.customers import update_customer

    direct = Customer(name="  Straße  GmbH ")
    db.session.add(direct)
    db.session.commit()
    assert direct.name_key == "strasse gmbh" == name_key("STRASSE gmbh")
    update_customer(direct, {"name": "ＡＢＣ 华南"}, admin)
    db.session.expire_all()
    assert direct.name_key == "abc 华南"
    db.session.execute(insert(Customer), [{"name": "Core Insert"}])  # around the ORM
    assert db.session.scalar(select(Customer.name_key).where(Customer.name == "Core Insert")) == (
        "core insert"
    )
