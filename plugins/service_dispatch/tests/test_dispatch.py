"""Dispatching: the skill and region check with its recorded override, two
dispatchers at once, the ranked suggestions and the engineers' API."""

from sqlalchemy import select, update

from core.api import StaleVersionError, db
from plugins.service_dispatch.models import WorkOrder, WorkOrderEvent
from plugins.service_dispatch.services import dispatch, lifecycle

from .conftest import reload

API = "/api/v1/service"


def assign(api, order, engineer, **extra):
    return api.post(
        f"{API}/work-orders/{order.id}/transitions",
        json={
            "action": "assign",
            "version": reload(order).version,
            "engineer_id": engineer.id,
            **extra,
        },
    )


def test_assigning_without_the_skill_or_outside_the_region_is_refused(
    make_order, make_engineer, dispatcher, as_user
):
    order = make_order(category="installation")
    unskilled = make_engineer(skills=["repair"], regions=["East"])
    elsewhere = make_engineer(skills=["installation"], regions=["West"])
    for engineer, words in ((unskilled, "installation"), (elsewhere, "East")):
        answer = assign(as_user(dispatcher), order, engineer)
        assert answer.status_code == 422, answer.json
        assert any(words in m for m in answer.json["errors"]["engineer_id"])
    fresh = reload(order)
    assert (fresh.status, fresh.engineer_id, fresh.version) == ("new", None, order.version)
    assert (
        db.session.scalar(
            select(WorkOrderEvent.action).where(
                WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "assign"
            )
        )
        is None
    )


def test_an_override_reason_assigns_anyway_and_is_recorded(
    make_order, make_engineer, dispatcher, as_user
):
    order = make_order(category="installation")
    engineer = make_engineer(skills=["repair"], regions=["West"])
    answer = assign(as_user(dispatcher), order, engineer, override_reason="Only one free today")
    assert answer.status_code == 200, answer.json
    assert answer.json["engineer_id"] == engineer.id
    assert answer.json["override_note"] == "Only one free today"
    assert "Only one free today" in answer.json["history"][-1]["note"]


def test_an_inactive_or_unknown_engineer_cannot_be_assigned(
    make_order, make_engineer, make_user, dispatcher, as_user
):
    order = make_order()
    retired = make_engineer()
    dispatch.update_engineer(dispatch.engineer_of(retired.id), {"active": False}, None)
    for user in (retired, make_user()):
        answer = assign(as_user(dispatcher), order, user, override_reason="anyway")
        assert answer.status_code == 404 and "engineer_id" in answer.json["errors"]


def test_two_dispatchers_assigning_one_order_at_once_one_wins(
    make_order, make_engineer, dispatcher, make_user, as_user
):
    order = make_order()
    first, second = make_engineer(), make_engineer()
    other = make_user(role="dispatcher")
    read = order.version
    url = f"{API}/work-orders/{order.id}/transitions"
    answers = [
        as_user(d).post(url, json={"action": "assign", "version": read, "engineer_id": e.id})
        for d, e in ((dispatcher, first), (other, second))
    ]
    assert [a.status_code for a in answers] == [200, 409]
    assert answers[1].json["current_version"] == read + 1
    assert reload(order).engineer_id == first.id


def test_a_write_racing_in_the_database_is_a_stale_version_not_a_crash(make_order, make_engineer):
    """The version check passes in Python, but another process commits first:
    the UPDATE's ``WHERE version = ...`` matches nothing."""
    order = make_order()
    engineer = make_engineer()
    order = reload(order)
    with db.engine.begin() as other_process:
        other_process.execute(
            update(WorkOrder).where(WorkOrder.id == order.id).values(version=WorkOrder.version + 1)
        )
    try:
        lifecycle.transition(order, "assign", None, {"engineer_id": engineer.id}, order.version)
    except StaleVersionError as exc:  # core's transaction() turns the lost race into a 409
        assert exc.entity == "service_dispatch_work_order"
    else:
        raise AssertionError("the racing write was not refused")
    assert reload(order).status == "new"


def test_suggestions_rank_by_skill_then_region_then_workload(
    make_order, make_engineer, dispatcher, as_user
):
    busy = make_engineer(name="Busy", skills=["repair"], regions=["East"])
    idle = make_engineer(name="Idle", skills=["repair"], regions=["East"])
    make_engineer(name="Far", skills=["repair"], regions=["West"])
    make_engineer(name="Unskilled", skills=["installation"], regions=["East"])
    make_order("assigned", busy)
    make_order("on_site", busy)
    make_order("closed", idle)  # finished work is no workload
    order = make_order()
    answer = as_user(dispatcher).get(f"{API}/work-orders/{order.id}/suggested-engineers")
    assert answer.status_code == 200
    assert [s["name"] for s in answer.json] == ["Idle", "Busy", "Far", "Unskilled"]
    assert [s["workload"] for s in answer.json] == [0, 2, 0, 0]
    assert answer.json[2]["region_match"] is False and answer.json[3]["skill_match"] is False
    assert all(len(s["reasons"]) == 3 for s in answer.json)


def test_an_order_of_a_customer_in_the_recycle_bin_is_no_workload(
    make_order, make_engineer, make_customer, make_user, as_user
):
    engineer = make_engineer(skills=["repair"], regions=["East"])
    gone = make_customer(region="East")
    make_order("assigned", engineer, customer=gone)
    make_order("assigned", engineer)
    assert dispatch.workloads([engineer.id]) == {engineer.id: 2}
    admin = as_user(make_user(role="admin"))
    assert admin.delete(f"/api/v1/customers/{gone.id}").status_code == 204
    assert dispatch.workloads([engineer.id]) == {engineer.id: 1}


def test_engineers_are_added_listed_and_changed_through_the_api(make_user, as_user):
    admin, user = make_user(role="admin"), make_user(name="Zhang")
    api = as_user(admin)
    created = api.post(
        f"{API}/engineers",
        json={"user_id": user.id, "skills": ["repair", " repair ", "install"], "regions": ["East"]},
    )
    assert created.status_code == 201, created.json
    assert created.json["skills"] == ["repair", "install"] and created.json["name"] == "Zhang"
    again = api.post(f"{API}/engineers", json={"user_id": user.id})
    assert again.status_code == 409 and "user_id" in again.json["errors"]
    nobody = api.post(f"{API}/engineers", json={"user_id": 999999})
    assert nobody.status_code == 404 and "user_id" in nobody.json["errors"]
    url = f"{API}/engineers/{created.json['id']}"
    changed = api.patch(url, json={"regions": ["East", "North"], "version": 1})
    assert changed.status_code == 200 and changed.json["regions"] == ["East", "North"]
    assert api.patch(url, json={"active": False, "version": 1}).status_code == 409
    assert [e["name"] for e in api.get(f"{API}/engineers").json] == ["Zhang"]
    assert api.patch(f"{API}/engineers/999999", json={}).status_code == 404


def test_only_service_admins_manage_engineers(make_user, dispatcher, as_user):
    api = as_user(dispatcher)
    assert api.get(f"{API}/engineers").status_code == 200
    assert api.post(f"{API}/engineers", json={"user_id": make_user().id}).status_code == 403
