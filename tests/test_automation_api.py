"""The automation API under /api/v1/automation: for holders of
``admin.automation`` only; the events (with their record's fields) and
actions a rule may name; refusals naming the field; the run log with its
filters; retrying a failed run by hand; a dry run that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.api import db
from core.models import Activity, AuditEntry, AutomationRun, Customer, Tag
from core.services.customers import create_customer

TASK = {"type": "create_task", "params": {"title": "Call within a day"}}


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


@pytest.fixture
def api(admin, as_user):
    return as_user(admin)


def define(api, **fields):
    payload = {
        "name": "New customer → call",
        "trigger": {"kind": "event", "event": "customer_created"},
        "actions": [TASK],
        **fields,
    }
    return api.post("/api/v1/automation/rules", json=payload)


def test_an_admin_manages_rules(api):
    made = define(api)
    assert made.status_code == 201, made.json
    body = made.json
    assert body["active"] and body["trigger"] == {"kind": "event", "event": "customer_created"}
    assert api.get("/api/v1/automation/rules").json["total"] == 1
    url = f"/api/v1/automation/rules/{body['id']}"
    changed = api.patch(url, json={"active": False, "version": body["version"]})
    assert changed.status_code == 200 and changed.json["active"] is False
    assert api.patch(url, json={"name": "Old", "version": body["version"]}).status_code == 409
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_the_events_list_core_and_plugin_events_with_their_record_fields(api):
    events = {e["name"]: e for e in api.get("/api/v1/automation/events").json}
    created = events["customer_created"]
    assert created["record"]["type"] == "customer" and "grade" in created["record"]["fields"]
    assert created["has_changes"] is False and events["customer_updated"]["has_changes"] is True
    # a plugin's events, declared without annotations: the record is the plugin's table
    assert events["sales_deal_won"]["record"]["type"] == "sales_deal"
    assert "amount" in events["sales_deal_won"]["record"]["fields"]
    assert events["service_dispatch_work_order_created"]["record"]["type"] == (
        "service_dispatch_work_order"
    )
    assert events["customer_merged"]["record"]["type"] == "customer"
    actions = {a["type"]: a for a in api.get("/api/v1/automation/actions").json}
    assert set(actions) >= {
        "create_task",
        "assign_owner",
        "update_field",
        "add_tag",
        "call_webhook",
    }
    assert {"name": "title", "label": "Title", "required": True, "kind": "text"} in actions[
        "create_task"
    ]["params"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"trigger": {"kind": "event", "event": "customer_vanished"}}, "trigger.event"),
        ({"trigger": {"kind": "sometimes", "event": "customer_created"}}, "trigger.kind"),
        (
            {"trigger": {"kind": "field_changed", "event": "customer_created", "field": "grade"}},
            "trigger.event",
        ),
        ({"trigger": {"kind": "field_changed", "field": "colour"}}, "trigger.field"),
        ({"conditions": [{"field": "colour", "op": "eq", "value": "red"}]}, "conditions.0.field"),
        ({"conditions": [{"field": "grade", "op": "like", "value": "A"}]}, "conditions.0.op"),
        ({"conditions": [{"field": "grade", "op": "eq"}]}, "conditions.0.value"),
        ({"conditions": [{"field": "grade", "op": "in", "value": "A"}]}, "conditions.0.value"),
        ({"actions": [{"type": "create_task", "params": {}}]}, "actions.0.params.title"),
        ({"actions": [TASK, {"type": "launch_rocket"}]}, "actions.1.type"),
        ({"actions": [{"type": "add_tag", "params": {}}]}, "actions.0.params.tag"),
        (
            {"actions": [{"type": "update_field", "params": {"field": "colour"}}]},
            "actions.0.params.field",
        ),
        (
            {"actions": [{"type": "update_field", "params": {"field": "grade", "value": "Z"}}]},
            "actions.0.params.value",
        ),
        (
            {"actions": [{"type": "assign_owner", "params": {"user_id": 999999}}]},
            "actions.0.params.user_id",
        ),
        ({"actions": [{"type": "assign_owner", "params": {}}]}, "actions.0.params.user_id"),
        (
            {"actions": [{"type": "call_webhook", "params": {"url": "http://10.0.0.5/hook"}}]},
            "actions.0.params.url",
        ),
        ({"actions": []}, "actions"),
        (  # a plugin's or core's other records have rules only their services know
            {
                "trigger": {"kind": "event", "event": "approval_submitted"},
                "actions": [
                    {"type": "update_field", "params": {"field": "status", "value": "approved"}}
                ],
            },
            "actions.0.type",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_is_written(api, fields, field):
    refused = define(api, **fields)
    assert refused.status_code == 422, refused.json
    assert field in refused.json["errors"], refused.json
    assert api.get("/api/v1/automation/rules").json["total"] == 0


def test_a_rep_without_the_permission_gets_403(make_user, as_user, api):
    made = define(api).json
    rep = as_user(make_user(role="sales"))
    for url in (
        "/api/v1/automation/rules",
        "/api/v1/automation/events",
        "/api/v1/automation/actions",
        "/api/v1/automation/runs",
        f"/api/v1/automation/rules/{made['id']}",
    ):
        assert rep.get(url).status_code == 403, url
    assert define(rep).status_code == 403
    assert (
        rep.post(f"/api/v1/automation/rules/{made['id']}/try", json={"record_id": 1}).status_code
        == 403
    )


def test_the_run_log_filters_by_rule_and_status_and_a_failed_run_is_retried(
    api, trellis_webhook_receiver
):
    hook = {
        "type": "call_webhook",
        "params": {"url": trellis_webhook_receiver.url, "allow_internal": True},
    }
    failing = define(api, name="Hook", actions=[hook]).json
    define(api, name="Task")
    trellis_webhook_receiver.then = 500
    api.post("/api/v1/customers", json={"name": "Acme"})
    everything = api.get("/api/v1/automation/runs").json
    assert everything["total"] == 2
    mine = api.get(f"/api/v1/automation/runs?rule_id={failing['id']}")
    assert mine.status_code == 200, mine.json
    mine = mine.json["items"]
    [run] = mine
    assert run["status"] == "retry" and run["error"] == "HTTP 500" and run["attempts"] == 1
    refused = api.post(f"/api/v1/automation/runs/{run['id']}/retry")
    assert refused.status_code == 409  # only a failed run is retried by hand
    db.session.execute(
        AutomationRun.__table__.update()
        .where(AutomationRun.id == run["id"])
        .values(status="failed")
    )
    db.session.commit()
    assert api.get("/api/v1/automation/runs?status=failed").json["total"] == 1
    trellis_webhook_receiver.then = 200
    retried = api.post(f"/api/v1/automation/runs/{run['id']}/retry")
    assert retried.status_code == 202, retried.json
    again = api.get(f"/api/v1/automation/runs/{run['id']}").json
    assert again["status"] == "done" and again["attempts"] == 2
    assert again["results"][0]["ok"] is True
    assert len(trellis_webhook_receiver.requests) == 2


def _counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Activity, AuditEntry, AutomationRun, Tag)
    ) + (db.session.scalar(select(func.max(Customer.version))),)


def test_a_dry_run_says_what_would_happen_and_changes_nothing(api, make_user):
    rep = make_user(name="Rep")
    made = define(
        api,
        trigger={"kind": "field_changed", "field": "grade", "value": "A"},
        conditions=[{"field": "source", "op": "eq", "value": "web"}],
        actions=[
            TASK,
            {"type": "assign_owner", "params": {"user_id": rep.id}},
            {"type": "add_tag", "params": {"tag": "hot"}},
            {"type": "update_field", "params": {"field": "stage", "value": "vip"}},
        ],
    ).json
    web = create_customer({"name": "From the web", "source": "web"}, None).customer
    fair = create_customer({"name": "From a fair", "source": "fair"}, None).customer
    before = _counts()
    tried = api.post(f"/api/v1/automation/rules/{made['id']}/try", json={"record_id": web.id})
    assert tried.status_code == 200, tried.json
    body = tried.json
    assert body["matched"] is True and body["record_type"] == "customer"
    assert body["conditions"][0]["actual"] == "web" and body["conditions"][0]["holds"] is True
    would = [a["would"] for a in body["actions"]]
    assert would[0].startswith("create the task Call within a day on From the web")
    assert would[1:] == ["assign to Rep", "tag From the web with hot", "set stage to vip"]
    missed = api.post(f"/api/v1/automation/rules/{made['id']}/try", json={"record_id": fair.id})
    assert missed.json["matched"] is False and missed.json["actions"][0]["would"] is None
    assert _counts() == before
    db.session.refresh(web)
    assert web.owner_id is None and web.tags == [] and web.stage.value == "lead"
    gone = api.post(f"/api/v1/automation/rules/{made['id']}/try", json={"record_id": 999999})
    assert gone.status_code == 404


def test_the_events_list_the_date_fields_a_date_trigger_may_watch(api):
    events = {e["name"]: e for e in api.get("/api/v1/automation/events").json}
    assert "next_follow_up_at" in events["customer_created"]["record"]["date_fields"]
    assert sorted(events["contact_created"]["record"]["date_fields"]) == ["birthday", "created_at"]
    assert "updated_at" not in events["customer_created"]["record"]["date_fields"]
    policy = events["insurance_policy_issued"]["record"]
    assert policy["type"] == "insurance_policy" and "end_date" in policy["date_fields"]
    actions = {a["type"] for a in api.get("/api/v1/automation/actions").json}
    assert {"send_email", "send_sms"} <= actions


def test_clock_rules_are_defined_and_a_bad_cron_refused_naming_it(api):
    bad = define(api, trigger={"kind": "schedule", "cron": "0 25 * * *", "record_type": "customer"})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["trigger.cron"]
    weekly = define(
        api,
        trigger={"kind": "schedule", "cron": "0 9 * * 1", "record_type": "customer"},
        conditions=[{"field": "grade", "op": "eq", "value": "A"}],
    )
    assert weekly.status_code == 201, weekly.json
    assert weekly.json["trigger"] == {
        "kind": "schedule",
        "event": "@schedule",
        "cron": "0 9 * * 1",
        "record_type": "customer",
    }
    assert weekly.json["next_run_at"] is not None
    birthday = {"kind": "date", "record_type": "contact", "field": "birthday", "yearly": True}
    made = define(api, trigger=birthday, actions=[TASK])
    assert made.status_code == 201, made.json
    assert made.json["trigger"] == {**birthday, "event": "@date", "offset_days": 0, "hour": 9}
    wrong = define(api, trigger={**birthday, "field": "name"})
    assert wrong.status_code == 422 and "trigger.field" in wrong.json["errors"]


def test_a_date_rule_is_tried_on_a_record_of_its_type(api, admin):
    from core.services.contacts import create_contact

    customer = create_customer({"name": "Acme"}, admin).customer
    li = create_contact({"customer_id": customer.id, "name": "Li", "birthday": "1990-05-01"}, admin)
    trigger = {"kind": "date", "record_type": "contact", "field": "birthday", "yearly": True}
    made = define(api, trigger=trigger, actions=[TASK]).json
    tried = api.post(f"/api/v1/automation/rules/{made['id']}/try", json={"record_id": li.id})
    assert tried.status_code == 200, tried.json
    assert tried.json["record_type"] == "contact" and tried.json["matched"] is True
    assert tried.json["actions"][0]["would"].startswith("create the task Call within a day on Li")
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
