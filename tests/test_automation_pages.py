"""Settings → Automation: the rule list (trigger, on/off, last run,
failures), the form (refusing an unknown field by its name), the run log
filtered by rule and failures, retrying a failed run — in both locales;
a rep without ``admin.automation`` gets 403."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import db
from core.models import AutomationRule, AutomationRun
from core.services.customers import create_customer


@pytest.fixture
def admin_page(make_user, login_as):
    def sign_in(locale: str):
        return login_as(make_user(role="admin", locale=locale, name="Ada", email="a@example.com"))

    return sign_in


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _form(csrf: str, **fields) -> dict:
    return {
        "csrf_token": csrf,
        "name": "New customer → call",
        "active": "1",
        "trigger.kind": "event",
        "trigger.event": "customer_created",
        "condition_rows": "3",
        "conditions.0.field": "grade",
        "conditions.0.op": "in",
        "conditions.0.value": "A, B",
        "action_rows": "2",
        "actions.0.type": "create_task",
        "actions.0.p.create_task.title": "Call within a day",
        "actions.0.p.create_task.due_in_days": "1",
        "actions.0.p.create_task.due_in_hours": "",
        # another action's fields are in the form too (shown when chosen): not read
        "actions.0.p.add_tag.tag": "ignored",
        **fields,
    }


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_an_admin_defines_a_rule_and_reads_the_run_log(admin_page, locale):
    client = admin_page(locale)
    form = client.get("/admin/automation/new")
    assert form.status_code == 200
    csrf = _csrf(form.get_data(as_text=True))
    refused = client.post(
        "/admin/automation/new", data=_form(csrf, **{"conditions.0.field": "colour"})
    )
    assert refused.status_code == 422
    assert 'id="e-conditions.0.field"' in refused.get_data(as_text=True)
    no_title = client.post(
        "/admin/automation/new", data=_form(csrf, **{"actions.0.p.create_task.title": ""})
    )
    assert no_title.status_code == 422  # the parameter's own field says so
    assert 'id="e-actions.0.params.title"' in no_title.get_data(as_text=True)
    form_page = form.get_data(as_text=True)
    assert 'name="actions.0.p.assign_owner.team_id"' in form_page  # a team is chosen, not typed
    assert 'name="actions.0.p.send_email.purpose"' in form_page
    assert db.session.scalar(select(AutomationRule.id)) is None
    saved = client.post("/admin/automation/new", data=_form(csrf))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    rule = db.session.scalars(select(AutomationRule)).one()
    assert rule.conditions == [{"field": "grade", "op": "in", "value": ["A", "B"]}]
    assert rule.actions[0] == {
        "type": "create_task",
        "params": {"title": "Call within a day", "due_in_days": 1},
    }
    create_customer({"name": "Grade A", "grade": "A"}, None)
    listing = client.get("/admin/automation/").get_data(as_text=True)
    assert "New customer → call" in listing and "customer_created" in listing
    edit = client.get(f"/admin/automation/{rule.id}").get_data(as_text=True)
    assert "Call within a day" in edit
    log = client.get(f"/admin/automation/runs?rule_id={rule.id}")
    assert log.status_code == 200
    text = log.get_data(as_text=True)
    assert "Grade A" not in text and "customer #" in text and "create_task" in text


def test_a_failed_run_is_shown_and_retried_by_hand(admin_page, trellis_webhook_receiver):
    client = admin_page("en")
    csrf = _csrf(client.get("/admin/automation/new").get_data(as_text=True))
    saved = client.post(
        "/admin/automation/new",
        data=_form(
            csrf,
            **{
                "conditions.0.field": "",
                "actions.0.type": "call_webhook",
                "actions.0.p.call_webhook.url": trellis_webhook_receiver.url,
                "actions.0.p.call_webhook.allow_internal": "1",
            },
        ),
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    trellis_webhook_receiver.then = 500
    create_customer({"name": "Down"}, None)
    db.session.execute(AutomationRun.__table__.update().values(status="failed"))
    db.session.commit()
    listing = client.get("/admin/automation/").get_data(as_text=True)
    assert "failed=1" in listing
    failed = client.get("/admin/automation/runs?failed=1").get_data(as_text=True)
    assert "HTTP 500" in failed
    run_id = db.session.scalar(select(AutomationRun.id))
    trellis_webhook_receiver.then = 200
    retried = client.post(
        f"/admin/automation/runs/{run_id}/retry", data={"csrf_token": _csrf(failed)}
    )
    assert retried.status_code == 302
    db.session.expire_all()
    assert db.session.get(AutomationRun, run_id).status == "done"
    assert (
        client.get("/admin/automation/runs?failed=1").get_data(as_text=True).count("HTTP 500") == 0
    )


def test_a_rep_without_the_permission_gets_403(make_user, login_as):
    client = login_as(make_user(role="sales"))
    for url in ("/admin/automation/", "/admin/automation/new", "/admin/automation/runs"):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_rule_is_tried_on_a_record_from_its_page_writing_nothing(admin_page, locale):
    from core.models import Activity

    client = admin_page(locale)
    csrf = _csrf(client.get("/admin/automation/new").get_data(as_text=True))
    assert client.post("/admin/automation/new", data=_form(csrf)).status_code == 302
    rule = db.session.scalars(select(AutomationRule)).one()
    rule.active = False  # the customer below runs nothing
    db.session.commit()
    grade_b = create_customer({"name": "Grade B", "grade": "B"}, None).customer
    grade_c = create_customer({"name": "Grade C", "grade": "C"}, None).customer
    texts = {}
    for customer in (grade_b, grade_c):
        tried = client.post(
            f"/admin/automation/{rule.id}/try", data={"csrf_token": csrf, "record_id": customer.id}
        )
        assert tried.status_code == 200
        texts[customer.name] = tried.get_data(as_text=True)
        assert f"customer #{customer.id}" in texts[customer.name]
    assert "Call within a day" in texts["Grade B"]  # grade in (A, B): the task it would create
    assert "Call within a day" not in texts["Grade C"]
    assert db.session.scalar(select(Activity.id)) is None
    gone = client.post(
        f"/admin/automation/{rule.id}/try", data={"csrf_token": csrf, "record_id": "99999"}
    )
    assert gone.status_code == 302


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_an_admin_defines_schedule_and_date_rules_in_the_form(admin_page, locale):
    client = admin_page(locale)
    page = client.get("/admin/automation/new").get_data(as_text=True)
    assert 'name="trigger.cron"' in page and 'value="date"' in page
    assert "birthday" in page  # a contact's date field, offered to a date trigger
    csrf = _csrf(page)
    clock = {"trigger.event": "", "conditions.0.field": ""}
    bad = client.post(
        "/admin/automation/new",
        data=_form(
            csrf,
            **clock,
            **{
                "trigger.kind": "schedule",
                "trigger.cron": "0 9 * *",
                "trigger.record_type": "customer",
            },
        ),
    )
    assert bad.status_code == 422 and 'id="e-trigger.cron"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(AutomationRule.id)) is None
    saved = client.post(
        "/admin/automation/new",
        data=_form(
            csrf,
            **clock,
            **{
                "trigger.kind": "date",
                "trigger.record_type": "contact",
                "trigger.field": "birthday",
                "trigger.offset_days": "-3",
                "trigger.hour": "8",
                "trigger.yearly": "1",
            },
        ),
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    rule = db.session.scalars(select(AutomationRule)).one()
    assert rule.trigger == {
        "kind": "date",
        "event": "@date",
        "record_type": "contact",
        "field": "birthday",
        "offset_days": -3,
        "hour": 8,
        "yearly": True,
    }
    edit = client.get(f"/admin/automation/{rule.id}").get_data(as_text=True)
    assert 'name="trigger.offset_days"' in edit and 'value="-3"' in edit
    listing = client.get("/admin/automation/").get_data(as_text=True)
    assert "contact.birthday" in listing and "-3" in listing
