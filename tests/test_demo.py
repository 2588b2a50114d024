"""The demo as `trellis init --demo` loads it: its field engineer has the
plugin's engineer role and works from "My jobs", and its work orders happen
in order, so the SLA report shows no negative times."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import User, db, utcnow
from plugins.service_dispatch.models import Engineer, WorkOrder


@pytest.mark.parametrize("locale, title", [("en", "Field engineer"), ("zh_CN", "现场工程师")])
def test_the_demo_engineer_works_from_my_jobs_and_times_add_up(
    locale, title, load_demo_as_admin, as_user
):
    admin = load_demo_as_admin(locale)
    engineer = db.session.get(User, db.session.scalar(select(Engineer.user_id)))
    assert engineer.role.name == "engineer" and engineer.role.scope.value == "own"
    assert {"service.engineer", "service.order.read"} <= set(engineer.role.permissions)
    jobs = as_user(engineer).get("/service/my-jobs")
    assert jobs.status_code == 200
    roles = as_user(admin).get("/admin/roles").get_data(as_text=True)
    assert f">{title}</a>" in roles  # the role by its title, in the admin's language

    for order in db.session.scalars(select(WorkOrder)):
        steps = [order.created_at, order.assigned_at, order.checked_in_at, order.completed_at]
        known = [s for s in steps if s is not None]
        assert known == sorted(known), order.number
    today = utcnow().date()
    report = as_user(admin).get(
        "/api/v1/service/reports/sla"
        f"?from={today - timedelta(days=30)}&to={today + timedelta(days=1)}"
    )
    assert report.status_code == 200, report.json
    figures = report.json
    assert figures["mean_hours_to_resolve"] is not None and figures["mean_hours_to_resolve"] > 0
    assert figures["mean_hours_to_respond"] is None or figures["mean_hours_to_respond"] >= 0


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_demo_hospitals_patients_are_people(locale, load_demo_as_admin):
    from core.api import Customer
    from plugins.his.models import Visit

    load_demo_as_admin(locale)
    kinds = db.session.scalars(
        select(Customer.kind).join(Visit, Visit.customer_id == Customer.id).distinct()
    ).all()
    assert [k.value for k in kinds] == ["person"]
