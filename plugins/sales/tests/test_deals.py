"""Deals through the service, the API and the pages: stage moves with their
history, timeline and events; bad input refused with nothing changed; the
funnel and forecast checked against figures computed by hand. Who sees a
deal: ``test_deal_visibility``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Activity, ValidationError, db
from core.testing import plugin_module
from plugins.sales.models import Deal, StageChange
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service

STAGES = [
    {"name": "Lead in", "probability": 10},
    {"name": "Proposal", "probability": 50},
    {"name": "Negotiation", "probability": 80},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]


@pytest.fixture
def pipeline(app):
    return pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)


@pytest.fixture
def other_pipeline(app):
    return pipeline_service.create_pipeline(
        {
            "name": "Renewals",
            "stages": [
                {"name": "Due", "probability": 60},
                {"name": "Renewed", "probability": 100, "outcome": "won"},
                {"name": "Churned", "probability": 0, "outcome": "lost"},
            ],
        },
        None,
    )


def stage(pipeline, name):
    return next(s for s in pipeline.stages if s.name == name)


def new_deal(pipeline, customer, owner, **fields):
    return deal_service.create_deal(
        {
            "title": "Tea for the office",
            "customer_id": customer.id,
            "pipeline_id": pipeline.id,
            "amount": "1000.00",
            **fields,
        },
        owner,
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_deal_moves_through_its_pipeline_with_history_timeline_and_events(
    register_plugin, make_user, make_customer
):
    heard = []
    register_plugin(
        plugin_module(
            "listener",
            trellis_sales_deal_stage_changed=lambda deal, from_stage, to_stage: heard.append(
                ("moved", from_stage.name, to_stage.name)
            ),
            trellis_sales_deal_won=lambda deal: heard.append(("won", deal.title)),
        )
    )
    pipeline = pipeline_service.create_pipeline({"name": "New business", "stages": STAGES}, None)
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    deal = new_deal(pipeline, customer, rep)
    assert deal.stage.name == "Lead in" and deal.owner_id == rep.id and deal.closed_at is None
    deal_service.move_stage(deal, stage(pipeline, "Proposal").id, rep, deal.version)
    deal_service.move_stage(deal, stage(pipeline, "Won").id, rep)
    history = db.session.scalars(
        select(StageChange).where(StageChange.deal_id == deal.id).order_by(StageChange.id)
    ).all()
    assert [h.to_stage.name for h in history] == ["Lead in", "Proposal", "Won"]
    assert deal.closed_at is not None
    timeline = [
        a.subject
        for a in db.session.scalars(
            select(Activity).where(Activity.customer_id == customer.id).order_by(Activity.id)
        )
    ]
    assert timeline[-1] == "Tea for the office: Proposal → Won" and len(timeline) == 3
    assert heard == [
        ("moved", "Lead in", "Proposal"),
        ("moved", "Proposal", "Won"),
        ("won", "Tea for the office"),
    ]


def test_another_plugin_hears_a_deal_won(register_plugin, make_user, make_customer):
    heard = []
    register_plugin(
        plugin_module("listener", trellis_sales_deal_won=lambda deal: heard.append(deal.id))
    )
    p = pipeline_service.create_pipeline({"name": "P", "stages": STAGES}, None)
    rep = make_user()
    deal = new_deal(p, make_customer(owner_id=rep.id), rep)
    deal_service.move_stage(deal, stage(p, "Won").id, rep)
    assert heard == [deal.id]


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"amount": "-5"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"amount": "12.345"}, "amount"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_deal_input_names_the_field_and_writes_nothing(
    app, pipeline, make_user, make_customer, fields, field
):
    rep = make_user()
    with pytest.raises(ValidationError) as caught:
        new_deal(pipeline, make_customer(owner_id=rep.id), rep, **fields)
    assert field in caught.value.errors
    assert count(Deal) == 0 and count(StageChange) == 0


def test_a_stage_of_another_pipeline_is_refused(
    app, pipeline, other_pipeline, make_user, make_customer
):
    rep = make_user()
    deal = new_deal(pipeline, make_customer(owner_id=rep.id), rep)
    with pytest.raises(ValidationError) as caught:
        deal_service.move_stage(deal, stage(other_pipeline, "Renewed").id, rep)
    assert "Renewals" in caught.value.errors["stage_id"][0]
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage.name == "Lead in" and count(StageChange) == 1


def test_losing_a_deal_needs_a_reason(app, pipeline, make_user, make_customer):
    rep = make_user()
    deal = new_deal(pipeline, make_customer(owner_id=rep.id), rep)
    with pytest.raises(ValidationError) as caught:
        deal_service.move_stage(deal, stage(pipeline, "Lost").id, rep)
    assert "lost_reason" in caught.value.errors
    deal_service.move_stage(deal, stage(pipeline, "Lost").id, rep, lost_reason="Price too high")
    assert deal.lost_reason == "Price too high" and deal.closed_at is not None


def test_the_api_creates_moves_and_refuses_a_stale_move(
    app, pipeline, make_user, make_customer, as_user
):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    api = as_user(rep)
    created = api.post(
        "/api/v1/sales/deals",
        json={
            "title": "Ten boxes",
            "customer_id": customer.id,
            "pipeline_id": pipeline.id,
            "amount": "19999.99",
            "currency": "CNY",
            "expected_close": "2030-03-31",
        },
    )
    assert created.status_code == 201 and created.json["amount"] == "19999.99"
    deal_id = created.json["id"]
    moved = api.post(
        f"/api/v1/sales/deals/{deal_id}/stage",
        json={"stage_id": stage(pipeline, "Proposal").id, "version": 1},
    )
    assert moved.status_code == 200 and moved.json["stage_id"] == stage(pipeline, "Proposal").id
    stale = api.post(
        f"/api/v1/sales/deals/{deal_id}/stage",
        json={"stage_id": stage(pipeline, "Won").id, "version": 1},
    )
    assert stale.status_code == 409
    history = api.get(f"/api/v1/sales/deals/{deal_id}/history").json
    assert [h["to_stage_id"] for h in history] == [
        stage(pipeline, "Lead in").id,
        stage(pipeline, "Proposal").id,
    ]
    negative = api.post(
        "/api/v1/sales/deals",
        json={"title": "x", "customer_id": customer.id, "pipeline_id": pipeline.id, "amount": "-1"},
    )
    assert negative.status_code == 422 and "amount" in negative.json["errors"]


def at(day: int) -> datetime:
    return datetime(2030, 1, day, 12, tzinfo=UTC)


def test_funnel_and_forecast_match_hand_computed_figures(
    app, pipeline, make_user, make_customer, as_user
):
    """Six deals, by hand:
    A 1000 CNY  Lead in                       (expected 2030-02-10)
    B 2000 CNY  Lead in → Proposal            (expected 2030-02-20)
    C 3000 CNY  Lead in → Proposal → Negotiation (expected 2030-03-05)
    D 4000 CNY  Lead in → Proposal → Won      (created Jan 1, won Jan 11: 10 days)
    E 5000 CNY  Lead in → Lost
    F  500 USD  Lead in → Proposal → Negotiation → Won (created Jan 1, won Jan 21: 20 days)
    Reached: Lead in 6 (E counts: it was in Lead in), Proposal 4 (B C D F), Negotiation 3 (C D F:
    D reached Won, which is beyond), Won 2. Conversion 4/6, 3/4, 2/3. Win rate 2/(2+1).
    Forecast (open): 2030-02 CNY 3000 open, 1000*.1 + 2000*.5 = 1100 weighted;
    2030-03 CNY 3000 open, 2400 weighted. Won: 2030-01 CNY 4000, USD 500.
    """
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    path = {
        "A": ["Lead in"],
        "B": ["Proposal"],
        "C": ["Proposal", "Negotiation"],
        "D": ["Proposal", "Won"],
        "E": ["Lost"],
        "F": ["Proposal", "Negotiation", "Won"],
    }
    amounts = {"A": "1000", "B": "2000", "C": "3000", "D": "4000", "E": "5000", "F": "500"}
    closes = {"A": date(2030, 2, 10), "B": date(2030, 2, 20), "C": date(2030, 3, 5)}
    won_on = {"D": at(11), "F": at(21)}
    for key, moves in path.items():
        deal = new_deal(
            pipeline,
            customer,
            rep,
            title=key,
            amount=amounts[key],
            currency="USD" if key == "F" else "CNY",
            expected_close=closes.get(key, date(2030, 1, 31)).isoformat(),
        )
        for name in moves[1:] if moves[0] == "Lead in" else moves:
            deal_service.move_stage(
                deal,
                stage(pipeline, name).id,
                rep,
                lost_reason="Budget cut" if name == "Lost" else None,
            )
        deal.created_at = at(1)
        if key in won_on:
            deal.closed_at = won_on[key]
        db.session.commit()
    api = as_user(rep)
    funnel = api.get(f"/api/v1/sales/reports/funnel?pipeline_id={pipeline.id}").json
    assert [(s["name"], s["reached"]) for s in funnel["stages"]] == [
        ("Lead in", 6),
        ("Proposal", 4),
        ("Negotiation", 3),
        ("Won", 2),
    ]
    assert [s["conversion"] for s in funnel["stages"]] == [0.6667, 0.75, 0.6667, None]
    assert (funnel["won"], funnel["lost"], funnel["open"]) == (2, 1, 3)
    assert funnel["win_rate"] == 0.6667 and funnel["average_cycle_days"] == 15.0
    months = api.get("/api/v1/sales/reports/forecast").json["months"]
    table = {(m["month"], m["currency"]): m for m in months}
    assert table[("2030-02", "CNY")]["open_amount"] == "3000.00"
    assert table[("2030-02", "CNY")]["weighted_amount"] == "1100.00"
    assert table[("2030-03", "CNY")]["weighted_amount"] == "2400.00"
    assert table[("2030-01", "CNY")]["won_amount"] == "4000.00"
    assert table[("2030-01", "USD")]["won_amount"] == "500.00"
    assert "2030-01" not in {m for m, c in table if table[(m, c)]["open_amount"] != "0.00"}


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_board_moves_a_deal_and_the_customer_page_has_a_deals_tab(
    app, pipeline, make_user, make_customer, login_as
):
    rep = make_user()
    customer = make_customer(name="Board Co", owner_id=rep.id)
    deal = new_deal(pipeline, customer, rep, title="Board deal")
    client = login_as(rep)
    board = client.get(f"/sales/board?pipeline_id={pipeline.id}").text
    assert "Board deal" in board and "data-drop-stage" in board
    moved = client.post(
        f"/sales/deals/{deal.id}/stage",
        data={
            "csrf_token": token(client, "/sales/board"),
            "stage_id": stage(pipeline, "Proposal").id,
            "version": deal.version,
            "back": "board",
        },
    )
    assert moved.status_code == 302 and "/sales/board" in moved.location
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage.name == "Proposal"
    page = client.get(f"/customers/{customer.id}?tab=deals").text
    assert 'id="tab-deals"' in page and "Board deal" in page
    timeline = client.get(f"/customers/{customer.id}/tab/timeline").text
    assert "Board deal: Lead in → Proposal" in timeline
    dashboard = client.get("/").text
    assert 'id="widget-sales_pipeline"' in dashboard and "Proposal" in dashboard


def test_each_board_column_shows_what_its_deals_are_worth_and_only_those_the_rep_sees(
    app, pipeline, make_user, make_customer, login_as
):
    rep, other = make_user(), make_user()
    mine = make_customer(name="Mine Co", owner_id=rep.id)
    theirs = make_customer(name="Theirs Co", owner_id=other.id)
    new_deal(pipeline, mine, rep, amount="1200.00")
    new_deal(pipeline, mine, rep, amount="300.50")
    new_deal(pipeline, mine, rep, amount="99.00", currency="EUR")
    new_deal(pipeline, theirs, other, amount="5000.00")  # not the rep's: not in the total
    board = login_as(rep).get(f"/sales/board?pipeline_id={pipeline.id}").text
    first = board.index('data-drop-stage="')
    column = board[first : board.index("</section>", first)]
    total = re.search(r'<p class="column-total">(.*?)</p>', column, re.S).group(1)
    assert "$1,500.50" in total and "€99.00" in total and "5,000" not in total
    assert "/sales/deals/new?pipeline_id=" in board  # a deal can be started from the board


def test_a_deal_started_from_the_board_first_finds_its_customer(
    app, pipeline, make_user, make_customer, login_as
):
    rep, other = make_user(), make_user()
    mine = make_customer(name="Green Tea Co", owner_id=rep.id)
    make_customer(name="Green Leaf Co", owner_id=other.id)  # another rep's: not offered
    client = login_as(rep)
    chooser = client.get(f"/sales/deals/new?pipeline_id={pipeline.id}&q=green")
    assert chooser.status_code == 200
    assert "Green Tea Co" in chooser.text and "Green Leaf Co" not in chooser.text
    link = f"/sales/deals/new?customer_id={mine.id}&amp;pipeline_id={pipeline.id}"
    assert link in chooser.text
    form = client.get(link.replace("&amp;", "&")).text
    assert re.search(rf'<option value="{pipeline.id}" selected>', form)


def test_the_deal_form_refuses_bad_input_and_creates_a_good_deal(
    app, pipeline, make_user, make_customer, login_as
):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    form = f"/sales/deals/new?customer_id={customer.id}"
    bad = client.post(
        form,
        data={
            "csrf_token": token(client, form),
            "title": "Big one",
            "pipeline_id": pipeline.id,
            "amount": "-3",
            "currency": "CNY",
        },
    )
    assert bad.status_code == 422 and 'id="e-amount"' in bad.text and count(Deal) == 0
    good = client.post(
        form,
        data={
            "csrf_token": token(client, form),
            "title": "Big one",
            "pipeline_id": pipeline.id,
            "amount": "88000",
            "currency": "CNY",
            "expected_close": "2030-06-30",
        },
    )
    assert good.status_code == 302
    deal = db.session.scalar(select(Deal))
    assert deal.amount == Decimal("88000.00") and deal.expected_close == date(2030, 6, 30)
    assert client.get("/sales/reports").status_code == 200
