"""Commission (提成) rules and statements against the figures worked out by
hand in ``test_targets`` (its ``world``: Wang's 120,000 CNY won in March
2026 make 4,000.00 under the tiered rule): tiers, flat rates, a pipeline's
or a product's own rule, bad rules refused with nothing written, rules
edited with their version, and the commission pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.api import ValidationError, db
from plugins.sales.models import CommissionRule
from plugins.sales.services import commission, deals, products
from plugins.sales.tests.test_targets import TIERED, count, token, utc, world  # noqa: F401 (fixture)


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
        ("100000.00", "3000.00"),
        ("20000.00", "1000.00"),
    ]
    assert body["totals"] == [
        {"currency": "CNY", "won_amount": "120000.00", "commission": "4000.00"},
        {"currency": "USD", "won_amount": "5000.00", "commission": "0.00"},
    ]
    dollar = next(d for d in body["deals"] if d["title"] == "Dollar deal")
    assert dollar["rule_ids"] == []


def test_a_flat_rate_is_one_tier_from_zero_and_april_is_its_own_month(world):
    rule = commission.create_rule(
        {"name": "Flat", "currency": "CNY", "tiers": [{"from_amount": "0", "rate_percent": "2.5"}]},
        None,
    )
    april = commission.statement(world["admin"], world["wang"], "2026-04")
    assert [d["title"] for d in april["deals"]] == ["April deal"]
    assert april["rules"][0]["rule_id"] == rule.id
    assert april["rules"][0]["commission"] == Decimal("1750.00")


def test_a_pipelines_own_rule_takes_its_deals_from_the_all_pipelines_rule(world):
    world["deal"](world["wang"], "10000", utc(2026, 3, 5), pipeline="renewals", title="Renewal")
    general = commission.create_rule(TIERED, None)
    renewals = commission.create_rule(
        {
            "name": "Renewals",
            "currency": "CNY",
            "pipeline_id": world["renewals"].id,
            "tiers": [{"from_amount": "0", "rate_percent": "10"}],
        },
        None,
    )
    got = commission.statement(world["admin"], world["wang"], "2026-03")
    by_rule = {r["rule_id"]: r for r in got["rules"]}
    assert by_rule[general.id]["base"] == Decimal("120000.00")
    assert by_rule[general.id]["commission"] == Decimal("4000.00")
    assert by_rule[renewals.id]["base"] == Decimal("10000.00")
    assert by_rule[renewals.id]["commission"] == Decimal("1000.00")
    assert got["totals"][0]["commission"] == Decimal("5000.00")


def test_a_products_rule_takes_its_lines_and_the_rest_of_the_deal_goes_to_the_deal_rules(
    world, make_customer
):
    """A 10,000 deal: 2 purifiers at 3,000 (6,000, counted at 8 %) and a
    4,000 installation line (counted with the deal rule at 3 %)."""
    purifier = products.create_product({"name": "Purifier", "unit_price": "3000"}, None)
    customer = make_customer(name="Lines Co", owner_id=world["wang"].id)
    made = deals.create_deal(
        {
            "title": "Mixed",
            "customer_id": customer.id,
            "amount": "1",
            "pipeline_id": world["new"].id,
        },
        world["wang"],
    )
    products.set_lines(
        made,
        [
            {"product_id": purifier.id, "quantity": "2"},
            {"description": "Installation", "unit_price": "4000", "quantity": "1"},
        ],
        None,
    )
    won = next(s for s in world["new"].stages if s.outcome == "won")
    deals.move_stage(made, won.id, world["wang"])
    made.closed_at = utc(2026, 5, 6)
    db.session.commit()
    flat = commission.create_rule(
        {"name": "Flat", "currency": "CNY", "tiers": [{"from_amount": "0", "rate_percent": "3"}]},
        None,
    )
    bonus = commission.create_rule(
        {
            "name": "Purifiers",
            "currency": "CNY",
            "product_id": purifier.id,
            "tiers": [{"from_amount": "0", "rate_percent": "8"}],
        },
        None,
    )
    got = commission.statement(world["admin"], world["wang"], "2026-05")
    by_rule = {r["rule_id"]: r for r in got["rules"]}
    assert by_rule[bonus.id]["base"] == Decimal("6000.00")
    assert by_rule[bonus.id]["commission"] == Decimal("480.00")
    assert by_rule[flat.id]["base"] == Decimal("4000.00")
    assert by_rule[flat.id]["commission"] == Decimal("120.00")
    assert got["deals"][0]["rule_ids"] == sorted([flat.id, bonus.id])
    assert got["totals"] == [
        {"currency": "CNY", "won_amount": Decimal("10000.00"), "commission": Decimal("600.00")}
    ]


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
    form = {
        "csrf_token": token(client, path),
        "version": str(rule.version),
        "name": "Purifiers",
        "product_id": str(purifier.id),
        "currency": "CNY",
        "tiers.0.from_amount": "0",
        "tiers.0.rate_percent": "6",
    }
    assert client.post(path, data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(CommissionRule, rule.id)
    assert (saved.name, saved.product_id, saved.tiers) == (
        "Purifiers",
        purifier.id,
        [{"from_amount": "0.00", "rate_percent": "6.00"}],
    )
    stale = client.post(path, data={**form, "name": "Overwritten"})
    assert stale.status_code == 302 and stale.location.endswith(path)
    bad = client.post(
        path, data={**form, "version": str(saved.version), "tiers.0.rate_percent": "101"}
    )
    assert bad.status_code == 422 and "tiers.0.rate_percent" in bad.text
    db.session.expire_all()
    assert db.session.get(CommissionRule, rule.id).name == "Purifiers"
    assert "Purifiers" in client.get("/sales/commission?month=2026-03").text


@pytest.mark.parametrize(
    "tiers, field",
    [
        (
            [
                {"from_amount": "0", "rate_percent": "3"},
                {"from_amount": "100000", "rate_percent": "100.5"},
            ],
            "tiers.1.rate_percent",
        ),
        (
            [{"from_amount": "0", "rate_percent": "3"}, {"from_amount": "0", "rate_percent": "5"}],
            "tiers.1.from_amount",
        ),
        ([{"from_amount": "500", "rate_percent": "3"}], "tiers.0.from_amount"),
        (
            [{"from_amount": "0", "rate_percent": "3"}, {"from_amount": "-1", "rate_percent": "5"}],
            "tiers.1.from_amount",
        ),
        ([{"from_amount": "0", "rate_percent": "3.333"}], "tiers.0.rate_percent"),
        ([], "tiers"),
    ],
)
def test_a_bad_rule_names_the_field_and_writes_nothing(world, as_user, tiers, field):
    got = as_user(world["admin"]).post(
        "/api/v1/sales/commission-rules", json={**TIERED, "tiers": tiers}
    )
    assert got.status_code == 422 and field in got.json["errors"], got.json
    assert count(CommissionRule) == 0


def test_rules_are_edited_with_their_version_and_deleted(world, as_user):
    api = as_user(world["admin"])
    rule = api.post("/api/v1/sales/commission-rules", json=TIERED).json
    changed = api.patch(
        f"/api/v1/sales/commission-rules/{rule['id']}",
        json={
            "version": rule["version"],
            "name": "Renamed",
            "tiers": [{"from_amount": "0", "rate_percent": "4"}],
        },
    )
    assert changed.status_code == 200 and changed.json["name"] == "Renamed"
    assert changed.json["tiers"] == [{"from_amount": "0.00", "rate_percent": "4.00"}]
    stale = api.patch(
        f"/api/v1/sales/commission-rules/{rule['id']}",
        json={"version": rule["version"], "name": "Again"},
    )
    assert stale.status_code == 409
    assert api.delete(f"/api/v1/sales/commission-rules/{rule['id']}").status_code == 204
    assert count(CommissionRule) == 0


def test_the_commission_page_shows_the_statement_and_rules_form_to_admins(world, login_as):
    admin = login_as(world["admin"])
    csrf = token(admin, "/sales/commission")
    made = admin.post(
        "/sales/commission?month=2026-03",
        data={
            "csrf_token": csrf,
            "name": "Standard",
            "currency": "CNY",
            "pipeline_id": "",
            "tiers.0.from_amount": "0",
            "tiers.0.rate_percent": "3",
            "tiers.1.from_amount": "100000",
            "tiers.1.rate_percent": "5",
        },
    )
    assert made.status_code == 302 and count(CommissionRule) == 1
    bad = admin.post(
        "/sales/commission?month=2026-03",
        data={
            "csrf_token": csrf,
            "name": "Bad",
            "currency": "CNY",
            "tiers.0.from_amount": "0",
            "tiers.0.rate_percent": "300",
        },
    )
    assert bad.status_code == 422 and 'id="e-tiers.0.rate_percent"' in bad.text
    assert count(CommissionRule) == 1
    page = admin.get(f"/sales/commission?month=2026-03&user_id={world['wang'].id}")
    assert page.status_code == 200 and 'id="new-rule"' in page.text
    assert "4,000.00" in page.text and "Coffee" in page.text
    rep = login_as(world["wang"]).get("/sales/commission?month=2026-03")
    assert rep.status_code == 200 and "4,000.00" in rep.text and 'id="new-rule"' not in rep.text
    other = login_as(world["li"]).get(f"/sales/commission?month=2026-03&user_id={world['wang'].id}")
    assert other.status_code == 404
