"""Who sees a deal: never another rep through the API or the pages, nobody
once its customer moves to a colleague's private list or into the recycle
bin, and on a customer two teams sell to, each rep only their own deal's
timeline entries."""

from __future__ import annotations

import pytest

from core.api import db
from plugins.sales.services import deals as deal_service
from plugins.sales.tests.test_deals import new_deal, pipeline, stage  # noqa: F401 (fixture)


def test_a_rep_never_sees_another_reps_deal_or_customer_through_the_api(
    app, pipeline, make_user, make_customer, as_user
):
    owner, other = make_user(), make_user()
    customer = make_customer(owner_id=owner.id)
    deal = new_deal(pipeline, customer, owner)
    api = as_user(other)
    assert api.get(f"/api/v1/sales/deals/{deal.id}").status_code == 404
    assert api.get("/api/v1/sales/deals").json["total"] == 0
    assert (
        api.post(
            f"/api/v1/sales/deals/{deal.id}/stage", json={"stage_id": stage(pipeline, "Won").id}
        ).status_code
        == 404
    )
    poach = api.post(
        "/api/v1/sales/deals",
        json={"title": "Poach", "customer_id": customer.id, "pipeline_id": pipeline.id},
    )
    assert poach.status_code == 404 and "customer_id" in poach.json["errors"]
    funnel = api.get(f"/api/v1/sales/reports/funnel?pipeline_id={pipeline.id}").json
    assert funnel["deals"] == 0


def test_a_deal_is_hidden_with_its_customer_even_from_the_deals_owner(
    app, pipeline, make_user, make_customer, as_user, login_as
):
    rep, colleague = make_user(), make_user()
    customer = make_customer(owner_id=rep.id)
    deal = new_deal(pipeline, customer, rep)
    assert as_user(rep).get(f"/api/v1/sales/deals/{deal.id}").status_code == 200
    customer.owner_id = colleague.id  # the account moved to a colleague's private list
    db.session.commit()
    api = as_user(rep)
    assert api.get(f"/api/v1/sales/deals/{deal.id}").status_code == 404
    assert api.get("/api/v1/sales/deals").json["total"] == 0
    web = login_as(rep)
    assert web.get(f"/sales/deals/{deal.id}").status_code == 404
    assert web.get(f"/sales/customers/{customer.id}/deals").status_code == 404
    assert customer.name not in web.get("/sales/deals").text
    assert customer.name not in web.get(f"/sales/board?pipeline_id={pipeline.id}").text


def test_another_reps_deal_page_is_a_404(app, pipeline, make_user, make_customer, login_as):
    owner, other = make_user(), make_user()
    deal = new_deal(pipeline, make_customer(owner_id=owner.id), owner)
    client = login_as(other)
    for path in (f"/sales/deals/{deal.id}", f"/sales/deals/{deal.id}/edit"):
        assert client.get(path).status_code == 404
    assert "Tea for the office" not in client.get("/sales/deals").text


@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_deals_of_a_customer_in_the_recycle_bin_are_hidden_from_every_scope(
    app, pipeline, make_user, make_customer, as_user, role
):
    user = make_user(role=role)
    kept, binned = (make_customer(name=n, owner_id=user.id) for n in ("Kept", "Binned"))
    for customer in (kept, binned):
        new_deal(pipeline, customer, user, title=f"Deal of {customer.name}")
    admin = as_user(user if role == "admin" else make_user(role="admin"))
    assert admin.delete(f"/api/v1/customers/{binned.id}").status_code == 204
    api = as_user(user)
    titles = [d["title"] for d in api.get("/api/v1/sales/deals").json["items"]]
    assert titles == ["Deal of Kept"]
    funnel = api.get(f"/api/v1/sales/reports/funnel?pipeline_id={pipeline.id}").json
    assert funnel["deals"] == 1


def test_a_shared_customers_timeline_links_the_reps_deal_and_leaves_out_another_teams(
    app, pipeline, make_user, make_customer, login_as, as_user
):
    """Two teams sell to one customer: the rep who owns it sees their own deal's
    entries linked to the deal, and nothing of the other team's deal — on the
    customer's page, in the API's timeline and in the customers list's count."""
    from core.api import DataScope, Role, Team

    east, west = Team(name="East"), Team(name="West")
    db.session.add_all(
        [east, west, Role(name="viewer", permissions=["customer.read"], scope=DataScope.all)]
    )
    db.session.commit()
    rep, other, admin = make_user(team=east), make_user(team=west), make_user(role="admin")
    customer = make_customer(name="Shared Co", owner_id=rep.id)
    ours = new_deal(pipeline, customer, rep, title="Our tea")
    theirs = new_deal(pipeline, customer, admin, title="Their coffee", owner_id=other.id)
    for deal, actor in ((ours, rep), (theirs, admin)):
        deal_service.move_stage(deal, stage(pipeline, "Proposal").id, actor)
    client = login_as(rep)
    page = client.get(f"/customers/{customer.id}?tab=timeline").text
    assert f'<a href="/sales/deals/{ours.id}">Our tea: Lead in → Proposal</a>' in page
    assert "Their coffee" not in page
    head = page[page.index('class="page-head"') : page.index('class="tabs"')]
    assert f'href="/sales/deals/new?customer_id={customer.id}">New deal</a>' in head
    items = as_user(rep).get(f"/api/v1/customers/{customer.id}/activities").json["items"]
    assert {i["subject"]: i["link_url"] for i in items} == {
        "New deal Our tea (Lead in)": f"/sales/deals/{ours.id}",
        "Our tea: Lead in → Proposal": f"/sales/deals/{ours.id}",
    }
    assert '<td class="col-sales_open_deals">1</td>' in client.get("/customers/").text
    assert '<td class="col-sales_open_deals">2</td>' in login_as(admin).get("/customers/").text
    viewer = login_as(make_user(role="viewer"))  # may see the customer, not a single deal
    page = viewer.get(f"/customers/{customer.id}?tab=timeline").text
    assert "Our tea" not in page and "New deal" not in page
    assert "col-sales_open_deals" not in viewer.get("/customers/").text
