"""Targets (业绩目标) and commission (提成) against figures worked out by hand.

The fixed data set: rep Wang (team East) won in March 2026 (UTC) three CNY
deals, 30,000 + 50,000 + 40,000 = 120,000 (the last at 23:30 UTC on 31
March), lost one of 20,000, has one open of 99,999, won 70,000 at 00:00 UTC
on 1 April and 5,000 USD in March. Rep Li (team East-North, a sub-team of
East) won 10,000 CNY in March. The tiered rule, 3 % up to 100,000 and 5 %
above: 100,000 × 3 % + 20,000 × 5 % = 3,000 + 1,000 = 4,000.00.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.api import Team, ValidationError, db
from plugins.sales import commission, products, services, targets
from plugins.sales.models import CommissionRule, SalesTarget

STAGES = [{"name": "Lead in", "probability": 10},
          {"name": "Won", "probability": 100, "outcome": "won"},
          {"name": "Lost", "probability": 0, "outcome": "lost"}]
TIERED = {"name": "Standard", "currency": "CNY",
          "tiers": [{"from_amount": "0", "rate_percent": "3"},
                    {"from_amount": "100000", "rate_percent": "5"}]}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app, make_user, make_customer):
    """Teams, people, two pipelines and the deals of the module docstring."""
    east = Team(name="East")
    db.session.add(east)
    db.session.flush()
    north = Team(name="East-North", parent_id=east.id)
    west = Team(name="West")
    db.session.add_all([north, west])
    db.session.commit()
    w = {"east": east, "north": north, "west": west,
         "wang": make_user(team=east, name="Wang"), "li": make_user(team=north, name="Li"),
         "zhao": make_user(team=west, name="Zhao"),
         "manager": make_user(role="manager", team=east, name="Boss East"),
         "admin": make_user(role="admin", name="Admin"),
         "new": services.create_pipeline({"name": "New business", "stages": STAGES}, None),
         "renewals": services.create_pipeline({"name": "Renewals", "stages": STAGES}, None)}

    def deal(rep, amount, closed, outcome="Won", currency="CNY", pipeline="new", title=None):
        customer = make_customer(name=f"Customer of {title or amount}", owner_id=rep.id)
        made = services.create_deal({"title": title or f"Deal {amount}", "currency": currency,
                                     "customer_id": customer.id, "amount": amount,
                                     "pipeline_id": w[pipeline].id}, rep)
        if outcome != "open":
            stage = next(s for s in w[pipeline].stages if s.name == outcome)
            services.move_stage(made, stage.id, rep, lost_reason="price")
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


def test_the_tiered_commission_of_a_month_is_worked_out_tier_by_tier(world, as_user):
    admin = as_user(world["admin"])
    assert admin.post("/api/v1/sales/commission-rules", json=TIERED).status_code == 201
    got = as_user(world["wang"]).get("/api/v1/sales/reports/commission?month=2026-03")
    assert got.status_code == 200
    body = got.json
    assert sorted(d["title"] for d in body["deals"]) == ["Coffee", "Cups", "Dollar deal", "Tea"]
    assert body["deals"][0]["customer"] == "Customer of Tea"
    assert body["deals"][0]["pipeline"] == "New business"
    [rule] = body["rules"]
    assert rule["base"] == "120000.00" and rule["commission"] == "4000.00"
    assert [(t["base"], t["commission"]) for t in rule["tiers"]] == [
        ("100000.00", "3000.00"), ("20000.00", "1000.00")]
    assert body["totals"] == [
        {"currency": "CNY", "won_amount": "120000.00", "commission": "4000.00"},
        {"currency": "USD", "won_amount": "5000.00", "commission": "0.00"}]
    dollar = next(d for d in body["deals"] if d["title"] == "Dollar deal")
    assert dollar["rule_ids"] == []


def test_a_flat_rate_is_one_tier_from_zero_and_april_is_its_own_month(world):
    rule = commission.create_rule({"name": "Flat", "currency": "CNY",
                                "tiers": [{"from_amount": "0", "rate_percent": "2.5"}]}, None)
    april = commission.statement(world["admin"], world["wang"], "2026-04")
    assert [d["title"] for d in april["deals"]] == ["April deal"]
    assert april["rules"][0]["rule_id"] == rule.id
    assert april["rules"][0]["commission"] == Decimal("1750.00")


def test_a_pipelines_own_rule_takes_its_deals_from_the_all_pipelines_rule(world):
    world["deal"](world["wang"], "10000", utc(2026, 3, 5), pipeline="renewals", title="Renewal")
    general = commission.create_rule(TIERED, None)
    renewals = commission.create_rule({"name": "Renewals", "currency": "CNY",
                                    "pipeline_id": world["renewals"].id,
                                    "tiers": [{"from_amount": "0", "rate_percent": "10"}]}, None)
    got = commission.statement(world["admin"], world["wang"], "2026-03")
    by_rule = {r["rule_id"]: r for r in got["rules"]}
    assert by_rule[general.id]["base"] == Decimal("120000.00")
    assert by_rule[general.id]["commission"] == Decimal("4000.00")
    assert by_rule[renewals.id]["base"] == Decimal("10000.00")
    assert by_rule[renewals.id]["commission"] == Decimal("1000.00")
    assert got["totals"][0]["commission"] == Decimal("5000.00")


def test_a_products_rule_takes_its_lines_and_the_rest_of_the_deal_goes_to_the_deal_rules(
        world, make_customer):
    """A 10,000 deal: 2 purifiers at 3,000 (6,000, counted at 8 %) and a
    4,000 installation line (counted with the deal rule at 3 %)."""
    purifier = products.create_product({"name": "Purifier", "unit_price": "3000"}, None)
    customer = make_customer(name="Lines Co", owner_id=world["wang"].id)
    made = services.create_deal({"title": "Mixed", "customer_id": customer.id, "amount": "1",
                                 "pipeline_id": world["new"].id}, world["wang"])
    products.set_lines(made, [{"product_id": purifier.id, "quantity": "2"},
                              {"description": "Installation", "unit_price": "4000",
                               "quantity": "1"}], None)
    won = next(s for s in world["new"].stages if s.outcome == "won")
    services.move_stage(made, won.id, world["wang"])
    made.closed_at = utc(2026, 5, 6)
    db.session.commit()
    flat = commission.create_rule({"name": "Flat", "currency": "CNY",
                                   "tiers": [{"from_amount": "0", "rate_percent": "3"}]}, None)
    bonus = commission.create_rule({"name": "Purifiers", "currency": "CNY",
                                    "product_id": purifier.id,
                                    "tiers": [{"from_amount": "0", "rate_percent": "8"}]}, None)
    got = commission.statement(world["admin"], world["wang"], "2026-05")
    by_rule = {r["rule_id"]: r for r in got["rules"]}
    assert by_rule[bonus.id]["base"] == Decimal("6000.00")
    assert by_rule[bonus.id]["commission"] == Decimal("480.00")
    assert by_rule[flat.id]["base"] == Decimal("4000.00")
    assert by_rule[flat.id]["commission"] == Decimal("120.00")
    assert got["deals"][0]["rule_ids"] == sorted([flat.id, bonus.id])
    assert got["totals"] == [{"currency": "CNY", "won_amount": Decimal("10000.00"),
                              "commission": Decimal("600.00")}]


def test_an_unknown_product_is_named_and_no_rule_is_saved(world):
    with pytest.raises(ValidationError) as refused:
        commission.create_rule({**TIERED, "product_id": 999999}, None)
    assert list(refused.value.errors) == ["product_id"]
    assert count(CommissionRule) == 0


def test_a_rule_is_edited_on_its_page_and_a_stale_form_changes_nothing(world, login_as):
    rule = commission.create_rule(TIERED, None)
    purifier = products.create_product({"name": "Purifier", "unit_price": "3000"}, None)
    client = login_as(world["admin"])
    path = f"/sales/commission/rules/{rule.id}/edit?month=2026-03"
    page = client.get(path)
    assert page.status_code == 200 and 'value="100000.00"' in page.text
    form = {"csrf_token": token(client, path), "version": str(rule.version), "name": "Purifiers",
            "product_id": str(purifier.id), "currency": "CNY",
            "tiers.0.from_amount": "0", "tiers.0.rate_percent": "6"}
    assert client.post(path, data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(CommissionRule, rule.id)
    assert (saved.name, saved.product_id, saved.tiers) == (
        "Purifiers", purifier.id, [{"from_amount": "0.00", "rate_percent": "6.00"}])
    stale = client.post(path, data={**form, "name": "Overwritten"})
    assert stale.status_code == 302 and stale.location.endswith(path)
    bad = client.post(path, data={**form, "version": str(saved.version),
                                  "tiers.0.rate_percent": "101"})
    assert bad.status_code == 422 and "tiers.0.rate_percent" in bad.text
    db.session.expire_all()
    assert db.session.get(CommissionRule, rule.id).name == "Purifiers"
    assert "Purifiers" in client.get("/sales/commission?month=2026-03").text


def test_targets_show_what_was_achieved_and_the_percentage(world, as_user):
    api = as_user(world["manager"])
    put = api.put("/api/v1/sales/targets", json={"month": "2026-03", "user_id": world["wang"].id,
                                                 "amount": "350000", "currency": "CNY"})
    assert put.status_code == 200, put.json
    assert put.json["achieved"] == "120000.00" and put.json["percent"] == "34.29"
    # setting the same month again replaces it
    again = api.put("/api/v1/sales/targets", json={"month": "2026-03", "user_id": world["wang"].id,
                                                   "amount": "150000.00"})
    assert again.json["id"] == put.json["id"] and again.json["percent"] == "80.00"
    assert count(SalesTarget) == 1
    usd = api.put("/api/v1/sales/targets", json={"month": "2026-03", "user_id": world["wang"].id,
                                                 "amount": "0", "currency": "USD"})
    assert usd.json["achieved"] == "5000.00" and usd.json["percent"] is None


def test_a_team_target_counts_its_sub_teams(world, as_user):
    api = as_user(world["manager"])
    for team, amount in (("east", "260000"), ("north", "8000")):
        assert api.put("/api/v1/sales/targets", json={
            "month": "2026-03", "team_id": world[team].id, "amount": amount}).status_code == 200
    listed = api.get("/api/v1/sales/targets?month=2026-03").json["items"]
    by_name = {row["name"]: row for row in listed}
    assert by_name["East"]["achieved"] == "130000.00" and by_name["East"]["percent"] == "50.00"
    assert by_name["East-North"]["achieved"] == "10000.00"
    assert by_name["East-North"]["percent"] == "125.00"


def test_a_rep_sees_only_their_own_targets_and_statement(world, as_user):
    for who in ("wang", "li"):
        targets.set_target({"month": "2026-03", "user_id": world[who].id, "amount": "1000"},
                           world["admin"])
    targets.set_target({"month": "2026-03", "team_id": world["east"].id, "amount": "1000"},
                       world["admin"])
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
    assert manager.get("/api/v1/sales/reports/commission?month=2026-03"
                       f"&user_id={world['zhao'].id}").status_code == 404


def test_a_rep_may_not_set_targets_or_rules(world, as_user):
    wang = as_user(world["wang"])
    assert wang.put("/api/v1/sales/targets", json={"month": "2026-03", "user_id": world["wang"].id,
                                                   "amount": "1"}).status_code == 403
    assert wang.post("/api/v1/sales/commission-rules", json=TIERED).status_code == 403
    assert count(SalesTarget) == 0 and count(CommissionRule) == 0


@pytest.mark.parametrize("tiers, field", [
    ([{"from_amount": "0", "rate_percent": "3"},
      {"from_amount": "100000", "rate_percent": "100.5"}],
     "tiers.1.rate_percent"),
    ([{"from_amount": "0", "rate_percent": "3"}, {"from_amount": "0", "rate_percent": "5"}],
     "tiers.1.from_amount"),
    ([{"from_amount": "500", "rate_percent": "3"}], "tiers.0.from_amount"),
    ([{"from_amount": "0", "rate_percent": "3"}, {"from_amount": "-1", "rate_percent": "5"}],
     "tiers.1.from_amount"),
    ([{"from_amount": "0", "rate_percent": "3.333"}], "tiers.0.rate_percent"),
    ([], "tiers"),
])
def test_a_bad_rule_names_the_field_and_writes_nothing(world, as_user, tiers, field):
    got = as_user(world["admin"]).post("/api/v1/sales/commission-rules",
                                       json={**TIERED, "tiers": tiers})
    assert got.status_code == 422 and field in got.json["errors"], got.json
    assert count(CommissionRule) == 0


def test_bad_targets_and_rule_fields_name_the_field_and_write_nothing(world, as_user):
    api = as_user(world["manager"])
    for payload, field in [
            ({"month": "2026-13", "user_id": world["wang"].id, "amount": "1"}, "month"),
            ({"month": "2026-03", "user_id": world["wang"].id, "amount": "-5"}, "amount"),
            ({"month": "2026-03", "user_id": world["wang"].id, "amount": "1.005"}, "amount"),
            ({"month": "2026-03", "user_id": world["wang"].id, "team_id": world["east"].id,
              "amount": "1"}, "user_id"),
            ({"month": "2026-03", "user_id": world["zhao"].id, "amount": "1"}, "user_id"),
            ({"month": "2026-03", "team_id": world["west"].id, "amount": "1"}, "team_id"),
            ({"month": "2026-03", "user_id": world["wang"].id, "amount": "1",
              "currency": "ABC"}, "currency")]:
        got = api.put("/api/v1/sales/targets", json=payload)
        assert got.status_code == 422 and field in got.json["errors"], (payload, got.json)
    assert count(SalesTarget) == 0
    with pytest.raises(ValidationError) as caught:
        commission.create_rule({**TIERED, "currency": "ABC", "pipeline_id": None}, None)
    assert "currency" in caught.value.errors and count(CommissionRule) == 0


def test_rules_are_edited_with_their_version_and_deleted(world, as_user):
    api = as_user(world["admin"])
    rule = api.post("/api/v1/sales/commission-rules", json=TIERED).json
    changed = api.patch(f"/api/v1/sales/commission-rules/{rule['id']}",
                        json={"version": rule["version"], "name": "Renamed",
                              "tiers": [{"from_amount": "0", "rate_percent": "4"}]})
    assert changed.status_code == 200 and changed.json["name"] == "Renamed"
    assert changed.json["tiers"] == [{"from_amount": "0.00", "rate_percent": "4.00"}]
    stale = api.patch(f"/api/v1/sales/commission-rules/{rule['id']}",
                      json={"version": rule["version"], "name": "Again"})
    assert stale.status_code == 409
    assert api.delete(f"/api/v1/sales/commission-rules/{rule['id']}").status_code == 204
    assert count(CommissionRule) == 0


def test_the_targets_page_shows_progress_and_the_form_only_to_managers(world, login_as):
    targets.set_target({"month": "2026-03", "user_id": world["wang"].id, "amount": "150000"},
                       world["admin"])
    page = login_as(world["manager"]).get("/sales/targets?month=2026-03")
    assert page.status_code == 200
    assert "Wang" in page.text and "80.00%" in page.text and "<progress" in page.text
    assert 'id="set-target"' in page.text
    web = login_as(world["manager"])
    csrf = token(web, "/sales/targets")
    saved = web.post("/sales/targets?month=2026-03", data={
        "csrf_token": csrf, "month": "2026-03", "team_id": str(world["north"].id),
        "amount": "20000", "currency": "CNY"})
    assert saved.status_code == 302 and count(SalesTarget) == 2
    bad = web.post("/sales/targets", data={
        "csrf_token": csrf, "month": "2026-03", "user_id": str(world["wang"].id),
        "amount": "-1", "currency": "CNY"})
    assert bad.status_code == 422 and 'id="e-amount"' in bad.text
    rep_page = login_as(world["wang"]).get("/sales/targets?month=2026-03")
    assert rep_page.status_code == 200 and "Wang" in rep_page.text
    assert 'id="set-target"' not in rep_page.text


def test_the_commission_page_shows_the_statement_and_rules_form_to_admins(world, login_as):
    admin = login_as(world["admin"])
    csrf = token(admin, "/sales/commission")
    made = admin.post("/sales/commission?month=2026-03", data={
        "csrf_token": csrf, "name": "Standard", "currency": "CNY", "pipeline_id": "",
        "tiers.0.from_amount": "0", "tiers.0.rate_percent": "3",
        "tiers.1.from_amount": "100000", "tiers.1.rate_percent": "5"})
    assert made.status_code == 302 and count(CommissionRule) == 1
    bad = admin.post("/sales/commission?month=2026-03", data={
        "csrf_token": csrf, "name": "Bad", "currency": "CNY", "tiers.0.from_amount": "0",
        "tiers.0.rate_percent": "300"})
    assert bad.status_code == 422 and 'id="e-tiers.0.rate_percent"' in bad.text
    assert count(CommissionRule) == 1
    page = admin.get(f"/sales/commission?month=2026-03&user_id={world['wang'].id}")
    assert page.status_code == 200 and 'id="new-rule"' in page.text
    assert "4,000.00" in page.text and "Coffee" in page.text
    rep = login_as(world["wang"]).get("/sales/commission?month=2026-03")
    assert rep.status_code == 200 and "4,000.00" in rep.text and 'id="new-rule"' not in rep.text
    other = login_as(world["li"]).get(f"/sales/commission?month=2026-03&user_id={world['wang'].id}")
    assert other.status_code == 404


def test_targets_leak_nothing_across_scopes(scope_leak_check):
    def create(owner):
        return targets.set_target({"month": "2026-03", "user_id": owner.id,
                                   "amount": str(12340 + owner.id)}, None)

    scope_leak_check(create, lambda t: f"{12340 + t.user_id:,}.00",
                     api_list="/api/v1/sales/targets?month=2026-03",
                     pages=["/sales/targets?month=2026-03"], permissions=["sales.report.read"])


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
                targets.set_target({"month": "2026-12", "user_id": rep_id,
                                    "amount": str(amount)}, None)
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
