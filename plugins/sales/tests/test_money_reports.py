"""The money reports against figures worked out by hand on the fixed book of
:mod:`.money_world` (read its docstring for the rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from plugins.sales.services import money_reports as reports

from .money_world import AS_OF, money_world  # noqa: F401  (the fixture)

D = Decimal
MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def by_name(rows: list[dict], *keys) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_aging_puts_each_open_amount_in_its_bucket_per_owner_and_in_total(money_world):
    aging = reports.aging(money_world["admin"], AS_OF, "CNY")
    owners = by_name(aging["owners"], "name")
    # Li: C3#2 60 days (31–60), C7#1 90 days (61–90), C3#1 95 days (over 90)
    assert owners["Li"] == {
        "owner_id": money_world["li"].id,
        "name": "Li",
        "current": D("0.00"),
        "d1_30": D("0.00"),
        "d31_60": D("40000.00"),
        "d61_90": D("20000.00"),
        "d90_plus": D("30000.00"),
        "total": D("90000.00"),
    }
    # Wang: C2#1 not yet due; C1#2 5 days overdue, 30,000 of 50,000 open
    assert (owners["Wang"]["current"], owners["Wang"]["d1_30"], owners["Wang"]["total"]) == (
        D("50000.00"),
        D("30000.00"),
        D("80000.00"),
    )
    # Zhao: due on the day itself is not overdue; 30 days overdue is in 1–30
    assert (owners["Zhao"]["current"], owners["Zhao"]["d1_30"]) == (D("20000.00"), D("20000.00"))
    assert [o["name"] for o in aging["owners"]] == ["Li", "Wang", "Zhao"]  # most open first
    assert aging["total"] == {
        "current": D("70000.00"),
        "d1_30": D("50000.00"),
        "d31_60": D("40000.00"),
        "d61_90": D("20000.00"),
        "d90_plus": D("30000.00"),
        "total": D("210000.00"),
    }
    usd = reports.aging(money_world["admin"], AS_OF, "USD")
    assert usd["total"]["d1_30"] == D("6000.00") and usd["total"]["total"] == D("6000.00")


def test_aging_a_day_later_moves_the_boundaries(money_world):
    owners = by_name(
        reports.aging(money_world["admin"], date(2026, 4, 16), "CNY")["owners"], "name"
    )
    assert owners["Zhao"]["current"] == 0 and owners["Zhao"]["d1_30"] == D("20000.00")
    assert owners["Zhao"]["d31_60"] == D("20000.00")  # 31 days now
    assert owners["Li"]["d61_90"] == D("40000.00")  # C3#2 at 61 days
    assert owners["Li"]["d90_plus"] == D("50000.00")  # C7#1 at 91 days, C3#1


def test_a_rep_sees_only_their_own_receivables(money_world):
    aging = reports.aging(money_world["li"], AS_OF, "CNY")
    assert [o["name"] for o in aging["owners"]] == ["Li"]
    assert aging["total"]["total"] == D("90000.00")
    assert [r["name"] for r in reports.overdue(money_world["wang"], AS_OF)] == ["Wang", "Wang"]


def test_overdue_counts_amounts_and_the_oldest_per_owner(money_world):
    rows = reports.overdue(money_world["admin"], AS_OF)
    assert [(r["name"], r["currency"]) for r in rows] == [
        ("Li", "CNY"),
        ("Wang", "CNY"),
        ("Zhao", "CNY"),
        ("Wang", "USD"),
    ]
    li = rows[0]
    assert (li["count"], li["amount"], li["oldest_due_date"], li["oldest_days"]) == (
        3,
        D("90000.00"),
        date(2026, 1, 10),
        95,
    )
    assert (rows[1]["count"], rows[1]["amount"], rows[1]["oldest_days"]) == (1, D("30000.00"), 5)
    assert (rows[2]["amount"], rows[2]["oldest_due_date"]) == (D("20000.00"), date(2026, 3, 16))
    assert (rows[3]["amount"], rows[3]["oldest_days"]) == (D("6000.00"), 14)


def test_collection_rate_is_collected_over_due_in_the_period(money_world):
    rates = by_name(reports.collection_rate(money_world["admin"], MARCH, MAY), "currency")
    # CNY due in March–April: C1#1 50,000 (all in), C1#2 50,000 (20,000), C4 20,000 + 20,000
    assert rates["CNY"] == {
        "currency": "CNY",
        "due": D("140000.00"),
        "collected": D("70000.00"),
        "rate": D("0.5000"),
    }
    assert rates["USD"]["rate"] == D("0.4000")
    assert reports.collection_rate(money_world["admin"], date(2027, 1, 1), date(2027, 2, 1)) == []


def test_dso_is_open_receivables_over_contracted_times_days(money_world):
    rows = by_name(reports.dso(money_world["admin"], AS_OF), "currency")
    # open and due by 15 April: 30,000 + 90,000 + 40,000; signed 16 Jan – 15 Apr: 270,000
    assert rows["CNY"] == {
        "currency": "CNY",
        "receivable": D("160000.00"),
        "contracted": D("270000.00"),
        "days": 90,
        "dso": D("53.3"),
    }
    assert rows["USD"]["dso"] == D("54.0")  # 6,000 / 10,000 × 90
    # over 20 days (from 27 March) only C4 was signed: 160,000 / 40,000 × 20
    assert by_name(reports.dso(money_world["admin"], AS_OF, 20), "currency")["CNY"]["dso"] == D(
        "80.0"
    )


def test_contracted_vs_collected_by_owner_counts_reversals_in_their_month(money_world):
    march = by_name(
        reports.contracted_vs_collected(money_world["admin"], MARCH, APRIL, "owner"),
        "label",
        "currency",
    )
    wang = march[("Wang", "CNY")]
    # P1 50,000 + P4 15,000 (reversed in April) + P9 3,000 (reversed on 31 March, 23:30 UTC)
    assert (wang["contracted"], wang["collected"], wang["reversed"], wang["net"]) == (
        D("150000.00"),
        D("68000.00"),
        D("3000.00"),
        D("65000.00"),
    )
    assert march[("Li", "CNY")]["contracted"] == 0 and march[("Li", "CNY")]["net"] == D("5000.00")
    assert march[("Wang", "USD")]["contracted"] == D("10000.00")
    assert ("Zhao", "CNY") not in march  # signed in April; P7 rejected, P8 pending never count
    april = by_name(
        reports.contracted_vs_collected(money_world["admin"], APRIL, MAY, "owner"),
        "label",
        "currency",
    )
    assert (april[("Wang", "CNY")]["collected"], april[("Wang", "CNY")]["net"]) == (
        D("20000.00"),
        D("5000.00"),
    )
    assert april[("Zhao", "CNY")]["contracted"] == D("40000.00")
    assert april[("Zhao", "CNY")]["collected"] == 0


def test_contracted_vs_collected_by_month_and_by_team(money_world):
    months = by_name(
        reports.contracted_vs_collected(money_world["admin"], date(2026, 2, 1), MAY, "month"),
        "key",
        "currency",
    )
    assert list(months) == [
        ("2026-02", "CNY"),
        ("2026-03", "CNY"),
        ("2026-03", "USD"),
        ("2026-04", "CNY"),
        ("2026-04", "USD"),
    ]
    march = months[("2026-03", "CNY")]
    assert (march["contracted"], march["collected"], march["reversed"], march["net"]) == (
        D("150000.00"),
        D("73000.00"),
        D("3000.00"),
        D("70000.00"),
    )
    assert months[("2026-04", "CNY")]["reversed"] == D("15000.00")
    assert months[("2026-02", "CNY")]["rate"] == D("0.1250")  # 10,000 of 80,000
    teams = by_name(
        reports.contracted_vs_collected(money_world["admin"], MARCH, APRIL, "team"),
        "label",
        "currency",
    )
    assert teams[("East", "CNY")]["net"] == D("70000.00")
    assert ("West", "CNY") not in teams


def test_quote_conversion_counts_what_became_of_the_quotes_sent(money_world):
    assert reports.quote_conversion(money_world["admin"], MARCH, APRIL) == {
        "sent": 6,
        "accepted": 2,
        "rejected": 1,
        "expired": 1,
        "open": 1,
        "superseded": 1,
        "contracted": 1,
        "accept_rate": D("0.3333"),
        "contract_rate": D("0.1667"),
    }
    mine = reports.quote_conversion(money_world["li"], MARCH, APRIL)
    assert (mine["sent"], mine["expired"], mine["open"], mine["contracted"]) == (2, 1, 1, 0)


def test_approval_turnaround_per_flow_and_per_approver(money_world):
    result = reports.approval_turnaround(money_world["admin"], MARCH, APRIL)
    flows = by_name(result["flows"], "name")
    # Large contracts: 2, 4, 10, 24 h → median 7, p90 at 2.7: 10 + 0.7 × 14 = 19.8
    assert flows["Large contracts"] == {
        "flow_id": money_world["large"].id,
        "name": "Large contracts",
        "decisions": 4,
        "approved": 3,
        "rejected": 1,
        "median_hours": D("7.0"),
        "p90_hours": D("19.8"),
    }
    assert (flows["Payments"]["decisions"], flows["Payments"]["median_hours"]) == (1, D("1.0"))
    approvers = by_name(result["approvers"], "name")
    # Boss: 2, 4, 24 → median 4, p90 at 1.8: 4 + 0.8 × 20 = 20; Admin: 1, 10 → 5.5, 9.1
    assert (approvers["Boss"]["median_hours"], approvers["Boss"]["p90_hours"]) == (
        D("4.0"),
        D("20.0"),
    )
    assert (approvers["Admin"]["median_hours"], approvers["Admin"]["p90_hours"]) == (
        D("5.5"),
        D("9.1"),
    )
    assert approvers["Admin"]["decisions"] == 2  # the waiting task and April's are left out


def test_approval_turnaround_counts_only_records_the_viewer_sees(money_world):
    result = reports.approval_turnaround(money_world["wang"], MARCH, APRIL)
    flows = by_name(result["flows"], "name")
    assert flows["Large contracts"]["decisions"] == 2  # C1 and C2, not Li's C3
    assert flows["Large contracts"]["median_hours"] == D("3.0")
    assert flows["Payments"]["decisions"] == 1
    assert reports.approval_turnaround(money_world["zhao"], MARCH, APRIL)["flows"] == []


def test_approval_turnaround_reads_the_engines_own_rows(money_world, as_user, make_customer):
    """A deal submitted and approved through core's engine counts once, for
    its flow and its approver, on the day it was decided."""
    from core.api import first_of_next_month, save_approval_flow, utcnow
    from plugins.sales.services import deals, pipelines
    from plugins.sales.services.approvals import RECORD, submit_deal

    pipeline = pipelines.create_pipeline(
        {
            "name": "New business",
            "stages": [
                {"name": "Proposal", "probability": 50},
                {"name": "Won", "probability": 100, "outcome": "won"},
                {"name": "Lost", "probability": 0, "outcome": "lost"},
            ],
        },
        None,
    )
    save_approval_flow(
        {
            "record_type": RECORD,
            "name": "Every deal",
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        money_world["admin"],
    )
    deal = deals.create_deal(
        {
            "title": "Tea",
            "customer_id": make_customer(owner_id=money_world["wang"].id).id,
            "pipeline_id": pipeline.id,
            "amount": "1000",
            "currency": "CNY",
        },
        money_world["wang"],
    )
    request = submit_deal(deal, money_world["wang"])
    decided = as_user(money_world["boss"]).post(
        f"/api/v1/approvals/requests/{request.id}/approve", json={}
    )
    assert decided.status_code == 200
    today = utcnow().date()
    result = reports.approval_turnaround(money_world["admin"], today, first_of_next_month(today))
    (flow,) = [f for f in result["flows"] if f["name"] == "Every deal"]
    assert (flow["decisions"], flow["approved"], flow["median_hours"]) == (1, 1, D("0.0"))
    assert by_name(result["approvers"], "name")["Boss"]["decisions"] == 1
    # Zhao sees none of Wang's deals, so not its approval
    mine = reports.approval_turnaround(money_world["zhao"], today, first_of_next_month(today))
    assert mine["flows"] == []
