"""The segments API: saved, listed, changed and deleted; conditions checked
with the condition named (nothing saved); members and counts through the
caller's scope; a field the caller's role hides cannot be asked about."""

import pytest
from sqlalchemy import func, select

from core.api import Role, db
from plugins.marketing.models import Segment

API = "/api/v1/marketing"
LEADS = [{"field": "stage", "op": "is", "value": "lead"}]


def test_a_segment_is_saved_listed_changed_and_deleted(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    make_customer(name="L1", stage="lead", owner_id=manager.id)
    make_customer(name="C1", stage="customer", owner_id=manager.id)
    api = as_user(manager)
    created = api.post(f"{API}/segments", json={"name": " Leads ", "conditions": LEADS})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Leads"
    assert created.json["conditions"] == [
        {"field": "stage", "op": "is", "value": "lead", "days": None, "negate": False}
    ]
    sid = created.json["id"]
    assert [s["id"] for s in api.get(f"{API}/segments?q=lead").json["items"]] == [sid]
    assert api.get(f"{API}/segments/{sid}/count").json == {"count": 1}
    names = [m["name"] for m in api.get(f"{API}/segments/{sid}/members").json["items"]]
    assert names == ["L1"]
    changed = api.patch(f"{API}/segments/{sid}", json={"version": 1, "match": "any"})
    assert changed.status_code == 200 and changed.json["version"] == 2
    stale = api.patch(f"{API}/segments/{sid}", json={"version": 1, "name": "Late"})
    assert stale.status_code == 409
    assert api.delete(f"{API}/segments/{sid}", headers={"If-Match": "1"}).status_code == 409
    assert api.delete(f"{API}/segments/{sid}").status_code == 204
    assert api.get(f"{API}/segments/{sid}").status_code == 404
    assert db.session.get(Segment, sid).deleted_at is not None


@pytest.mark.parametrize(
    "conditions, key",
    [
        ([{"field": "stage", "op": "is", "value": "gold"}], "conditions.0.value"),
        ([LEADS[0], {"field": "nope", "op": "is", "value": 1}], "conditions.1.field"),
        ([{"field": "name", "op": "at_most", "value": 1}], "conditions.0.op"),
        ([{"field": "activities", "op": "at_least", "value": 1, "days": 0}], "conditions.0.days"),
    ],
)
def test_a_wrong_condition_is_a_422_naming_it_and_nothing_is_saved(
    make_user, as_user, conditions, key
):
    api = as_user(make_user(role="manager"))
    answer = api.post(f"{API}/segments", json={"name": "Bad", "conditions": conditions})
    assert answer.status_code == 422, answer.json
    assert key in answer.json["errors"]
    assert db.session.scalar(select(func.count(Segment.id))) == 0
    preview = api.post(f"{API}/segments/preview", json={"conditions": conditions})
    assert preview.status_code == 422 and key in preview.json["errors"]


def test_members_follow_the_callers_scope(make_user, make_customer, as_user):
    manager, rep = make_user(role="manager"), make_user(role="sales")
    make_customer(name="Rep's lead", stage="lead", owner_id=rep.id)
    make_customer(name="Other lead", stage="lead", owner_id=manager.id)
    sid = (
        as_user(manager).post(f"{API}/segments", json={"name": "L", "conditions": LEADS}).json["id"]
    )
    rep_api = as_user(rep)
    assert rep_api.get(f"{API}/segments/{sid}/count").json == {"count": 1}
    names = [m["name"] for m in rep_api.get(f"{API}/segments/{sid}/members").json["items"]]
    assert names == ["Rep's lead"]
    assert rep_api.post(f"{API}/segments/preview", json={"conditions": LEADS}).json == {"count": 1}
    # a shared segment is seen, not changed, by another user
    assert rep_api.patch(f"{API}/segments/{sid}", json={"name": "Mine"}).status_code == 403
    assert db.session.get(Segment, sid).name == "L"


def test_a_private_segment_is_its_owners_only(make_user, as_user):
    rep, other = make_user(role="sales"), make_user(role="sales")
    sid = as_user(rep).post(f"{API}/segments", json={"name": "Mine", "shared": False}).json["id"]
    assert as_user(other).get(f"{API}/segments/{sid}").status_code == 404
    assert as_user(other).get(f"{API}/segments").json["total"] == 0
    assert as_user(rep).get(f"{API}/segments/{sid}").status_code == 200


def test_a_field_the_role_hides_cannot_be_asked_about(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    rep = make_user(role="sales")
    role = db.session.scalar(select(Role).where(Role.name == "sales"))
    role.hidden_fields = ["customer.grade"]
    db.session.commit()
    make_customer(name="A-grade", grade="A", owner_id=rep.id)
    grade = [{"field": "grade", "op": "is", "value": "A"}]
    sid = (
        as_user(manager).post(f"{API}/segments", json={"name": "A", "conditions": grade}).json["id"]
    )
    rep_api = as_user(rep)
    assert rep_api.get(f"{API}/segments/{sid}/count").status_code == 422
    assert rep_api.get(f"{API}/segments/{sid}/members").status_code == 422
    refused = rep_api.post(f"{API}/segments", json={"name": "Mine", "conditions": grade})
    assert refused.status_code == 422 and "conditions.0.field" in refused.json["errors"]
    assert "grade" not in [f["key"] for f in rep_api.get(f"{API}/segments/fields").json]
    assert "grade" in [f["key"] for f in as_user(manager).get(f"{API}/segments/fields").json]


def test_without_the_permission_nothing_is_answered(make_user, as_user):
    admin = make_user(role="admin")
    role = Role(name="support", permissions=["customer.read"])
    db.session.add(role)
    db.session.commit()
    support = as_user(make_user(role="support"))
    sid = as_user(admin).post(f"{API}/segments", json={"name": "All"}).json["id"]
    assert support.get(f"{API}/segments").status_code == 403
    assert support.get(f"{API}/segments/{sid}/members").status_code == 403
    assert support.post(f"{API}/segments", json={"name": "X"}).status_code == 403
