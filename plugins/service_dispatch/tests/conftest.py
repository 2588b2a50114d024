"""Fixtures of the service dispatch tests: the roles a service company sets
up (engineers see their own orders, dispatchers every one), engineers with
skills and regions, and orders put straight into a state."""

from datetime import timedelta

import pytest

from core.api import DataScope, Role, db, utcnow
from plugins.service_dispatch.models import WorkOrder
from plugins.service_dispatch.services import dispatch, orders

ENGINEER = ["service.order.read", "service.engineer"]
DISPATCHER = ["customer.read", "service.order.read", "service.order.write", "service.dispatch"]


@pytest.fixture
def roles(app):
    db.session.add_all(
        [
            Role(name="engineer", permissions=ENGINEER, scope=DataScope.own),
            Role(name="dispatcher", permissions=DISPATCHER, scope=DataScope.all),
        ]
    )
    db.session.commit()


@pytest.fixture
def make_engineer(make_user, roles):
    """``make_engineer(skills=[...], regions=[...])``: a user with the engineer role."""

    def factory(skills=("repair",), regions=("East",), **fields):
        user = make_user(role="engineer", **fields)
        dispatch.create_engineer(
            {"user_id": user.id, "skills": list(skills), "regions": list(regions)}, None
        )
        return user

    return factory


@pytest.fixture
def dispatcher(make_user, roles):
    return make_user(role="dispatcher")


@pytest.fixture
def make_order(make_customer):
    """``make_order(status="new", engineer=None, **fields)``: an order put
    straight into ``status`` (with the times that state implies)."""

    def factory(status="new", engineer=None, customer=None, **fields):
        customer = customer or make_customer(region="East", address="1 Main St")
        payload = {
            "title": "AC not cooling",
            "customer_id": customer.id,
            "category": "repair",
            **fields,
        }
        order = orders.create_work_order(payload, None)
        if status != "new":
            order.status = status
            order.engineer_id = engineer.id if engineer else None
            order.team_id = engineer.team_id if engineer else None
            order.assigned_at = utcnow() - timedelta(hours=2)
        if status in ("on_site", "completed", "closed"):
            order.checked_in_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        return order

    return factory


def reload(order) -> WorkOrder:
    db.session.expire_all()
    return db.session.get(WorkOrder, order.id)
