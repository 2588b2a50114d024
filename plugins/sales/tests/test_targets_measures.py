"""Targets by measure — deals won, contracts signed, money collected — on
the fixed book of :mod:`.money_world`: in March 2026 Wang signed C1 100,000
and C2 50,000 CNY; collected P1 50,000 + P4 15,000 + P9 3,000 and P9 was
reversed on 31 March (23:30 UTC), so 65,000 net; in April P2 20,000 came in
and P4's 15,000 was reversed, 5,000 net. Li collected 5,000 in March."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.api import db
from plugins.sales.models import SalesTarget

from .money_world import money_world  # noqa: F401  (the fixture)


def put(api, **fields):
    return api.put("/api/v1/sales/targets", json={"currency": "CNY", **fields})


def test_a_contracted_target_counts_contracts_signed_in_the_month(money_world, as_user):
    api = as_user(money_world["boss"])
    made = put(
        api, month="2026-03", user_id=money_world["wang"].id, amount="200000", measure="contracted"
    )
    assert made.status_code == 200, made.json
    assert (made.json["measure"], made.json["achieved"], made.json["percent"]) == (
        "contracted",
        "150000.00",
        "75.00",
    )


def test_a_collected_target_counts_payments_less_reversals_in_their_month(money_world, as_user):
    api = as_user(money_world["boss"])
    wang = money_world["wang"].id
    march = put(api, month="2026-03", user_id=wang, amount="100000", measure="collected")
    assert (march.json["achieved"], march.json["percent"]) == ("65000.00", "65.00")
    april = put(api, month="2026-04", user_id=wang, amount="10000", measure="collected")
    assert april.json["achieved"] == "5000.00"  # 20,000 in, P4's 15,000 taken back
    team = put(
        api, month="2026-03", team_id=money_world["east"].id, amount="140000", measure="collected"
    )
    assert (team.json["achieved"], team.json["percent"]) == ("70000.00", "50.00")


def test_one_target_per_rep_month_and_measure(money_world, as_user):
    api = as_user(money_world["boss"])
    wang = money_world["wang"].id
    won = put(api, month="2026-03", user_id=wang, amount="1000")
    assert won.json["measure"] == "won" and won.json["achieved"] == "0.00"  # the default
    collected = put(api, month="2026-03", user_id=wang, amount="1000", measure="collected")
    again = put(api, month="2026-03", user_id=wang, amount="130000", measure="collected")
    assert collected.json["id"] != won.json["id"] and again.json["id"] == collected.json["id"]
    assert again.json["percent"] == "50.00"
    listed = api.get("/api/v1/sales/targets?month=2026-03").json["items"]
    assert sorted((t["measure"], t["achieved"]) for t in listed) == [
        ("collected", "65000.00"),
        ("won", "0.00"),
    ]
    assert db.session.scalar(select(func.count()).select_from(SalesTarget)) == 2


def test_an_unknown_measure_is_refused_by_field_and_nothing_is_saved(money_world, as_user):
    api = as_user(money_world["boss"])
    refused = put(api, month="2026-03", user_id=money_world["wang"].id, amount="1", measure="paid")
    assert refused.status_code == 422 and "measure" in refused.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(SalesTarget)) == 0


def test_a_rep_sees_their_collected_figure_only_from_payments_they_see(money_world, as_user):
    put(
        as_user(money_world["boss"]),
        month="2026-03",
        team_id=money_world["east"].id,
        amount="70000",
        measure="collected",
    )
    mine = as_user(money_world["boss"]).get("/api/v1/sales/targets?month=2026-03").json
    assert mine["items"][0]["achieved"] == "70000.00"


def test_the_targets_page_sets_and_shows_a_collected_target(money_world, login_as):
    client = login_as(money_world["boss"])
    page = client.get("/sales/targets?month=2026-03")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert 'name="measure"' in page.text
    saved = client.post(
        "/sales/targets?month=2026-03",
        data={
            "csrf_token": token,
            "month": "2026-03",
            "measure": "collected",
            "user_id": money_world["wang"].id,
            "amount": "100000",
            "currency": "CNY",
        },
    )
    assert saved.status_code == 302, saved.text
    shown = client.get("/sales/targets?month=2026-03").text
    row = re.search(r"<tr><td class=\"name\">Wang</td>(.*?)</tr>", shown, re.S).group(1)
    assert "Money collected" in row and "65,000.00" in row and "65.00%" in row
    bad = client.post(
        "/sales/targets?month=2026-03",
        data={
            "csrf_token": token,
            "month": "2026-03",
            "measure": "paid",
            "user_id": money_world["wang"].id,
            "amount": "1",
            "currency": "CNY",
        },
    )
    assert bad.status_code == 422 and 'id="f-measure"' in bad.text
