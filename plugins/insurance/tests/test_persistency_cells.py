"""Persistency's cohort cells (``report_cells.cohort``): kept in the same
transaction as issuing, the daily job's marks (a bulk ``UPDATE``), a
cancellation in the cooling-off period, a transfer and a purge — always
equal to the cells added up again from the terms, and left alone by the
updates that change nothing they count; the migration's backfill adds up
the same cells; and the report read from the cells (the month a horizon is
reached part way read from the terms) equals the figures worked out row by
row for an admin, a manager and each agent, over periods that cross the
13- and 25-month edges, also with a customer in the recycle bin and one
moved out of sight."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, event, select, update

from core.api import Customer, add_months, db
from plugins.insurance.models import Policy, ReportCell
from plugins.insurance.services import report_cells
from plugins.insurance.services.persistency import mark_persistency
from plugins.insurance.services.policies.cancellation import cancel
from plugins.insurance.services.records import purge_records, transfer_records
from plugins.insurance.services.report_cells.cohort import COHORT, KINDS, marks
from plugins.insurance.services.reports.period import Period, month_of
from plugins.insurance.services.reports.persistency import persistency
from plugins.insurance.services.terms import today

from .factories import make_issued_policy
from .policy_fixtures import book  # noqa: F401
from .report_fixtures import fixed_book  # noqa: F401
from .test_reports_persistency_sql import _by_rows

persistency_module = import_module("plugins.insurance.services.reports.persistency")
MIGRATION = (
    Path(__file__).resolve().parents[1] / "migrations" / "versions" / "1a5000000008_persistency.py"
)


def cohort_cells() -> dict[str, tuple[int, int]]:
    """The cohort cells as they stand: ``{key: (parts, cents)}``."""
    return {
        key: (parts, cents)
        for key, parts, cents in db.session.execute(
            select(ReportCell.key, ReportCell.parts, ReportCell.cents).where(
                ReportCell.kind.in_(KINDS)
            )
        )
    }


def recounted() -> dict[str, tuple[int, int]]:
    """The cohort cells added up again from every term."""
    cells = COHORT.contributions(db.session.execute(COHORT.query()))
    return {report_cells.cell_key(k): (p, c) for k, (p, c) in cells.items() if p}


def in_step() -> dict[str, tuple[int, int]]:
    db.session.flush()
    cells = cohort_cells()
    assert cells == recounted()
    return cells


def by_kind(cells: dict) -> dict[str, tuple[int, int]]:
    """``{kind: (terms, cents)}`` over every month and dimension."""
    found: dict[str, tuple[int, int]] = {}
    for key, (parts, cents) in cells.items():
        kind = key.split("|")[0]
        terms, total = found.get(kind, (0, 0))
        found[kind] = (terms + parts, total + cents)
    return found


def test_the_kinds_carry_the_marks():
    assert len(KINDS) == 9
    assert marks("cohort+-") == (True, False)
    assert marks("cohort??") == (None, None)
    assert marks("cohort-?") == (False, None)


def test_issue_the_job_a_cancellation_a_transfer_and_a_purge_keep_the_cells(book):  # noqa: F811
    """Two first terms of 1,200.00 and 2,400.00 from 26 months ago and a
    renewal term (not a cohort's): the job marks both at 13 and 25 months
    (neither is live: not kept); a term cancelled in its cooling-off
    period leaves its cohort; Ann's book moves to Bob; a purge takes
    Harbour's terms off."""
    day = today()
    start = add_months(day, -26)
    first = make_issued_policy(book.harbour, book.ann, "P-C1", start)
    make_issued_policy(book.elsewhere, book.bob, "P-C2", start, premium="2400.00")
    make_issued_policy(book.harbour, book.ann, "P-C1", add_months(start, 12), term_no=2)
    db.session.commit()
    assert by_kind(in_step()) == {"cohort??": (2, 360_000)}
    assert mark_persistency(day) == {"p13": 2, "p25": 2}
    db.session.commit()
    marked = by_kind(in_step())
    assert "cohort??" not in marked and sum(n for n, _c in marked.values()) == 2
    fresh = make_issued_policy(
        book.harbour, book.ann, "P-C3", day - timedelta(5), cooling_off_ends_on=day + timedelta(10)
    )
    db.session.commit()
    assert by_kind(in_step()) == {**marked, "cohort??": (1, 120_000)}
    cancel(fresh, book.meg, effective_on=day, reason="changed their mind")
    db.session.commit()
    assert db.session.get(Policy, fresh.id).cancelled_on is not None
    assert by_kind(in_step()) == marked
    transfer_records(book.ann.id, book.bob.id)  # bulk UPDATE of the agent (moving states)
    db.session.commit()
    cells = in_step()
    first = db.session.get(Policy, first.id)
    owners = {key.split("|")[6] for key in cells}
    assert str(first.agent_id) in owners
    purge_records(book.harbour.id)  # bulk DELETE of Harbour's terms
    db.session.commit()
    assert sum(c for _n, c in by_kind(in_step()).values()) == 240_000


def test_what_the_cells_do_not_count_is_not_read(book):  # noqa: F811
    """A term's status or paid-to date, in a flush or a bulk UPDATE, does not
    move its cells: no cell is read or written for it."""
    policy = make_issued_policy(book.harbour, book.ann, "P-S1", today() - timedelta(40))
    db.session.commit()
    cells = in_step()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        policy.paid_to_date = today()
        db.session.flush()
        db.session.execute(update(Policy).where(Policy.id == policy.id).values(status="grace"))
        db.session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements, "the updates ran"
    assert not [s for s in statements if "insurance_report_cell" in s]
    db.session.commit()
    assert in_step() == cells
    db.session.execute(update(Policy).where(Policy.id == policy.id).values(p13=True))
    db.session.commit()
    assert by_kind(in_step()) == {"cohort+?": (1, 120_000)}


def test_the_migration_adds_up_the_existing_terms(fixed_book):  # noqa: F811
    cells = in_step()
    assert cells, "the fixed book has cohorts"
    db.session.execute(delete(ReportCell).where(ReportCell.kind.in_(KINDS)))
    assert cohort_cells() == {}
    spec = importlib.util.spec_from_file_location("persistency_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    context = MigrationContext.configure(db.session.connection())
    with Operations.context(context):
        migration._add_up_existing_terms()
    db.session.expire_all()
    assert cohort_cells() == cells
    db.session.rollback()


def _book_cases(fixed_book) -> list:  # noqa: F811
    users = [fixed_book.admin, fixed_book.meg, fixed_book.ann, fixed_book.bob]
    return [(user, currency) for user in users for currency in (None, "USD")]


@pytest.mark.parametrize("group_by", ["month", "agent"])
def test_the_report_from_the_cells_equals_the_rows(fixed_book, monkeypatch, group_by):  # noqa: F811
    """Over five years and over the quarter around each edge (the month in
    which 13 or 25 months are reached part way, read from the terms), on
    days that put the edges inside the fixed book's cohorts (inception
    2023-2024), the same figures as row by row — also with Bob's customer
    in the recycle bin and Ann's customer moved to Bob."""
    pending = make_issued_policy(
        db.session.get(Customer, fixed_book.p[1].customer_id),
        fixed_book.ann,
        "P-PEND",
        date(2024, 2, 10),
        team_id=fixed_book.ann.team_id,
    )  # reached, not marked: pending
    db.session.commit()
    assert pending.p13 is None
    days = [date(2025, 2, 14), date(2026, 2, 28), date(2025, 3, 31)]

    def same() -> list[dict]:
        found = []
        for on in days:
            monkeypatch.setattr(persistency_module, "today", lambda on=on: on)
            edges = [month_of(add_months(on, -n)) for n in (13, 25)]
            periods = [Period(date(2022, 1, 1), date(2026, 12, 31))] + [
                Period(add_months(edge, -1), add_months(edge, 2) - timedelta(days=1))
                for edge in edges
            ]
            for user, currency in _book_cases(fixed_book):
                for period in periods:
                    figures = persistency(user, period, group_by, currency)
                    assert figures["rows"] == _by_rows(user, period, group_by, currency)["rows"]
                    found.append(figures)
        return found

    first = same()
    assert any(row["p13_count"] for figures in first for row in figures["rows"])
    harbour = db.session.get(Customer, fixed_book.p[1].customer_id)
    elsewhere = db.session.get(Customer, fixed_book.p[9].customer_id)
    elsewhere.deleted_at = datetime.now(UTC)  # in the recycle bin
    db.session.commit()
    assert same() != first
    elsewhere.deleted_at = None
    harbour.owner_id, harbour.team_id = fixed_book.bob.id, fixed_book.bob.team_id
    db.session.commit()
    assert same() != first
    monkeypatch.setattr(persistency_module, "today", lambda: days[0])
    period = Period(date(2022, 1, 1), date(2026, 12, 31))
    assert persistency(fixed_book.meg, period, group_by)["rows"] == []  # Ann's are out of sight


def test_the_report_reads_the_cells(fixed_book, monkeypatch):  # noqa: F811
    """Outside the edge months the figures are the cells': emptied, the
    report counts nothing there."""
    monkeypatch.setattr(persistency_module, "today", lambda: date(2026, 12, 1))
    period = Period(date(2023, 1, 1), date(2024, 12, 31))
    before = persistency(fixed_book.admin, period)["totals"]
    assert any(t["p13_count"] for t in before)
    db.session.execute(
        update(ReportCell).where(ReportCell.kind.in_(KINDS)).values(parts=0, cents=0)
    )
    after = persistency(fixed_book.admin, period)
    assert after["rows"] == [] and after["totals"] == []
    db.session.rollback()


def test_a_rollback_takes_the_cells_back(book):  # noqa: F811
    """A new premium moves the cells in the flush; rolled back, they are as
    they were."""
    policy = make_issued_policy(book.harbour, book.ann, "P-F1", today() - timedelta(40))
    db.session.commit()
    policy.annual_premium = Decimal("1300.00")
    db.session.flush()
    assert by_kind(in_step()) == {"cohort??": (1, 130_000)}
    db.session.rollback()
    assert by_kind(in_step()) == {"cohort??": (1, 120_000)}
