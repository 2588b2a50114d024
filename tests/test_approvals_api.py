"""The approvals API under /api/v1/approvals: flows for admins, requests and
decisions for everyone concerned, problems naming the field, the OpenAPI document."""

from __future__ import annotations

import pytest
from test_approvals import RECORD, flow, owned, people, probe, step  # noqa: F401  (fixtures)


@pytest.fixture
def api(as_user):
    return as_user


def test_admin_manages_flows_through_the_api(people, api):
    admin = api(people["admin"])
    made = admin.post(
        "/api/v1/approvals/flows",
        json={
            "record_type": RECORD,
            "name": "Big discounts",
            "condition": {"field": "share", "op": "gt", "value": 20},
            "steps": [
                {"approver_kind": "team_manager"},
                {"approver_kind": "role", "role": "finance"},
            ],
        },
    )
    assert made.status_code == 201, made.json
    body = made.json
    assert [s["approver_kind"] for s in body["steps"]] == ["team_manager", "role"]
    listed = admin.get("/api/v1/approvals/flows").json
    assert listed["total"] == 1 and listed["items"][0]["name"] == "Big discounts"
    changed = admin.put(
        f"/api/v1/approvals/flows/{body['id']}",
        json={
            "record_type": RECORD,
            "name": "Renamed",
            "steps": [{"approver_kind": "user", "user_ids": [people["finance"].id]}],
            "version": body["version"],
        },
    )
    assert changed.status_code == 200 and changed.json["steps"][0]["user_ids"] == [
        people["finance"].id
    ]
    stale = admin.put(
        f"/api/v1/approvals/flows/{body['id']}",
        json={
            "record_type": RECORD,
            "name": "Old",
            "steps": [{"approver_kind": "team_manager"}],
            "version": body["version"],
        },
    )
    assert stale.status_code == 409
    assert admin.delete(f"/api/v1/approvals/flows/{body['id']}").status_code == 204
    assert admin.get(f"/api/v1/approvals/flows/{body['id']}").status_code == 404


def test_a_flow_with_a_role_without_members_is_a_problem_naming_the_step(people, api):
    from core.api import db
    from core.models import Role

    db.session.add(Role(name="auditors", permissions=[], scope="own"))
    db.session.commit()
    answer = api(people["admin"]).post(
        "/api/v1/approvals/flows",
        json={
            "record_type": RECORD,
            "name": "F",
            "steps": [{"approver_kind": "role", "role": "auditors"}],
        },
    )
    assert answer.status_code == 409
    assert answer.content_type == "application/problem+json"
    assert list(answer.json["errors"]) == ["steps.0.role"]


def test_flows_need_the_manage_permission(people, api):
    assert api(people["rep"]).get("/api/v1/approvals/flows").status_code == 403
    assert (
        api(people["manager"]).post("/api/v1/approvals/flows", json={"name": "x"}).status_code
        == 403
    )


def test_submit_decide_and_see_it_through_the_api(people, owned, api):
    flow(people, step("team_manager"), step("users", users=[people["finance"], people["other"]]))
    customer = owned()
    rep, manager = api(people["rep"]), api(people["manager"])
    submitted = rep.post(
        "/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": customer.id}
    )
    assert submitted.status_code == 201 and submitted.json["status"] == "pending"
    rid = submitted.json["id"]
    inbox = manager.get("/api/v1/approvals/inbox").json
    assert [t["request_id"] for t in inbox["items"]] == [rid]
    assert inbox["items"][0]["title"] == customer.name
    assert api(people["rep2"]).get(f"/api/v1/approvals/requests/{rid}").status_code == 404
    denied = api(people["rep2"]).post(f"/api/v1/approvals/requests/{rid}/approve", json={})
    assert denied.status_code == 404  # not theirs to see at all
    assert (
        api(people["finance"])
        .post(f"/api/v1/approvals/requests/{rid}/approve", json={})
        .status_code
        == 404
    )
    assert (
        manager.post(
            f"/api/v1/approvals/requests/{rid}/approve", json={"comment": "ok"}
        ).status_code
        == 200
    )
    twice = manager.post(f"/api/v1/approvals/requests/{rid}/approve", json={})
    assert twice.status_code == 409  # decided already, though the request has moved on
    handed = api(people["finance"]).post(
        f"/api/v1/approvals/requests/{rid}/delegate", json={"user_id": people["admin"].id}
    )
    assert handed.status_code == 200
    rejected = api(people["admin"]).post(
        f"/api/v1/approvals/requests/{rid}/reject", json={"comment": "no"}
    )
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    again = api(people["other"]).post(f"/api/v1/approvals/requests/{rid}/approve", json={})
    assert again.status_code == 409 and again.json["type"].endswith("approval-decided")
    mine = rep.get("/api/v1/approvals/requests?status=rejected").json
    assert [r["id"] for r in mine["items"]] == [rid]
    assert rep.get("/api/v1/approvals/requests?status=pending").json["total"] == 0
    everyone = api(people["admin"]).get(f"/api/v1/approvals/requests?record_type={RECORD}").json
    assert everyone["total"] == 1


def test_approving_twice_is_409(people, owned, api):
    flow(people, step("users", users=[people["finance"], people["other"]], mode="all"))
    rid = (
        api(people["rep"])
        .post("/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": owned().id})
        .json["id"]
    )
    finance = api(people["finance"])
    assert finance.post(f"/api/v1/approvals/requests/{rid}/approve", json={}).status_code == 200
    twice = finance.post(f"/api/v1/approvals/requests/{rid}/approve", json={})
    assert twice.status_code == 409


def test_withdraw_through_the_api_only_by_the_submitter(people, owned, api):
    flow(people, step("team_manager"))
    rid = (
        api(people["rep"])
        .post("/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": owned().id})
        .json["id"]
    )
    assert (
        api(people["manager"]).post(f"/api/v1/approvals/requests/{rid}/withdraw").status_code == 403
    )
    done = api(people["rep"]).post(f"/api/v1/approvals/requests/{rid}/withdraw")
    assert done.status_code == 200 and done.json["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"record_type": RECORD}, 422, "record_id"),
        ({"record_type": "nope", "record_id": 1}, 422, "record_type"),
        ({"record_type": RECORD, "record_id": 999_999}, 404, "record_id"),
    ],
)
def test_a_bad_submission_names_the_field(payload, status, field, people, api):
    answer = api(people["rep"]).post("/api/v1/approvals/requests", json=payload)
    assert answer.status_code == status and field in answer.json["errors"]


def test_the_approvals_api_is_in_the_openapi_document(people, api):
    spec = api(people["rep"]).get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/approvals/flows",
        "/api/v1/approvals/flows/{flow_id}",
        "/api/v1/approvals/requests",
        "/api/v1/approvals/requests/{request_id}",
        "/api/v1/approvals/requests/{request_id}/approve",
        "/api/v1/approvals/requests/{request_id}/reject",
        "/api/v1/approvals/requests/{request_id}/delegate",
        "/api/v1/approvals/requests/{request_id}/withdraw",
        "/api/v1/approvals/inbox",
    ):
        assert path in spec["paths"], path
    assert (
        "409"
        in spec["paths"]["/api/v1/approvals/requests/{request_id}/approve"]["post"]["responses"]
    )


def test_a_request_of_a_customer_in_the_recycle_bin_waits_there_with_it(people, owned, api):
    from core.services.customers import delete_customer, restore_customer

    flow(people, step("team_manager"))
    customer = owned()
    rid = (
        api(people["rep"])
        .post("/api/v1/approvals/requests", json={"record_type": RECORD, "record_id": customer.id})
        .json["id"]
    )
    manager, admin = api(people["manager"]), api(people["admin"])
    assert manager.get("/api/v1/approvals/inbox").json["total"] == 1
    delete_customer(customer, people["admin"])
    assert manager.get("/api/v1/approvals/inbox").json["total"] == 0
    assert admin.get("/api/v1/approvals/requests").json["total"] == 0
    assert admin.get(f"/api/v1/approvals/requests/{rid}").status_code == 404
    restore_customer(customer, people["admin"])
    assert manager.get("/api/v1/approvals/inbox").json["total"] == 1
    assert admin.get(f"/api/v1/approvals/requests/{rid}").json["customer_id"] == customer.id
