"""Static lists: frozen from a segment as their creator sees it, changed
by hand, seen through the viewer's scope, a filter of the customers list
and its export; merged and purged customers follow."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from core.api import db
from plugins.marketing.models import StaticList, StaticListMember

API = "/api/v1/marketing"
LEADS = [{"field": "stage", "op": "is", "value": "lead"}]


def _member_names(api, list_id):
    answer = api.get(f"{API}/lists/{list_id}/members?per_page=200")
    assert answer.status_code == 200, answer.json
    return sorted(m["name"] for m in answer.json["items"])


def test_a_list_frozen_from_a_segment_keeps_its_members(make_user, make_customer, as_user):
    manager, rep = make_user(role="manager"), make_user(role="sales")
    make_customer(name="Lead one", stage="lead", owner_id=manager.id)
    make_customer(name="Lead two", stage="lead", owner_id=rep.id)
    api = as_user(manager)
    segment = api.post(f"{API}/segments", json={"name": "Leads", "conditions": LEADS}).json
    created = api.post(f"{API}/lists", json={"name": " Fair ", "segment_id": segment["id"]})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Fair" and created.json["segment_id"] == segment["id"]
    list_id = created.json["id"]
    # the manager saw only their own lead (the rep is in no team of theirs)
    assert _member_names(api, list_id) == ["Lead one"]
    # a new lead joins the segment, not the frozen list
    make_customer(name="Lead three", stage="lead", owner_id=manager.id)
    assert api.get(f"{API}/segments/{segment['id']}/count").json == {"count": 2}
    assert api.get(f"{API}/lists/{list_id}/count").json == {"count": 1}


def test_members_are_added_and_removed_by_hand_once(make_user, make_customer, as_user):
    admin = make_user(role="admin")
    one, two = make_customer(name="One"), make_customer(name="Two")
    api = as_user(admin)
    list_id = api.post(f"{API}/lists", json={"name": "L", "customer_ids": [one.id]}).json["id"]
    added = api.post(f"{API}/lists/{list_id}/members", json={"customer_ids": [one.id, two.id]})
    assert added.json == {"changed": 1}
    assert _member_names(api, list_id) == ["One", "Two"]
    removed = api.post(f"{API}/lists/{list_id}/members/remove", json={"customer_ids": [one.id]})
    assert removed.json == {"changed": 1}
    assert _member_names(api, list_id) == ["Two"]
    rows = select(func.count()).select_from(StaticListMember)
    assert db.session.scalar(rows) == 1


def test_a_customer_one_cannot_see_is_refused_and_nothing_is_saved(
    make_user, make_customer, as_user
):
    rep, other = make_user(role="sales"), make_user(role="sales")
    mine, theirs = make_customer(name="Mine", owner_id=rep.id), make_customer(owner_id=other.id)
    api = as_user(rep)
    answer = api.post(f"{API}/lists", json={"name": "L", "customer_ids": [mine.id, theirs.id]})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"customer_ids": [f"No such customer: {theirs.id}."]}
    assert db.session.scalar(select(func.count()).select_from(StaticList)) == 0
    hidden_segment = api.post(f"{API}/lists", json={"name": "L", "segment_id": 999999})
    assert hidden_segment.status_code == 422 and "segment_id" in hidden_segment.json["errors"]


def test_a_shared_list_shows_each_viewer_their_own_members(make_user, make_customer, as_user):
    admin, rep = make_user(role="admin"), make_user(role="sales")
    make_customer(name="Rep's", owner_id=rep.id)
    make_customer(name="Admin's", owner_id=admin.id)
    api = as_user(admin)
    everyone = [c["id"] for c in api.get("/api/v1/customers?per_page=200").json["items"]]
    list_id = api.post(f"{API}/lists", json={"name": "All", "customer_ids": everyone}).json["id"]
    rep_api = as_user(rep)
    assert _member_names(rep_api, list_id) == ["Rep's"]
    # the list is the admin's: the rep sees it, cannot change it
    refused = rep_api.post(f"{API}/lists/{list_id}/members/remove", json={"customer_ids": [1]})
    assert refused.status_code in (403, 422)
    assert rep_api.patch(f"{API}/lists/{list_id}", json={"name": "Mine"}).status_code == 403
    # the customers list filtered by it, and the export, through the same scope
    listed = rep_api.get(f"/api/v1/customers?filter=list:{list_id}").json
    assert [c["name"] for c in listed["items"]] == ["Rep's"]
    exported = api.get(f"/api/v1/customers/export?filter=list:{list_id}&sort=name")
    names = [r["name"] for r in csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff")))]
    assert names == ["Admin's", "Rep's"]
    private = api.post(f"{API}/lists", json={"name": "P", "shared": False}).json["id"]
    answer = rep_api.get(f"/api/v1/customers?filter=list:{private}")
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["filter"]


def test_the_customers_list_filters_by_a_segment(make_user, make_customer, as_user):
    admin = make_user(role="admin")
    make_customer(name="A lead", stage="lead")
    make_customer(name="A customer", stage="customer")
    api = as_user(admin)
    segment = api.post(f"{API}/segments", json={"name": "Leads", "conditions": LEADS}).json
    listed = api.get(f"/api/v1/customers?filter=segment:{segment['id']}").json
    assert [c["name"] for c in listed["items"]] == ["A lead"]
    bad = api.get("/api/v1/customers?filter=segment:abc")
    assert bad.status_code == 422 and bad.json["errors"] == {"filter": ["Unknown segment."]}


def test_merged_and_purged_customers_follow(make_user, make_customer, as_user):
    admin = make_user(role="admin")
    survivor, merged = make_customer(name="Keep"), make_customer(name="Gone")
    api = as_user(admin)
    both = api.post(
        f"{API}/lists", json={"name": "B", "customer_ids": [survivor.id, merged.id]}
    ).json["id"]
    only = api.post(f"{API}/lists", json={"name": "M", "customer_ids": [merged.id]}).json["id"]
    answer = api.post(f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": merged.id})
    assert answer.status_code == 200, answer.json

    def member_ids(list_id):
        return [m["id"] for m in api.get(f"{API}/lists/{list_id}/members").json["items"]]

    assert member_ids(both) == [survivor.id]  # once, though both were on it
    assert member_ids(only) == [survivor.id]
    # purged from the bin: its places go with it
    assert api.delete(f"/api/v1/customers/{survivor.id}").status_code == 204
    purged = api.delete(f"/api/v1/recycle-bin/{survivor.id}")
    assert purged.status_code == 204, purged.json
    rows = select(func.count()).select_from(StaticListMember)
    assert db.session.scalar(rows) == 0


def test_the_pages_freeze_list_and_take_off(make_user, make_customer, login_as):
    admin = make_user(role="admin")
    one = make_customer(name="Lead one", stage="lead")
    make_customer(name="Lead two", stage="lead")
    client = login_as(admin)
    page = client.get("/marketing/lists/new")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    created = client.post(
        "/marketing/lists",
        data={"csrf_token": token, "name": "By hand", "shared": "1"},
        follow_redirects=True,
    )
    assert created.status_code == 200 and "By hand" in created.text
    found = db.session.scalar(select(StaticList).where(StaticList.name == "By hand"))
    added = client.post(
        f"/marketing/customers/{one.id}/lists",
        data={"csrf_token": token, "list_id": found.id},
        follow_redirects=True,
    )
    assert added.status_code == 200
    listed = client.get(f"/marketing/lists/{found.id}").text
    assert "Lead one" in listed and "Lead two" not in listed
    assert f"filter=list:{found.id}" in listed
    taken = client.post(
        f"/marketing/lists/{found.id}/remove",
        data={"csrf_token": token, "customer_id": str(one.id)},
        follow_redirects=True,
    )
    assert taken.status_code == 200 and "Lead one" not in taken.text.split("<table")[1]
    assert client.get("/marketing/lists").status_code == 200


def test_the_demo_list_holds_the_key_accounts(make_user, trellis_load_demo, as_user):
    """The demo freezes its "key accounts" segment into a list: the list holds
    what the segment matches (it was empty when the freeze went through a
    user's scope that the demo, seeding as the system, does not have)."""
    admin = make_user(role="admin", email="demo-admin@example.com")
    trellis_load_demo("en", admin)
    api = as_user(admin)
    found = db.session.scalar(select(StaticList).where(StaticList.segment_id.is_not(None)))
    segment_count = api.get(f"{API}/segments/{found.segment_id}/count").json["count"]
    assert segment_count > 0
    assert api.get(f"{API}/lists/{found.id}/count").json == {"count": segment_count}
