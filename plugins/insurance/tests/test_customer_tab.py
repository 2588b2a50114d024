"""The Policies tab of a customer's page: the customer's policies the user
may see — scoped as the policies list is — and no tab for a user who may not
read policies."""

from datetime import timedelta

import pytest

from core.api import DataScope, Role, db, utcnow

from .factories import make_policy


@pytest.fixture
def holder(make_user, make_customer):
    """A customer of agent Ann holding her policy and one of agent Bob's."""
    db.session.add(
        Role(
            name="tab_agent",
            permissions=["customer.read", "insurance.policy.read"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    ann, bob = make_user(role="tab_agent"), make_user(role="tab_agent")
    customer = make_customer(name="Harbour Freight", owner_id=ann.id)
    today = utcnow().date()
    for number, agent in (("P-ANN-1", ann), ("P-BOB-1", bob)):
        make_policy(
            customer, agent, number, today - timedelta(days=30), today + timedelta(days=335)
        )
    db.session.commit()
    customer.ann = ann
    return customer


def test_the_tab_lists_the_customers_policies_the_agent_may_see(login_as, holder):
    client = login_as(holder.ann)
    page = client.get(f"/customers/{holder.id}").text
    assert 'id="tab-policies"' in page
    panel = client.get(f"/customers/{holder.id}/tab/policies")
    assert panel.status_code == 200 and "P-ANN-1" in panel.text and "Fleet motor" in panel.text
    assert "12,800.50" in panel.text and holder.ann.name in panel.text
    assert "P-BOB-1" not in panel.text  # Bob's policy is outside Ann's scope


def test_there_is_no_tab_for_a_user_who_may_not_read_policies(make_user, login_as, holder):
    rep = make_user(role="sales")
    holder.owner_id = rep.id
    db.session.commit()
    client = login_as(rep)
    assert 'id="tab-policies"' not in client.get(f"/customers/{holder.id}").text
    panel = client.get(f"/customers/{holder.id}/tab/policies")
    assert panel.status_code == 404 and "P-ANN-1" not in panel.text
