"""An admin's KPIs over all time, counted from each owner's closed deals per
customer (``CustomerKpi``): the rows kept in step with every kind of deal
change (checked against the rows counted again from scratch), the figures
equal to the same KPIs counted from the deals — through transfers, a merge,
a purge and a customer in the recycle bin — and a migrated database holding
the rows the hooks kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, true

from core.api import db, utcnow
from plugins.sales.models import CustomerKpi, Deal
from plugins.sales.services import deals as deal_service
from plugins.sales.services import kpis as kpi_service
from plugins.sales.services.report_cells import _wins, kpi_rows
from plugins.sales.tests.test_deals import new_deal, other_pipeline, pipeline, stage  # noqa: F401
from plugins.sales.tests.test_reports import book  # noqa: F401 (fixture)

KPIS = "/api/v1/sales/reports/kpis"
FIELDS = ("customer_id", "owner_id", "won", "currency", "deals", "amount_cents", "first_win")


def kept() -> list[tuple]:
    return sorted(
        (tuple(getattr(row, f) for f in FIELDS) + (row.best_won_cents,))
        for row in db.session.scalars(select(CustomerKpi))
    )


def counted_again() -> list[tuple]:
    rows = kpi_rows(db.session, true(), _wins(db.session, true()))
    return sorted((tuple(row[f] for f in FIELDS) + (row["best_won_cents"],)) for row in rows)


def both_ways(api, monkeypatch, query: str = "") -> tuple[list, list]:
    """The admin's all-time KPIs from the customers' rows, then from the deals."""
    fast = api.get(f"{KPIS}?{query}")
    assert fast.status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(kpi_service, "all_time_for_everyone", lambda user, args: False)
        slow = api.get(f"{KPIS}?{query}")
    return fast.json["owners"], slow.json["owners"]


def assert_same_both_ways(api, monkeypatch) -> None:
    db.session.commit()
    assert kept() == counted_again()
    for query in ("", "valuable_amount=200000", "valuable_amount=0", "valuable_amount=1500"):
        fast, slow = both_ways(api, monkeypatch, query)
        assert fast == slow, query


def test_all_time_kpis_from_the_customers_rows_equal_those_from_the_deals(
    book,  # noqa: F811
    other_pipeline,  # noqa: F811
    as_user,
    make_customer,
    monkeypatch,
):
    """Varied deals: three reps, three currencies, two pipelines, won and
    lost, two reps winning a customer's first win at the same moment, a won
    deal with no close time; then edits, reopening, a transfer of a rep's
    records, a merge, a customer in the recycle bin, a purge and a deleted
    deal."""
    flow, renewals = book["pipeline"], other_pipeline
    r1, r2, r3, admin = book["r1"], book["r2"], book["r3"], book["admin"]
    api = as_user(admin)
    calls = []
    counted = kpi_service._closed_deals_counted
    monkeypatch.setattr(
        kpi_service, "_closed_deals_counted", lambda *a: calls.append(1) or counted(*a)
    )
    assert_same_both_ways(api, monkeypatch)
    assert calls, "the admin's all-time KPIs were not read from the customers' rows"
    fast = {row["name"]: row for row in both_ways(api, monkeypatch)[0]}
    assert (fast["R1"]["won"], fast["R1"]["lost"], fast["R1"]["new_customers"]) == (3, 1, 2)
    assert fast["R2"]["valuable_customers_lost"] == 1  # C3 won 150000 CNY

    c4, c3 = book["c4"], book["c3"]
    d8 = db.session.scalar(select(Deal).where(Deal.title == "d8"))
    tie = new_deal(renewals, c4, admin, owner_id=r2.id, title="tie", amount="55.5", currency="EUR")
    deal_service.move_stage(tie, stage(renewals, "Renewed").id, admin)
    tie.closed_at = d8.closed_at  # two reps share C4's first win
    undated = new_deal(renewals, c3, admin, owner_id=r3.id, title="undated", currency="USD")
    deal_service.move_stage(undated, stage(renewals, "Renewed").id, admin)
    undated.closed_at = None
    lost = new_deal(renewals, c4, r3, title="lost", amount="70000", currency="USD")
    deal_service.move_stage(lost, stage(renewals, "Churned").id, r3, lost_reason="Timing")
    assert_same_both_ways(api, monkeypatch)
    tied = {row["name"]: row["new_customers"] for row in both_ways(api, monkeypatch)[0]}
    assert tied["R2"] == 2 and tied["R3"] == 1  # C3 (d6) and C4 (the tie); C4 (d8)

    deal_service.update_deal(lost, {"amount": "80000.10", "currency": "CNY"}, r3)
    deal_service.move_stage(lost, stage(renewals, "Due").id, r3)  # reopened
    deal_service.move_stage(lost, stage(renewals, "Renewed").id, r3)
    d8.closed_at -= timedelta(days=1)  # C4's first win is d8's alone again
    assert_same_both_ways(api, monkeypatch)

    c5 = make_customer(owner_id=r1.id, team_id=book["t1"].id, grade="A")
    for title, name in (("c5 won", "Won"), ("c5 lost", "Lost")):
        deal = new_deal(flow, c5, r1, title=title, amount="250.00")
        deal_service.move_stage(deal, stage(flow, name).id, r1, lost_reason="Price")
    assert (
        api.post(f"/api/v1/users/{r1.id}/transfer", json={"to_user_id": r3.id}).status_code == 200
    )
    assert_same_both_ways(api, monkeypatch)
    assert api.post(f"/api/v1/customers/{c4.id}/merge", json={"merge_id": c5.id}).status_code == 200
    assert_same_both_ways(api, monkeypatch)
    assert api.delete(f"/api/v1/customers/{book['c2'].id}").status_code == 204  # to the bin
    assert_same_both_ways(api, monkeypatch)
    assert api.delete(f"/api/v1/customers/{c3.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{c3.id}").status_code == 204  # purged
    assert db.session.scalar(select(CustomerKpi.id).where(CustomerKpi.customer_id == c3.id)) is None
    assert_same_both_ways(api, monkeypatch)
    d8.deleted_at = utcnow()  # a deal deleted
    assert_same_both_ways(api, monkeypatch)
    assert len(calls) > 20


def test_only_an_all_time_request_of_someone_who_sees_every_deal_reads_the_rows(book):  # noqa: F811
    admin, manager = book["admin"], book["manager"]
    everyone = kpi_service.all_time_for_everyone
    assert everyone(admin, {})
    assert not everyone(manager, {})
    assert not everyone(admin, {"pipeline_id": book["pipeline"].id})
    assert not everyone(admin, {"owner_id": book["r1"].id})
    assert not everyone(admin, {"team_id": book["t1"].id})
    assert not everyone(admin, {"source": "website"})
    assert not everyone(admin, {"start": date(2025, 1, 1)})
    assert not everyone(admin, {"end": date(2025, 1, 1)})


@pytest.mark.parametrize(("title", "change"), [("d1", "amount"), ("d2", "owner")])
def test_a_failed_write_leaves_the_rows_as_they_were(book, title, change):  # noqa: F811
    """A won deal's amount, a lost deal's owner."""
    before = kept()
    deal = db.session.scalar(select(Deal).where(Deal.title == title))
    if change == "amount":
        deal.amount = 5
    else:
        deal.owner_id = book["r3"].id
    db.session.flush()
    assert kept() != before  # the flush counted the customer again ...
    db.session.rollback()
    assert kept() == before  # ... in the same transaction


def test_migrating_a_database_with_deals_counts_the_rows_the_hooks_kept(
    empty_database_url, tmp_path
):
    """The demo quarter, made through the services: stepped back before the
    customers' KPI rows and migrated again, it holds the rows the flush
    hooks had kept. Through the command line (in this process)."""
    from sqlalchemy import create_engine, text

    from core.testing.commands import run_trellis

    environ = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRELLIS_DATABASE_URL": empty_database_url,
    }

    def trellis_says(*args: str) -> None:
        done = run_trellis(*args, env=environ)
        assert done.returncode == 0, done.stderr

    def rows() -> list[tuple]:
        engine = create_engine(empty_database_url)
        with engine.connect() as conn:
            found = sorted(
                tuple(row)
                for row in conn.execute(
                    text(f"SELECT {', '.join(FIELDS)}, best_won_cents FROM sales_customer_kpi")
                )
            )
        engine.dispose()
        return found

    trellis_says(
        "init",
        "--demo",
        "--admin-email",
        "boss@example.com",
        "--admin-password",
        "correct horse battery",
    )
    kept = rows()
    assert {row[2] for row in kept} == {True, False}  # the demo won and lost deals
    assert any(row[6] for row in kept)  # and first wins
    trellis_says("db", "downgrade", "sales", "5a1e50000012")
    trellis_says("db", "upgrade")
    assert rows() == kept
