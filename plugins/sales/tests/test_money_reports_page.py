"""The money reports page ``/sales/reports/money`` on the fixed book of
:mod:`.money_world`: each chart's numbers (as the page sends them to
charts.js) and its table view carry the hand-worked figures; the filters; the
permission; the menu entry. The browser draws them in
``e2e/test_money_charts.py``."""

from __future__ import annotations

from core.testing.charts import table_views

from .money_world import money_world  # noqa: F401  (the fixture)

PAGE = "/sales/reports/money?start=2026-02-01&end=2026-05-01&as_of=2026-04-15&currency=CNY"


def test_the_charts_carry_the_figures_and_their_tables_list_them(money_world, login_as):
    page = login_as(money_world["admin"]).get(PAGE)
    assert page.status_code == 200
    charts = table_views(page.text)
    months = charts["money-months-cny"]
    assert months["data"]["labels"] == ["February 2026", "March 2026", "April 2026"]
    series = {s["label"]: s["values"] for s in months["data"]["series"]}
    assert series == {
        "Contracted": [80000.0, 150000.0, 40000.0],
        "Net collected": [10000.0, 70000.0, 5000.0],
    }
    assert months["rows"][1] == [
        "March 2026",
        "CN¥150,000.00",
        "CN¥70,000.00",
        "CN¥73,000.00",
        "CN¥3,000.00",
    ]
    reps = charts["money-reps-cny"]
    assert reps["data"]["labels"] == ["Li", "Wang", "Zhao"]
    aging = charts["money-aging-cny"]
    assert aging["data"]["stacked"] is True and aging["data"]["labels"] == ["Li", "Wang", "Zhao"]
    assert [s["values"] for s in aging["data"]["series"]] == [
        [0.0, 50000.0, 20000.0],
        [0.0, 30000.0, 20000.0],
        [40000.0, 0.0, 0.0],
        [20000.0, 0.0, 0.0],
        [30000.0, 0.0, 0.0],
    ]
    assert aging["rows"][0][-1] == "CN¥90,000.00"
    quotes = charts["money-quotes"]
    assert quotes["data"]["series"][0]["values"] == [7, 3, 1, 1, 1, 1, 2]  # February–April
    assert "money-months-usd" in charts


def test_the_tables_show_turnaround_overdue_and_dso(money_world, login_as):
    text = login_as(money_world["admin"]).get(PAGE).text
    flows = text[text.index('id="money-turnaround"') :]
    # February–April adds April's 6 h: 2, 4, 6, 10, 24 → median 6, p90 at 3.6: 10 + 0.6 × 14
    assert "Large contracts" in flows and "6.0 h" in flows and "18.4 h" in flows
    overdue = text[text.index('id="money-overdue"') :]
    assert "CN¥90,000.00" in overdue and "Jan 10, 2026" in overdue and ">95<" in overdue
    collection = text[text.index('id="money-collection"') : text.index('id="money-turnaround"')]
    assert "53.3" in collection


def test_a_team_filter_and_bad_filters(money_world, login_as):
    client = login_as(money_world["admin"])
    west = client.get(f"{PAGE}&team_id={money_world['west'].id}")
    assert table_views(west.text)["money-aging-cny"]["data"]["labels"] == ["Zhao"]
    bad = client.get("/sales/reports/money?start=nonsense&as_of=2026-04-15&currency=CNY")
    assert bad.status_code == 200 and "money-aging-cny" in table_views(bad.text)


def test_a_rep_sees_their_own_figures_and_an_outsider_none(money_world, login_as, make_user):
    from core.api import DataScope, Role, db

    text = login_as(money_world["li"]).get(PAGE).text
    assert table_views(text)["money-aging-cny"]["data"]["labels"] == ["Li"]
    db.session.add(Role(name="deals_only", permissions=["sales.deal.read"], scope=DataScope.all))
    db.session.commit()
    outsider = login_as(make_user(role="deals_only", name="Outsider"))
    assert outsider.get(PAGE).status_code == 403


def test_the_money_reports_are_in_the_reports_menu(money_world, login_as):
    home = login_as(money_world["boss"]).get("/sales/reports/money")
    assert home.status_code == 200
    assert 'href="/sales/reports/money"' in home.text and "Money reports" in home.text
