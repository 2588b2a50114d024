"""Follow-up plans by grade, through core's follow-up engine, and the
overdue follow-ups list and widget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.api import Activity, Team, ValidationError, create_followup_plan, db, log_activity, utcnow

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def tasks():
    db.session.expire_all()
    return {
        (
            t.customer.name,
            t.due_at.replace(tzinfo=UTC) if t.due_at.tzinfo is None else t.due_at,
            t.subject,
        )
        for t in db.session.scalars(select(Activity).where(Activity.kind == "task"))
    }


def test_each_grade_plans_the_next_follow_up_after_the_last_contact(
    app, make_user, make_customer, run_due
):
    rep = make_user()
    create_followup_plan(
        {"name": "Revisit", "rule": "sales_grade_revisit", "params": {"A": 5}}, None
    )
    a = make_customer(name="Alpha", grade="A", owner_id=rep.id)
    d = make_customer(name="Delta", grade="D", owner_id=rep.id)
    make_customer(name="Ungraded", owner_id=rep.id)
    make_customer(name="Pool", grade="A")
    busy = make_customer(name="Busy", grade="B", owner_id=rep.id)
    log_activity(
        {
            "kind": "task",
            "subject": "Already planned",
            "customer_id": busy.id,
            "due_at": T0.isoformat(),
        },
        rep,
    )
    a.last_contacted_at, d.last_contacted_at = T0, None
    d.created_at = T0
    db.session.commit()

    report = run_due(T0)
    assert report.created == 2
    assert tasks() == {
        ("Alpha", T0 + timedelta(days=5), "Follow up (grade A)"),  # the plan's 5 days
        ("Delta", T0 + timedelta(days=60), "Follow up (grade D)"),  # the default for D
        ("Busy", T0, "Already planned"),
    }
    assert run_due(T0).created == 0  # a second run plans nothing twice


@pytest.mark.parametrize("params,field", [({"E": 3}, "E"), ({"A": 0}, "A"), ({"B": "x"}, "B")])
def test_bad_plan_parameters_name_the_grade(app, params, field):
    with pytest.raises(ValidationError) as refused:
        create_followup_plan({"name": "Bad", "rule": "sales_grade_revisit", "params": params}, None)
    assert field in refused.value.errors["params"][0]


def test_managers_see_their_teams_overdue_follow_ups_and_reps_only_theirs(
    app, make_user, make_customer, login_as
):
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    manager = make_user(role="manager", team=east)
    rep, other = make_user(team=east, name="Wang Fang"), make_user(name="Outsider")
    late = utcnow() - timedelta(days=3)
    for owner, name in ((rep, "Rep Customer"), (other, "Other Customer")):
        customer = make_customer(name=name, owner_id=owner.id, team_id=owner.team_id)
        log_activity(
            {
                "kind": "task",
                "subject": f"Call {name}",
                "customer_id": customer.id,
                "due_at": late.isoformat(),
                "owner_id": owner.id,
            },
            owner,
        )
    page = login_as(manager).get("/sales/follow-ups").text
    assert "Call Rep Customer" in page and "Wang Fang" in page
    assert "Other Customer" not in page
    mine = login_as(other).get("/sales/follow-ups").text
    assert "Call Other Customer" in mine and "Rep Customer" not in mine
    widget = login_as(manager).get("/sales/widgets/overdue-follow-ups").text
    assert "Call Rep Customer" in widget and 'class="count hot">1<' in widget
    dashboard = login_as(manager).get("/").text
    assert 'id="widget-sales_overdue_followups"' in dashboard
