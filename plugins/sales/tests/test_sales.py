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
    row = Deal(
        title=title,
        customer_id=customer.id,
        pipeline_id=p.id,
        stage_id=stage.id,
        amount=Decimal(amount),
        currency="CNY",
        owner_id=owner.id,
        team_id=team_id,
    )
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


def test_a_manager_sees_the_teams_deals_but_not_other_teams(
    app, make_customer, make_user, login_as, pipeline
):
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.commit()
    lead = make_user(role="manager", team=east)
    rep, outsider = make_user(role="sales", team=east), make_user(role="sales", team=west)
    deal(make_customer(owner_id=rep.id), rep, pipeline, "East deal", team_id=east.id)
    deal(make_customer(owner_id=outsider.id), outsider, pipeline, "West deal", team_id=west.id)
    page = login_as(lead).get("/sales/deals").text
    assert "East deal" in page and "West deal" not in page


def test_the_deals_list_searches_filters_pages_and_exports_what_it_shows(
    app, make_customer, make_user, login_as, as_user, pipeline
):
    import csv
    import io
    import re

    from plugins.sales.views import deals as deal_views

    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    boss = make_user(role="manager", team=east, name="Boss")
    wang, outsider = make_user(role="sales", team=east, name="Wang"), make_user(role="sales")
    acme = make_customer(name="Acme Tea", owner_id=wang.id, team_id=east.id)
    tea = deal(acme, wang, pipeline, "Office supply", team_id=east.id)
    deal(make_customer(owner_id=outsider.id), outsider, pipeline, "Not theirs")
    for i in range(deal_views.LIST_SIZE):
        deal(
            make_customer(owner_id=boss.id, team_id=east.id),
            boss,
            pipeline,
            f"Routine {i:02d}",
            team_id=east.id,
        )
    client = login_as(boss)

    def titles(query: str) -> list[str]:
        page = client.get(f"/sales/deals?{query}").text
        return re.findall(r'/sales/deals/\d+">([^<]+)</a>', page)

    assert titles("q=acme") == ["Office supply"]  # the customer's name
    assert titles(f"owner_id={wang.id}") == ["Office supply"]
    first = client.get("/sales/deals").text
    assert len(re.findall(r'/sales/deals/\d+">', first)) == deal_views.LIST_SIZE
    assert 'rel="next"' in first and "Not theirs" not in first
    second = titles("page=2")
    assert len(second) == 1 and "Not theirs" not in second
    assert "No deals match." in client.get("/sales/deals?q=nothing-like-it").text
    assert (
        "/api/v1/sales/deals/export?q=acme&amp;outcome=open"
        in client.get("/sales/deals?q=acme").text
    )

    exported = as_user(boss).get("/api/v1/sales/deals/export?q=acme")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [(r["title"], r["customer_name"], r["owner_name"], r["amount"]) for r in rows] == [
        ("Office supply", "Acme Tea", "Wang", "1000.10")
    ]
    everything = list(
        csv.DictReader(
            io.StringIO(as_user(boss).get("/api/v1/sales/deals/export").data.decode("utf-8-sig"))
        )
    )
    assert len(everything) == deal_views.LIST_SIZE + 1
    assert tea.title in {r["title"] for r in everything}
    assert as_user(wang).get("/api/v1/sales/deals/export").status_code == 403  # reps may not
