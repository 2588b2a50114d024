"""Who sees which quotes: through ``visible_records(Quote, user)`` only — a
rep sees their own, a manager their team's, and nobody a quote of a
customer private to another rep, in the list, the detail, the PDF, the
API or the pages."""

from __future__ import annotations

from core.api import DataScope, Role, db
from plugins.sales.services.quotes import editing

from .quote_fixtures import *  # noqa: F403


def free_quote(customer, owner, actor):
    return editing.create_quote(
        {
            "customer_id": customer.id,
            "owner_id": owner.id,
            "title": "Green tea for the lobby",
            "lines": [{"description": "Green tea", "unit_price": "50.00", "quantity": "2"}],
        },
        actor,
    )


def test_a_rep_sees_no_quote_of_another_reps_private_customer(
    people, make_user, make_customer, as_user, login_as, billing
):
    other = make_user(role="sales", name="Olga Other")  # no team: her customers are hers
    private = make_customer(name="Olga's own customer", owner_id=other.id)
    # the rep's quote (she owns it) of a customer private to another rep
    theirs = free_quote(private, people["rep"], people["admin"])
    mine = free_quote(people["customer"], people["rep"], people["rep"])
    api = as_user(people["rep"])
    listed = [q["id"] for q in api.get("/api/v1/sales/quotes").json["items"]]
    assert listed == [mine.id]
    assert api.get("/api/v1/sales/quotes?q=Olga").json["items"] == []  # by customer name
    for path in (f"/api/v1/sales/quotes/{theirs.id}", f"/api/v1/sales/quotes/{theirs.id}/pdf"):
        assert api.get(path).status_code == 404, path
    sent = api.post(f"/api/v1/sales/quotes/{theirs.id}/send", json={})
    assert sent.status_code == 404
    web = login_as(people["rep"])
    assert "Olga" not in web.get("/sales/quotes").text
    assert theirs.number not in web.get("/sales/quotes").text
    for path in (f"/sales/quotes/{theirs.id}", f"/sales/quotes/{theirs.id}/pdf"):
        assert web.get(path).status_code == 404, path
    # the other rep sees her customer, not a quote another rep owns
    assert as_user(other).get(f"/api/v1/sales/quotes/{theirs.id}").status_code == 404


def test_a_manager_sees_the_teams_quotes_and_a_stranger_none(people, make_user, as_user):
    quote = free_quote(people["customer"], people["rep"], people["rep"])
    manager = as_user(people["manager"])
    assert [q["id"] for q in manager.get("/api/v1/sales/quotes").json["items"]] == [quote.id]
    assert manager.get(f"/api/v1/sales/quotes/{quote.id}").status_code == 200
    stranger = as_user(make_user(role="sales", name="Sam Stranger"))
    assert stranger.get("/api/v1/sales/quotes").json["items"] == []
    assert stranger.get(f"/api/v1/sales/quotes/{quote.id}").status_code == 404
    assert stranger.get(f"/api/v1/sales/quotes/{quote.id}/pdf").status_code == 404


def test_without_the_permission_there_are_no_quotes(people, make_user, as_user, login_as):
    quote = free_quote(people["customer"], people["rep"], people["rep"])
    db.session.add(Role(name="clerk", scope=DataScope.all, permissions=["customer.read"]))
    db.session.commit()
    clerk = make_user(role="clerk", name="Cleo Clerk")
    api = as_user(clerk)
    assert api.get("/api/v1/sales/quotes").status_code == 403
    assert api.get(f"/api/v1/sales/quotes/{quote.id}").status_code == 403
    assert login_as(clerk).get("/sales/quotes").status_code == 403
