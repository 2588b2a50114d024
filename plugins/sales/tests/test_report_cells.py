"""The report cells: kept in step with the deals by every kind of change
(checked against the cells added up again from scratch), and the funnel and
forecast an admin gets from them equal to the same reports read from the
deals — for whole months, parts of months, and with a customer in the
recycle bin."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, true

from core.api import db
from plugins.sales.models import CustomerWins, Deal, ReportCell
from plugins.sales.services import deals as deal_service
from plugins.sales.services import report_cells
from plugins.sales.services.products import set_lines
from plugins.sales.services.report_cells import Plan, cell_key, contributions, deal_rows, outcomes
from plugins.sales.tests.test_deals import new_deal, pipeline, stage  # noqa: F401 (fixture)
from plugins.sales.tests.test_reports import book  # noqa: F401 (fixture)


def stored() -> dict:
    return {
        c.key: [c.deals, c.amount_cents, c.cycle_seconds, c.closed]
        for c in db.session.scalars(select(ReportCell))
    }


def fresh() -> dict:
    return {
        cell_key(key): measures
        for key, measures in contributions(deal_rows(true()), outcomes()).items()
    }


def wins() -> dict:
    return {
        w.customer_id: (w.first_won_at, w.best_won_cents)
        for w in db.session.scalars(select(CustomerWins))
    }


def assert_in_step() -> None:
    db.session.commit()
    assert stored() == fresh()
    counted = wins()
    assert counted == {
        row["customer_id"]: (row["first_won_at"], row["best_won_cents"])
        for row in report_cells._wins(db.session, true()).values()
    }


def test_cells_follow_every_kind_of_deal_change(book, as_user, make_customer):  # noqa: F811
    flow, r1, r2, admin = book["pipeline"], book["r1"], book["r2"], book["admin"]
    assert_in_step()  # the fixture moved deals and changed their dates
    assert len(stored()) > 5
    customer = make_customer(owner_id=r1.id, team_id=book["t1"].id)
    deal = new_deal(flow, customer, r1, amount="1234.56", expected_close="2025-06-30")
    assert_in_step()
    deal_service.update_deal(
        deal, {"amount": "99.99", "currency": "USD", "expected_close": "2025-07-01"}, r1
    )
    assert_in_step()
    for name in ("Won", "Proposal", "Lost"):  # won, reopened, lost (the longest reason)
        deal_service.move_stage(deal, stage(flow, name).id, r1, lost_reason="Too late. " * 20)
        assert_in_step()
    deal_service.move_stage(deal, stage(flow, "Negotiation").id, r1)
    deal_service.update_deal(deal, {"owner_id": r2.id}, admin)  # a transfer: not a rep's to make
    assert_in_step()
    set_lines(deal, [{"description": "Tea", "unit_price": "10.00", "quantity": "3"}], r1)
    assert_in_step()
    deal.created_at -= timedelta(days=400)  # another month's cell
    assert_in_step()
    api = as_user(admin)
    other = make_customer(owner_id=r2.id, team_id=book["t1"].id)
    new_deal(flow, other, r2, amount="10.00")
    assert (
        api.post(f"/api/v1/users/{r2.id}/transfer", json={"to_user_id": book["r3"].id}).status_code
        == 200
    )
    assert_in_step()
    assert (
        api.post(f"/api/v1/customers/{customer.id}/merge", json={"merge_id": other.id}).status_code
        == 200
    )
    assert_in_step()
    assert api.delete(f"/api/v1/customers/{customer.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{customer.id}").status_code == 204
    assert db.session.scalar(select(Deal.id).where(Deal.customer_id == customer.id)) is None
    assert_in_step()


def test_a_failed_write_leaves_the_cells_as_they_were(book):  # noqa: F811
    before = stored()
    deal = db.session.scalar(select(Deal).where(Deal.title == "d4"))
    deal.amount = 5
    db.session.flush()
    assert stored() != before  # the flush added the difference ...
    db.session.rollback()
    assert stored() == before  # ... in the same transaction


def test_rebuild_adds_up_the_same_cells_and_wins(book):  # noqa: F811
    before, counted = stored(), wins()
    assert len(counted) == 4  # C1, C2, C3, C4 each won a deal
    assert report_cells.rebuild() == len(before)
    db.session.commit()
    assert (stored(), wins()) == (before, counted)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),  # all time: cells only
        (date(2025, 1, 1), date(2025, 2, 1)),  # one whole month
        (date(2024, 12, 15), date(2025, 1, 15)),  # two half months: deals only
        (date(2024, 10, 5), date(2025, 2, 3)),  # parts of months around whole ones
        (date(2025, 1, 3), date(2025, 1, 6)),  # days of one month
        (date(2024, 11, 1), None),  # open end
        (None, date(2025, 1, 4)),  # open start, ending inside a month
    ],
)
def test_an_admin_gets_from_the_cells_what_the_deals_say(book, as_user, monkeypatch, start, end):  # noqa: F811
    """A customer in the recycle bin hides its deals from both ways."""
    api = as_user(book["admin"])
    assert api.delete(f"/api/v1/customers/{book['c2'].id}").status_code == 204
    query = "&".join(f"{k}={v}" for k, v in (("start", start), ("end", end)) if v)
    funnel = f"/api/v1/sales/reports/funnel?pipeline_id={book['pipeline'].id}&{query}"
    forecast = f"/api/v1/sales/reports/forecast?{query}"
    assert report_cells.plan(book["admin"], {"start": start, "end": end}) is not None
    from_cells = api.get(funnel).json, api.get(forecast).json
    monkeypatch.setattr(report_cells, "plan", lambda user, args: None)
    from_deals = api.get(funnel).json, api.get(forecast).json
    assert from_cells == from_deals
    assert from_cells[0]["deals"] > 0 or (start, end) == (date(2025, 1, 3), date(2025, 1, 6))


def test_only_someone_who_sees_every_deal_and_filters_no_person_reads_the_cells(book):  # noqa: F811
    admin, manager = book["admin"], book["manager"]
    assert report_cells.plan(manager, {}) is None
    assert report_cells.plan(admin, {"owner_id": book["r1"].id}) is None
    assert report_cells.plan(admin, {"source": "website"}) is None
    assert report_cells.plan(admin, {"pipeline_id": book["pipeline"].id}) is not None


def test_a_period_splits_into_whole_months_and_the_days_around_them():
    plan = Plan({"start": date(2025, 1, 20), "end": date(2025, 4, 3)})
    assert plan.months == (date(2025, 2, 1), date(2025, 4, 1))
    assert plan.pieces == [
        {"start": date(2025, 1, 20), "end": date(2025, 2, 1)},
        {"start": date(2025, 4, 1), "end": date(2025, 4, 3)},
    ]
    december = Plan({"start": date(2024, 12, 1), "end": date(2025, 1, 1)})
    assert (december.months, december.pieces) == ((date(2024, 12, 1), date(2025, 1, 1)), [])
    inside = Plan({"start": date(2025, 1, 2), "end": date(2025, 1, 30)})
    assert (inside.months, inside.pieces) == (
        None,
        [{"start": date(2025, 1, 2), "end": date(2025, 1, 30)}],
    )
    assert Plan({}).months == (None, None) and Plan({}).pieces == []


def test_deals_of_one_customer_won_at_once_are_all_counted(
    app,
    pipeline,
    make_user,  # noqa: F811
    make_customer,
):
    """Four requests each add a won deal to the same customer, on their own
    connections: all four succeed (no deadlock over the customer's row),
    and the cells and the customer's wins hold all four."""
    import threading

    rep = make_user(name="Sun")
    customer_id = make_customer(owner_id=rep.id).id
    won_id, rep_id, pipeline_id = stage(pipeline, "Won").id, rep.id, pipeline.id
    db.session.commit()
    start, outcomes = threading.Barrier(4), []

    def win_one(amount: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                deal_service.create_deal(
                    {
                        "title": f"Deal {amount}",
                        "customer_id": customer_id,
                        "pipeline_id": pipeline_id,
                        "stage_id": won_id,
                        "amount": str(amount),
                    },
                    db.session.get(type(rep), rep_id),
                )
                outcomes.append("won")
            except Exception as exc:  # noqa: BLE001 (asserted below)
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=win_one, args=(100 * (i + 1),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["won"] * 4, outcomes
    assert wins()[customer_id][1] == 100_000  # 100 + 200 + 300 + 400, in cents
    assert_in_step()


def test_migrating_a_database_with_deals_adds_them_up_as_the_hooks_do(empty_database_url, tmp_path):
    """A database made with deals (the demo quarter, through the services):
    stepped back before the cells and migrated again, it holds the same
    cells and wins that the flush hooks had kept — the migration's adding up
    and the hooks agree. Through the command line (in this process)."""
    from sqlalchemy import create_engine, text

    from core.testing.commands import run_trellis

    environ = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRELLIS_DATABASE_URL": empty_database_url,
    }

    def trellis_says(*args: str) -> None:
        done = run_trellis(*args, env=environ)
        assert done.returncode == 0, done.stderr

    def tables() -> tuple[dict, dict]:
        engine = create_engine(empty_database_url)
        with engine.connect() as conn:
            cells = {
                row[0]: tuple(row[1:])
                for row in conn.execute(
                    text(
                        "SELECT key, deals, amount_cents, cycle_seconds, closed "
                        "FROM sales_report_cell WHERE kind IN ('deal', 'open')"  # money: its own
                    )
                )
            }
            won = {
                row[0]: row[1]
                for row in conn.execute(
                    text("SELECT customer_id, best_won_cents FROM sales_customer_wins")
                )
            }
        engine.dispose()
        return cells, won

    trellis_says(
        "init",
        "--demo",
        "--admin-email",
        "boss@example.com",
        "--admin-password",
        "correct horse battery",
    )
    kept = tables()
    assert len(kept[0]) > 10 and len(kept[1]) > 1  # the demo has won, lost and open deals
    trellis_says("db", "downgrade", "sales", "5a1e50000009")
    trellis_says("db", "upgrade")
    assert tables() == kept
