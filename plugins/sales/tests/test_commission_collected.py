"""Commission on collected money (提成 on 回款) with clawback, on the fixed
book of :mod:`.money_world`, worked out by hand.

The rule "On collected": 2 % up to 60,000 CNY, 4 % above.
Wang, March 2026: P1 50,000 + P4 15,000 + P9 3,000 collected, P9 reversed on
31 March (23:30 UTC): net 65,000 → 60,000 × 2 % + 5,000 × 4 % = 1,400.00.
Wang, April: P2 20,000 collected, P4 (paid in March) reversed on 3 April:
net 5,000 → 100.00; March keeps its 1,400.00.
Li, March: P5 5,000 → 100.00; reversed in May, May's base is −5,000 → −100.00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.api import ValidationError, db
from plugins.sales.models import CommissionRule
from plugins.sales.services import commission, pipelines

from .money_world import money_world  # noqa: F401  (the fixture)

D = Decimal
ON_COLLECTED = {
    "name": "On collected",
    "basis": "collected",
    "currency": "CNY",
    "tiers": [
        {"from_amount": "0", "rate_percent": "2"},
        {"from_amount": "60000", "rate_percent": "4"},
    ],
}


@pytest.fixture
def rule(money_world):
    return commission.create_rule(ON_COLLECTED, None)


def test_the_tiers_apply_to_the_months_net_collected_money(money_world, rule):
    march = commission.statement(money_world["admin"], money_world["wang"], "2026-03")
    assert march["collections"] == [
        {"currency": "CNY", "collected": D("68000"), "reversed": D("3000"), "net": D("65000")}
    ]
    (line,) = march["rules"]
    assert (line["basis"], line["base"], line["commission"]) == (
        "collected",
        D("65000"),
        D("1400.00"),
    )
    assert [(t["base"], t["commission"]) for t in line["tiers"]] == [
        (D("60000"), D("1200.00")),
        (D("5000"), D("200.00")),
    ]
    assert march["totals"] == [
        {"currency": "CNY", "won_amount": D("0.00"), "commission": D("1400.00")}
    ]
    # each payment and the same-month reversal is a line of its own
    assert [(p["kind"], p["amount"], p["on"].isoformat()) for p in march["payments"]] == [
        ("collected", D("50000"), "2026-03-08"),
        ("collected", D("15000"), "2026-03-25"),
        ("collected", D("3000"), "2026-03-28"),
        ("reversed", D("-3000"), "2026-03-31"),
    ]
    assert all(p["rule_ids"] == [rule.id] for p in march["payments"])


def test_a_reversal_in_a_later_month_is_a_clawback_in_that_month(money_world, rule):
    april = commission.statement(money_world["admin"], money_world["wang"], "2026-04")
    cny = [p for p in april["payments"] if p["currency"] == "CNY"]
    assert [(p["kind"], p["amount"], p["paid_on"].isoformat()) for p in cny] == [
        ("reversed", D("-15000"), "2026-03-25"),  # P4, paid in March
        ("collected", D("20000"), "2026-04-05"),
    ]
    assert april["rules"][0]["base"] == D("5000") and april["rules"][0]["commission"] == D("100.00")
    # dollars are listed and counted apart; no rule in USD, no commission on them
    usd = next(c for c in april["collections"] if c["currency"] == "USD")
    assert usd["net"] == D("4000") and [
        p["rule_ids"] for p in april["payments"] if p["currency"] == "USD"
    ] == [[]]
    march = commission.statement(money_world["admin"], money_world["wang"], "2026-03")
    assert march["rules"][0]["commission"] == D("1400.00")  # March keeps what it earned


def test_reversals_above_the_months_collections_give_a_negative_commission(money_world, rule):
    p5 = money_world["P5"]
    p5.status, p5.reversed_at = "reversed", datetime(2026, 5, 2, 9, tzinfo=UTC)
    db.session.commit()
    li = money_world["li"]
    march = commission.statement(money_world["admin"], li, "2026-03")
    assert march["rules"][0]["commission"] == D("100.00")
    may = commission.statement(money_world["admin"], li, "2026-05")
    (line,) = may["rules"]
    assert (line["base"], line["commission"]) == (D("-5000"), D("-100.00"))
    assert may["totals"][0]["commission"] == D("-100.00")


def test_a_rep_statement_lists_only_payments_the_viewer_sees(money_world, rule):
    # Zhao's manager is not Wang's: a rep who cannot see Wang's payments sees none
    seen = commission.statement(money_world["zhao"], money_world["wang"], "2026-03")
    assert seen["payments"] == [] and seen["rules"] == []


def test_a_won_rule_does_not_count_payments_nor_a_collected_rule_deals(money_world, rule):
    won = commission.create_rule({**ON_COLLECTED, "name": "On won", "basis": "won"}, None)
    march = commission.statement(money_world["admin"], money_world["wang"], "2026-03")
    assert [r["rule_id"] for r in march["rules"]] == [rule.id]
    assert won.basis == "won"


def test_the_basis_is_chosen_through_the_api_and_refused_by_field(money_world, as_user):
    api = as_user(money_world["admin"])
    made = api.post("/api/v1/sales/commission-rules", json=ON_COLLECTED)
    assert made.status_code == 201 and made.json["basis"] == "collected"
    default = api.post("/api/v1/sales/commission-rules", json={**ON_COLLECTED, "basis": None})
    assert default.status_code == 422 and "basis" in default.json["errors"]
    wrong = api.post("/api/v1/sales/commission-rules", json={**ON_COLLECTED, "basis": "paid"})
    assert wrong.status_code == 422 and "basis" in wrong.json["errors"]
    pipeline = pipelines.create_pipeline(
        {
            "name": "New",
            "stages": [
                {"name": "In", "probability": 10},
                {"name": "Won", "probability": 100, "outcome": "won"},
                {"name": "Lost", "probability": 0, "outcome": "lost"},
            ],
        },
        None,
    )
    narrowed = api.post(
        "/api/v1/sales/commission-rules", json={**ON_COLLECTED, "pipeline_id": pipeline.id}
    )
    assert narrowed.status_code == 422 and "pipeline_id" in narrowed.json["errors"]
    changed = api.patch(
        f"/api/v1/sales/commission-rules/{made.json['id']}",
        json={"basis": "won", "version": made.json["version"]},
    )
    assert changed.status_code == 200 and changed.json["basis"] == "won"
    statement = api.get(
        f"/api/v1/sales/reports/commission?month=2026-03&user_id={money_world['wang'].id}"
    ).json
    assert statement["collections"][0] == {
        "currency": "CNY",
        "collected": "68000.00",
        "reversed": "3000.00",
        "net": "65000.00",
    }
    assert statement["payments"][-1]["kind"] == "reversed"
    assert statement["payments"][-1]["amount"] == "-3000.00"
    with pytest.raises(ValidationError) as refused:
        commission.update_rule(
            db.session.get(CommissionRule, made.json["id"]),
            {"basis": "collected", "pipeline_id": pipeline.id},
            None,
        )
    assert "pipeline_id" in refused.value.errors


def test_the_commission_page_shows_the_clawback_line_and_the_rule_form_basis(
    money_world, rule, login_as
):
    client = login_as(money_world["admin"])
    page = client.get(f"/sales/commission?month=2026-04&user_id={money_world['wang'].id}")
    assert page.status_code == 200
    reversal = re.search(r'<tr class="reversed">(.*?)</tr>', page.text, re.S).group(1)
    assert "HT-C1" in reversal and "paid on Mar 25, 2026" in reversal
    assert "Apr 3, 2026" in reversal and "-CN¥15,000.00" in reversal
    assert "reversed CN¥15,000.00, net CN¥5,000.00" in page.text
    assert "On collected: net collected CN¥5,000.00" in page.text
    assert 'name="basis"' in page.text and "Collected money" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = client.post(
        "/sales/commission?month=2026-04",
        data={
            "csrf_token": token,
            "name": "Page rule",
            "basis": "collected",
            "currency": "CNY",
            "tiers.0.from_amount": "0",
            "tiers.0.rate_percent": "1",
        },
    )
    assert saved.status_code == 302
    assert db.session.query(CommissionRule).filter_by(name="Page rule").one().basis == "collected"
