from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import Activity, DataScope, Role, ValidationError, create_followup_plan, db, utcnow
from plugins.insurance.models import Policy

from .factories import make_policy


@pytest.fixture
def agent_role(app):
    db.session.add(Role(name="agent", permissions=["insurance.policy.read"], scope=DataScope.own))
    db.session.commit()


def policy(customer, agent, number, ends_in_days, **fields):
    today = utcnow().date()
    row = make_policy(
        customer,
        agent,
        number,
        today - timedelta(300),
        today + timedelta(days=ends_in_days),
        **fields,
    )
    db.session.commit()
    return row


def test_insurance_declares_its_permissions_menu_and_rule(app):
    reg = app.extensions["trellis"]
    assert {"insurance.policy.read", "insurance.policy.write", "insurance.admin"} <= set(
        reg.permissions
    )
    assert "policy" in reg.activity_kinds and "insurance_renewal" in reg.followup_rules


def test_premium_is_stored_exactly(app, make_customer, make_user):
    row = policy(make_customer(), make_user(), "P-1", 100)
    db.session.expire_all()
    assert db.session.get(Policy, row.id).annual_premium == Decimal("12800.50")


def test_renewal_tasks_come_due_before_the_policy_ends_and_only_once(
    app, make_customer, make_user, run_due
):
    agent = make_user()
    customer = make_customer(owner_id=agent.id)
    soon = policy(customer, agent, "P-SOON", 20)
    policy(customer, agent, "P-LATER", 90)
    policy(customer, agent, "P-LAPSED", 10, status="lapsed")
    create_followup_plan(
        {"name": "Renewals", "rule": "insurance_renewal", "params": {"days_before": 30}}, None
    )
    assert run_due().created == 1
    assert run_due().created == 0
    task = db.session.scalar(select(Activity).where(Activity.plan_id.is_not(None)))
    assert (task.link_type, task.link_id, task.owner_id) == ("insurance_policy", soon.id, agent.id)
    assert "P-SOON" in task.subject and task.is_open


@pytest.mark.parametrize("params", [{}, {"days_before": 0}, {"days_before": "30"}])
def test_renewal_plan_with_bad_params_is_refused(app, params):
    with pytest.raises(ValidationError) as err:
        create_followup_plan({"name": "x", "rule": "insurance_renewal", "params": params}, None)
    assert "days_before" in err.value.errors["params"][0]


def test_an_agent_sees_only_their_own_policies(app, make_customer, make_user, login_as, agent_role):
    me, other = make_user(role="agent"), make_user(role="agent")
    policy(make_customer(owner_id=me.id), me, "P-MINE", 100)
    policy(make_customer(owner_id=other.id), other, "P-THEIRS", 100)
    page = login_as(me).get("/insurance/policies").text
    assert "P-MINE" in page and "P-THEIRS" not in page


def test_a_policy_leaves_sight_with_its_customer(
    app, make_customer, make_user, login_as, agent_role
):
    """Credited to me, but the policyholder now is another agent's private
    customer: the policy (and the customer's name through it) is out of my sight."""
    me, other = make_user(role="agent"), make_user(role="agent")
    moved = make_customer(name="Moved Holdings", owner_id=other.id)
    policy(moved, me, "P-MOVED", 100)
    page = login_as(me).get("/insurance/policies").text
    assert "P-MOVED" not in page and "Moved Holdings" not in page


def test_the_policies_page_is_hidden_without_the_permission(app, make_user, login_as):
    assert login_as(make_user(role="sales")).get("/insurance/policies").status_code == 404


def test_a_renewal_task_shows_on_the_timeline_only_to_who_sees_the_policy(
    app, make_customer, make_user, run_due, login_as
):
    db.session.add(Role(name="reader", permissions=["customer.read"], scope=DataScope.all))
    db.session.commit()
    agent, reader = make_user(role="manager"), make_user(role="reader")
    customer = make_customer(owner_id=agent.id)
    term = policy(customer, agent, "P-TIMELINE", 10)
    create_followup_plan(
        {"name": "Renewals", "rule": "insurance_renewal", "params": {"days_before": 30}}, None
    )
    assert run_due().created == 1
    mine = login_as(agent).get(f"/api/v1/customers/{customer.id}/activities")
    assert any("P-TIMELINE" in (a.get("subject") or "") for a in mine.json["items"])
    assert any(
        f"/insurance/policies/{term.id}" == (a.get("link_url") or "") for a in mine.json["items"]
    )  # the policy's page
    theirs = login_as(reader).get(f"/api/v1/customers/{customer.id}/activities")
    assert theirs.status_code == 200 and theirs.json["items"] == []
