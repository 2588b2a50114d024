from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import Activity, ValidationError, create_followup_plan, db, utcnow
from plugins.service_dispatch.models import WorkOrder


def order(customer, engineer, number, **fields):
    row = WorkOrder(
        number=number,
        title="AC not cooling",
        customer_id=customer.id,
        engineer_id=engineer.id if engineer else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_service_dispatch_declares_permissions_kinds_and_the_revisit_rule(app):
    reg = app.extensions["trellis"]
    assert {"service.order.read", "service.dispatch", "service.engineer"} <= set(reg.permissions)
    assert "work_order" in reg.activity_kinds and "service_revisit" in reg.followup_rules


def test_a_revisit_is_planned_once_after_a_completed_job(app, make_customer, make_user, run_due):
    owner, engineer = make_user(), make_user()
    customer = make_customer(owner_id=owner.id)
    done = order(
        customer, engineer, "WO-1", status="completed", completed_at=utcnow() - timedelta(days=3)
    )
    order(customer, engineer, "WO-2", status="completed", completed_at=utcnow())  # too recent
    order(customer, engineer, "WO-3", status="on_site")
    create_followup_plan(
        {"name": "回访", "rule": "service_revisit", "params": {"after_days": 2}}, None
    )
    assert run_due().created == 1
    assert run_due().created == 0
    task = db.session.scalar(select(Activity).where(Activity.plan_id.is_not(None)))
    assert (task.link_id, task.owner_id, task.customer_id) == (done.id, owner.id, customer.id)


def test_revisit_plan_with_bad_params_is_refused(app):
    with pytest.raises(ValidationError) as err:
        create_followup_plan(
            {"name": "x", "rule": "service_revisit", "params": {"after_days": -1}}, None
        )
    assert "after_days" in err.value.errors["params"][0]


def test_an_engineer_sees_only_orders_assigned_to_them(
    app, make_customer, make_user, login_as, roles
):
    me, other = make_user(role="engineer"), make_user(role="engineer")
    order(make_customer(), me, "WO-MINE")
    order(make_customer(), other, "WO-THEIRS")
    order(make_customer(), None, "WO-UNASSIGNED")
    page = login_as(me).get("/service/work-orders").text
    assert "WO-MINE" in page and "WO-THEIRS" not in page and "WO-UNASSIGNED" not in page
