"""The money report cells (``report_cells.money``): kept in step with the
payments and contracts by every kind of change (checked against the cells
added up again from the rows), and contracted vs collected read through
them equal to the same report read from the rows — for whole months, parts
of months, a team, and with a customer in the recycle bin."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

from sqlalchemy import select, update

from core.api import db
from plugins.sales.models import Contract, Payment, ReportCell
from plugins.sales.services import money_reports as reports
from plugins.sales.services import report_cells
from plugins.sales.services.money_reports import sums
from plugins.sales.services.receivables import payments
from plugins.sales.services.report_cells import (
    cell_key,
    contract_contributions,
    payment_contributions,
)

from .money_world import money_world  # noqa: F401  (the fixture)

KINDS = ("paid", "reversal", "signed")
TODAY = datetime.now(UTC).date()
#: periods: whole months with days around them; whole months only; days of one month; …
PERIODS = (
    (date(2025, 11, 15), TODAY + timedelta(days=2)),
    (date(2026, 2, 1), date(2026, 5, 1)),
    (date(2026, 3, 3), date(2026, 3, 29)),
    (date(2026, 3, 9), date(2026, 5, 25)),  # most of a month: its cells less the other days
    (date(2026, 2, 25), date(2026, 4, 3)),  # a few days of a month: those days' rows
)


def stored() -> dict:
    return {
        c.key: [c.deals, c.amount_cents]
        for c in db.session.scalars(select(ReportCell).where(ReportCell.kind.in_(KINDS)))
    }


def fresh() -> dict:
    """The money cells added up again from every payment and contract row."""
    cells = {
        **payment_contributions(report_cells.PAYMENTS.rows(Payment.id.is_not(None))),
        **contract_contributions(report_cells.CONTRACTS.rows(Contract.id.is_not(None))),
    }
    return {cell_key(key): measures[:2] for key, measures in cells.items()}


@contextmanager
def from_rows_only():
    """Every money report read from the rows, as for someone who does not see all."""
    with mock.patch.object(sums, "sees_all", lambda user: False):
        yield


def assert_cells_answer(user, team=None) -> None:
    """The cells are what the rows add up to, and contracted vs collected
    (every grouping) and collected money (by owner and team) read through
    them equal the same reports read from the rows, over each period."""
    db.session.commit()
    assert stored() == fresh()
    team_id = team.id if team is not None else None
    for start, end in PERIODS:
        through_cells = [
            reports.contracted_vs_collected(user, start, end, by, team_id)
            for by in ("owner", "team", "month")
        ] + [reports.collected_money(user, start, end, "owner_team", team_id)]
        with from_rows_only():
            from_rows = [
                reports.contracted_vs_collected(user, start, end, by, team_id)
                for by in ("owner", "team", "month")
            ] + [reports.collected_money(user, start, end, "owner_team", team_id)]
        assert through_cells == from_rows, (start, end)


def test_the_cells_follow_every_kind_of_money_change(money_world, as_user):  # noqa: F811
    w = money_world
    admin, boss = w["admin"], w["boss"]
    assert_cells_answer(admin)
    assert {key.split("|")[0] for key in stored()} == set(KINDS)
    payments.confirm(w["P8"], admin)  # pending → confirmed (an approval ends the same way)
    db.session.commit()
    assert_cells_answer(admin)
    payments.reverse_payment(w["P2"], "Returned by the bank", admin)
    assert_cells_answer(admin)
    w["P5"].deleted_at = datetime.now(UTC)  # deleted: counts no more
    assert_cells_answer(admin)
    db.session.delete(w["P3"])
    assert_cells_answer(admin)
    w["P1"].amount, w["P1"].paid_on = Decimal("49000.50"), date(2026, 2, 27)
    assert_cells_answer(admin)
    w["C6"].status, w["C6"].signed_date = "signed", date(2026, 4, 20)  # signed
    assert_cells_answer(admin)
    w["C1"].amount = Decimal("120000.00")  # amended
    w["C3"].status, w["C3"].terminated_at = "terminated", datetime.now(UTC)
    assert_cells_answer(admin)
    w["C7"].deleted_at = datetime.now(UTC)
    assert_cells_answer(admin, team=w["east"])
    api = as_user(admin)
    zhao, wang = w["zhao"], w["wang"]
    response = api.post(f"/api/v1/users/{wang.id}/transfer", json={"to_user_id": zhao.id})
    assert response.status_code == 200
    assert db.session.scalar(select(Payment.owner_id).where(Payment.id == w["P2"].id)) == zhao.id
    assert_cells_answer(admin)
    assert_cells_answer(admin, team=w["west"])
    li_customer, zhao_customer = w["C3"].customer_id, w["C4"].customer_id
    response = api.post(f"/api/v1/customers/{zhao_customer}/merge", json={"merge_id": li_customer})
    assert response.status_code == 200
    assert_cells_answer(admin)
    assert api.delete(f"/api/v1/customers/{zhao_customer}").status_code == 204  # binned
    assert_cells_answer(admin)
    assert_cells_answer(boss)  # a manager reads the rows: the same either way
    assert api.delete(f"/api/v1/recycle-bin/{zhao_customer}").status_code == 204  # purged
    assert db.session.scalar(select(Payment.id).where(Payment.customer_id == zhao_customer)) is None
    assert_cells_answer(admin)


def test_the_reports_of_someone_who_sees_all_are_read_from_the_cells(money_world):  # noqa: F811
    """Proof that the whole months come from the cells: a cell changed by
    hand changes the report, and its partial months do not."""
    admin = money_world["admin"]
    before = reports.collected_money(admin, date(2026, 3, 1), date(2026, 4, 1))
    assert before[(None, "CNY")] == [Decimal("73000.00"), Decimal("3000.00")]
    db.session.execute(
        update(ReportCell)
        .where(ReportCell.kind == "paid", ReportCell.month == date(2026, 3, 1))
        .values(amount_cents=ReportCell.amount_cents + 100)
    )
    after = reports.collected_money(admin, date(2026, 3, 1), date(2026, 4, 1))
    cells = {k for k in stored() if k.startswith("paid|2026-03-01|")}
    assert after[(None, "CNY")][0] == Decimal("73000.00") + len(cells)  # 100 cents more each
    # days of a month: from the rows, the cells untouched
    days = reports.collected_money(admin, date(2026, 3, 9), date(2026, 3, 31))
    assert days[(None, "CNY")][0] == Decimal("73000.00") - Decimal("50000.00")  # not P1


def test_rebuild_adds_up_the_same_money_cells(money_world):  # noqa: F811
    before = stored()
    assert len(before) > 5
    report_cells.rebuild()
    db.session.commit()
    assert stored() == before


def test_migrating_a_database_with_money_adds_it_up_as_the_hooks_do(empty_database_url, tmp_path):
    """The demo's contracts and payments (made through the services, kept by
    the flush hooks): the money cells taken out by stepping back one
    revision and added up again by the migration are the same. Through the
    command line (in this process)."""
    from sqlalchemy import create_engine, text

    from core.testing.commands import run_trellis

    environ = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRELLIS_DATABASE_URL": empty_database_url,
    }

    def trellis_says(*args: str) -> None:
        done = run_trellis(*args, env=environ)
        assert done.returncode == 0, done.stderr

    def money_cells() -> dict:
        engine = create_engine(empty_database_url)
        with engine.connect() as conn:
            cells = {
                row[0]: tuple(row[1:])
                for row in conn.execute(
                    text(
                        "SELECT key, deals, amount_cents FROM sales_report_cell "
                        "WHERE kind IN ('paid', 'reversal', 'signed')"
                    )
                )
            }
        engine.dispose()
        return cells

    trellis_says(
        "init", "--demo", "--admin-email", "boss@example.com", "--admin-password", "horse battery"
    )
    kept = money_cells()
    assert {key.split("|")[0] for key in kept} >= {"paid", "signed"}  # the demo collected money
    trellis_says("db", "downgrade", "sales", "5a1e50000015")
    assert money_cells() == {}
    trellis_says("db", "upgrade")
    assert money_cells() == kept


def test_the_pages_two_tables_read_once_equal_the_report_by_month_and_by_owner(money_world):  # noqa: F811
    w = money_world
    for user in (w["admin"], w["boss"], w["wang"]):
        for start, end in PERIODS:
            assert reports.by_month_and_owner(user, start, end) == (
                reports.contracted_vs_collected(user, start, end, "month"),
                reports.contracted_vs_collected(user, start, end, "owner"),
            )
        assert reports.by_month_and_owner(user, *PERIODS[1], w["east"].id)[1] == (
            reports.contracted_vs_collected(user, *PERIODS[1], "owner", w["east"].id)
        )
    by_month, _by_owner = reports.by_month_and_owner(w["admin"], *PERIODS[1])
    assert {r["key"] for r in by_month} == {"2026-02", "2026-03", "2026-04"}
