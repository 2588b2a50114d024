"""Targets (业绩目标) and commission (提成) against figures worked out by hand.

The fixed data set: rep Wang (team East) won in March 2026 (UTC) three CNY
deals, 30,000 + 50,000 + 40,000 = 120,000 (the last at 23:30 UTC on 31
March), lost one of 20,000, has one open of 99,999, won 70,000 at 00:00 UTC
on 1 April and 5,000 USD in March. Rep Li (team East-North, a sub-team of
East) won 10,000 CNY in March. The tiered rule, 3 % up to 100,000 and 5 %
above: 100,000 × 3 % + 20,000 × 5 % = 3,000 + 1,000 = 4,000.00.

The targets are tested here; the commission rules and statements on the
same data set in ``test_commission``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Team, ValidationError, db
from plugins.sales.models import CommissionRule, SalesTarget
from plugins.sales.services import commission, deals, pipelines, targets

STAGES = [
    {"name": "Lead in", "probability": 10},
    {"name": "Won", "probability": 100, "outcome": "won"},
    {"name": "Lost", "probability": 0, "outcome": "lost"},
]
TIERED = {
    "name": "Standard",
    "currency": "CNY",
    "tiers": [
        {"from_amount": "0", "rate_percent": "3"},
        {"from_amount": "100000", "rate_percent": "5"},
    ],
}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(make_app, make_user, make_customer):
    """Teams, people, two pipelines and the deals of the module docstring, on
    an instance in yuan (what is written without a currency is in CNY)."""
    make_app(TRELLIS_CURRENCY="CNY")
    east = Team(name="East")
    db.session.add(east)
    db.session.flush()
    north = Team(name="East-North", parent_id=east.id)
    west = Team(name="West")
    db.session.add_all([north, west])
    db.session.commit()
    w = {
        "east": east,
        "north": north,
        "west": west,
        "wang": make_user(team=east, name="Wang"),
        "li": make_user(team=north, name="Li"),
        "zhao": make_user(team=west, name="Zhao"),
        "manager": make_user(role="manager", team=east, name="Boss East"),
        "admin": make_user(role="admin", name="Admin"),
        "new": pipelines.create_pipeline({"name": "New business", "stages": STAGES}, None),
        "renewals": pipelines.create_pipeline({"name": "Renewals", "stages": STAGES}, None),
    }

    def deal(rep, amount, closed, outcome="Won", currency="CNY", pipeline="new", title=None):
        customer = make_customer(name=f"Customer of {title or amount}", owner_id=rep.id)
        made = deals.create_deal(
            {
                "title": title or f"Deal {amount}",
                "currency": currency,
                "customer_id": customer.id,
                "amount": amount,
                "pipeline_id": w[pipeline].id,
            },
            rep,
        )
        if outcome != "open":
            stage = next(s for s in w[pipeline].stages if s.name == outcome)
            deals.move_stage(made, stage.id, rep, lost_reason="price")
            made.closed_at = closed
            db.session.commit()
        return made

    w["deal"] = deal
    wang = w["wang"]
    deal(wang, "30000", utc(2026, 3, 3, 9), title="Tea")
    deal(wang, "50000", utc(2026, 3, 15, 14), title="Coffee")
    deal(wang, "40000", utc(2026, 3, 31, 23, 30), title="Cups")
    deal(wang, "20000", utc(2026, 3, 20), outcome="Lost", title="Lost one")
    deal(wang, "99999", None, outcome="open", title="Still open")
    deal(wang, "70000", utc(2026, 4, 1, 0, 0), title="April deal")
    deal(wang, "5000", utc(2026, 3, 10), currency="USD", title="Dollar deal")
    deal(w["li"], "10000", utc(2026, 3, 12), title="North deal")
    return w


def test_targets_show_what_was_achieved_and_the_percentage(world, as_user):
    api = as_user(world["manager"])
    put = api.put(
        "/api/v1/sales/targets",
        json={
            "month": "2026-03",
            "user_id": world["wang"].id,
            "amount": "350000",
            "currency": "CNY",
        },
    )
    assert put.status_code == 200, put.json
    assert put.json["achieved"] == "120000.00" and put.json["percent"] == "34.29"
    # setting the same month again replaces it
    again = api.put(
        "/api/v1/sales/targets",
        json={"month": "2026-03", "user_id": world["wang"].id, "amount": "150000.00"},
    )
    assert again.json["id"] == put.json["id"] and again.json["percent"] == "80.00"
    assert count(SalesTarget) == 1
    usd = api.put(
        "/api/v1/sales/targets",
        json={"month": "2026-03", "user_id": world["wang"].id, "amount": "0", "currency": "USD"},
    )
    assert usd.json["achieved"] == "5000.00" and usd.json["percent"] is None


def test_a_team_target_counts_its_sub_teams(world, as_user):
    api = as_user(world["manager"])
    for team, amount in (("east", "260000"), ("north", "8000")):
        assert (
            api.put(
                "/api/v1/sales/targets",
                json={"month": "2026-03", "team_id": world[team].id, "amount": amount},
            ).status_code
            == 200
        )
    listed = api.get("/api/v1/sales/targets?month=2026-03").json["items"]
    by_name = {row["name"]: row for row in listed}
    assert by_name["East"]["achieved"] == "130000.00" and by_name["East"]["percent"] == "50.00"
    assert by_name["East-North"]["achieved"] == "10000.00"
    assert by_name["East-North"]["percent"] == "125.00"


def test_a_rep_sees_only_their_own_targets_and_statement(world, as_user):
    for who in ("wang", "li"):
        targets.set_target(
            {"month": "2026-03", "user_id": world[who].id, "amount": "1000"}, world["admin"]
        )
    targets.set_target(
        {"month": "2026-03", "team_id": world["east"].id, "amount": "1000"}, world["admin"]
    )
    li = as_user(world["li"])
    listed = li.get("/api/v1/sales/targets?month=2026-03").json["items"]
    assert [row["name"] for row in listed] == ["Li"]
    other = li.get(f"/api/v1/sales/reports/commission?month=2026-03&user_id={world['wang'].id}")
    assert other.status_code == 404
    zhao = as_user(world["zhao"])
    assert zhao.get("/api/v1/sales/targets?month=2026-03").json["items"] == []
    manager = as_user(world["manager"])
    assert len(manager.get("/api/v1/sales/targets?month=2026-03").json["items"]) == 3
    seen = manager.get(f"/api/v1/sales/reports/commission?month=2026-03&user_id={world['wang'].id}")
    assert seen.status_code == 200 and len(seen.json["deals"]) == 4
    assert (
        manager.get(
            f"/api/v1/sales/reports/commission?month=2026-03&user_id={world['zhao'].id}"
        ).status_code
        == 404
    )


def test_a_rep_may_not_set_targets_or_rules(world, as_user):
    wang = as_user(world["wang"])
    assert (
        wang.put(
            "/api/v1/sales/targets",
            json={"month": "2026-03", "user_id": world["wang"].id, "amount": "1"},
        ).status_code
        == 403
    )
    assert wang.post("/api/v1/sales/commission-rules", json=TIERED).status_code == 403
    assert count(SalesTarget) == 0 and count(CommissionRule) == 0


def test_bad_targets_and_rule_fields_name_the_field_and_write_nothing(world, as_user):
    api = as_user(world["manager"])
    for payload, field, status in [
        ({"month": "2026-13", "user_id": world["wang"].id, "amount": "1"}, "month", 422),
        ({"month": "", "user_id": world["wang"].id, "amount": "1"}, "month", 422),
        ({"month": "2026-03", "user_id": world["wang"].id, "amount": "-5"}, "amount", 422),
        ({"month": "2026-03", "user_id": world["wang"].id, "amount": "1.005"}, "amount", 422),
        ({"month": "2026-03", "user_id": world["wang"].id, "amount": 5}, "amount", 422),
        (
            {
                "month": "2026-03",
                "user_id": world["wang"].id,
                "team_id": world["east"].id,
                "amount": "1",
            },
            "user_id",
            422,
        ),
        # a rep or a team the manager may not see is no record for them
        ({"month": "2026-03", "user_id": world["zhao"].id, "amount": "1"}, "user_id", 404),
        ({"month": "2026-03", "team_id": world["west"].id, "amount": "1"}, "team_id", 404),
        (
            {"month": "2026-03", "user_id": world["wang"].id, "amount": "1", "currency": "ABC"},
            "currency",
            422,
        ),
    ]:
        got = api.put("/api/v1/sales/targets", json=payload)
        assert got.status_code == status and field in got.json["errors"], (payload, got.json)
    assert count(SalesTarget) == 0
    with pytest.raises(ValidationError) as caught:
        commission.create_rule({**TIERED, "currency": "ABC", "pipeline_id": None}, None)
    assert "currency" in caught.value.errors and count(CommissionRule) == 0


def test_the_targets_page_shows_progress_and_the_form_only_to_managers(world, login_as):
    targets.set_target(
        {"month": "2026-03", "user_id": world["wang"].id, "amount": "150000"}, world["admin"]
    )
    page = login_as(world["manager"]).get("/sales/targets?month=2026-03")
    assert page.status_code == 200
    assert "Wang" in page.text and "80.00%" in page.text and "<progress" in page.text
    assert 'id="set-target"' in page.text
    web = login_as(world["manager"])
    csrf = token(web, "/sales/targets")
    saved = web.post(
        "/sales/targets?month=2026-03",
        data={
            "csrf_token": csrf,
            "month": "2026-03",
            "team_id": str(world["north"].id),
            "amount": "20000",
            "currency": "CNY",
        },
    )
    assert saved.status_code == 302 and count(SalesTarget) == 2
    bad = web.post(
        "/sales/targets",
        data={
            "csrf_token": csrf,
            "month": "2026-03",
            "user_id": str(world["wang"].id),
            "amount": "-1",
            "currency": "CNY",
        },
    )
    assert bad.status_code == 422 and 'id="e-amount"' in bad.text
    rep_page = login_as(world["wang"]).get("/sales/targets?month=2026-03")
    assert rep_page.status_code == 200 and "Wang" in rep_page.text
    assert 'id="set-target"' not in rep_page.text


def test_targets_leak_nothing_across_scopes(scope_leak_check):
    def create(owner):
        return targets.set_target(
            {"month": "2026-03", "user_id": owner.id, "amount": str(12340 + owner.id)}, None
        )

    scope_leak_check(
        create,
        lambda t: f"{12340 + t.user_id:,}.00",
        api_list="/api/v1/sales/targets?month=2026-03",
        pages=["/sales/targets?month=2026-03"],
        permissions=["sales.report.read"],
    )


def test_one_target_per_rep_and_month_even_when_two_managers_set_it_at_once(app, make_user):
    """Four requests set the same rep's target for one month together, each on
    its own connection: one row remains; each request either set it or was
    told (409) that someone else just did. The database keeps it so too."""
    import threading

    from sqlalchemy.exc import IntegrityError

    from core.api import ConflictError, User

    rep_id = make_user(name="Sun").id
    db.session.commit()
    start, outcomes = threading.Barrier(4), []

    def set_one(amount: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                targets.set_target(
                    {"month": "2026-12", "user_id": rep_id, "amount": str(amount)}, None
                )
                outcomes.append("set")
            except ConflictError:
                outcomes.append("409")
            except Exception as exc:  # noqa: BLE001 (asserted below)
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=set_one, args=(1000 * (i + 1),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert set(outcomes) <= {"409", "set"} and "set" in outcomes, outcomes
    assert count(SalesTarget) == 1
    db.session.add(SalesTarget(month="2026-12", user_id=rep_id, amount=Decimal(1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(User, rep_id) is not None
