from decimal import Decimal

import pytest

from core.api import Team, db
from plugins.sales.models import Deal, Pipeline, Stage


@pytest.fixture
def pipeline(app):
    p = Pipeline(name="New business")
    db.session.add(p)
    db.session.flush()
    stage = Stage(pipeline_id=p.id, name="Proposal", position=0, probability=50)
    db.session.add(stage)
    db.session.commit()
    return p, stage


def deal(customer, owner, pipeline, title, amount="1000.10", team_id=None):
    p, stage = pipeline
    row = Deal(title=title, customer_id=customer.id, pipeline_id=p.id, stage_id=stage.id,
               amount=Decimal(amount), currency="CNY", owner_id=owner.id, team_id=team_id)
    db.session.add(row)
    db.session.commit()
    return row


def test_sales_reps_get_the_deal_permissions_by_default(app, make_user):
    rep = make_user(role="sales")
    assert rep.can("sales.deal.read") and rep.can("sales.deal.write")
    assert not rep.can("sales.admin")


def test_deal_amounts_are_exact(app, make_customer, make_user, pipeline):
    row = deal(make_customer(), make_user(), pipeline, "Exact", amount="19999.99")
    db.session.expire_all()
    assert db.session.get(Deal, row.id).amount == Decimal("19999.99")


def test_a_rep_sees_only_their_own_deals(app, make_customer, make_user, login_as, pipeline):
    me, other = make_user(role="sales"), make_user(role="sales")
    deal(make_customer(owner_id=me.id), me, pipeline, "My deal")
    deal(make_customer(owner_id=other.id), other, pipeline, "Their deal")
    page = login_as(me).get("/sales/deals").text
    assert "My deal" in page and "Their deal" not in page


def test_a_manager_sees_the_teams_deals_but_not_other_teams(app, make_customer, make_user,
                                                           login_as, pipeline):
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    lead = make_user(role="manager", team=east)
    rep, outsider = make_user(role="sales", team=east), make_user(role="sales", team=west)
    deal(make_customer(owner_id=rep.id), rep, pipeline, "East deal", team_id=east.id)
    deal(make_customer(owner_id=outsider.id), outsider, pipeline, "West deal", team_id=west.id)
    page = login_as(lead).get("/sales/deals").text
    assert "East deal" in page and "West deal" not in page
