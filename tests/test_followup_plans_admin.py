"""Follow-up plans are set up by an administrator, on a page and through the API."""

import re

from core.models import FollowUpPlan
from core.testing.pages import shown_text


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_an_admin_creates_pauses_and_resumes_a_plan_in_the_browser(make_user, login_as, db):
    client = login_as(make_user(role="admin"))
    page = "/admin/follow-up-plans"
    assert "Every N days per customer grade" in client.get(page).text
    created = client.post(
        page,
        data={
            "csrf_token": token(client, page),
            "name": "A accounts",
            "rule": "customer_interval",
            "p.customer_interval.every_days": "14",
            "p.customer_interval.grade": "A",
            "p.sales_grade_revisit.A": "3",  # another rule's field: not this plan's
        },
    )
    assert created.status_code == 302
    plan = db.session.query(FollowUpPlan).one()
    assert plan.params == {"every_days": 14, "grade": "A"} and plan.active
    listed = client.get(page).text  # the settings by their labels, not their keys
    assert "Every how many days: 14" in listed and "Only customers of grade: A" in listed
    assert "every_days" not in " ".join(shown_text(listed))
    client.post(f"{page}/{plan.id}/active", data={"csrf_token": token(client, page), "active": "0"})
    db.session.expire_all()
    assert not db.session.get(FollowUpPlan, plan.id).active


def test_bad_settings_are_named_and_nothing_is_created(make_user, login_as, db):
    client = login_as(make_user(role="admin"))
    page = "/admin/follow-up-plans"
    bad = client.post(
        page,
        data={
            "csrf_token": token(client, page),
            "name": "Broken",
            "rule": "customer_interval",
            "p.customer_interval.every_days": "0",
        },
    )
    assert bad.status_code == 422 and "a whole number of days from 1 to 3650" in bad.text
    assert 'name="p.customer_interval.every_days" value="0"' in bad.text  # the input is kept
    assert db.session.query(FollowUpPlan).count() == 0


def test_each_rule_asks_for_its_settings_by_label_in_chinese(make_user, login_as):
    page = login_as(make_user(role="admin", locale="zh_CN")).get("/admin/follow-up-plans").text
    assert "每隔多少天" in page and "低分时" in page and "重新打开工单" in page
    assert 'data-rule-params="service_revisit"' in page and "data-rule-select" in page


def test_plans_through_the_api_and_only_for_admins(make_user, as_user, db):
    api = as_user(make_user(role="admin"))
    created = api.post(
        "/api/v1/followup-plans",
        json={"name": "Revisit", "rule": "customer_interval", "params": {"every_days": 30}},
    )
    assert created.status_code == 201 and created.json["params"]["every_days"] == 30
    paused = api.patch(f"/api/v1/followup-plans/{created.json['id']}", json={"active": False})
    assert paused.status_code == 200 and paused.json["active"] is False
    assert [p["name"] for p in api.get("/api/v1/followup-plans").json] == ["Revisit"]
    unknown = api.post("/api/v1/followup-plans", json={"name": "X", "rule": "astrology"})
    assert unknown.status_code == 422 and "rule" in unknown.json["errors"]
    rep = as_user(make_user())
    assert rep.get("/api/v1/followup-plans").status_code == 403
    assert rep.get("/admin/follow-up-plans").status_code in (401, 403)
