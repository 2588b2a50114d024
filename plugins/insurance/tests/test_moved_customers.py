"""The moved customers (``report_cells.moved``): kept in the same
transaction as issuing, a customer moved to another rep and back, a
transfer's and a merge's bulk ``UPDATE`` — always the customers whose
terms, transactions or claims another agent or team holds, as read again
from every record; the migration's backfill finds the same; and a term an
agent of the manager's team sold to a customer out of the manager's sight
is taken off the manager's and the agent's persistency and loss ratio, as
row by row."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, select

from core.api import Customer, db
from plugins.insurance.models import Claim, MovedCustomer, Policy, PolicyTransaction
from plugins.insurance.services.records import merge_records, transfer_records
from plugins.insurance.services.report_cells import moved
from plugins.insurance.services.reports.claims import incurred_from_cells, incurred_from_events
from plugins.insurance.services.reports.period import Period
from plugins.insurance.services.reports.persistency import persistency
from plugins.insurance.services.reports.premium import earned_from_cells, earned_from_transactions
from plugins.insurance.services.terms import today

from .factories import make_issued_policy
from .policy_fixtures import book  # noqa: F401
from .report_fixtures import fixed_book  # noqa: F401
from .test_reports_persistency_sql import _by_rows

persistency_module = import_module("plugins.insurance.services.reports.persistency")
MIGRATION = (
    Path(__file__).resolve().parents[1]
    / "migrations"
    / "versions"
    / "1a5000000011_moved_customers.py"
)


def kept() -> set[tuple]:
    """The rows as they stand: ``{(customer, agent, team)}``."""
    table = MovedCustomer
    return set(db.session.execute(select(table.customer_id, table.agent_id, table.team_id)).all())


def apart() -> set[tuple]:
    """Read again in Python from every record and customer."""
    owners = {c.id: (c.owner_id, c.team_id) for c in db.session.scalars(select(Customer))}
    found = set()
    for model in (Policy, PolicyTransaction, Claim):
        for customer, agent, team in db.session.execute(
            select(model.customer_id, model.agent_id, model.team_id)
        ):
            if owners[customer] != (agent, team):
                found.add((customer, agent, team))
    return found


def in_step() -> set[tuple]:
    db.session.flush()
    rows = kept()
    assert rows == apart()
    return rows


def test_issue_a_move_a_transfer_and_a_merge_keep_the_moved_customers(book):  # noqa: F811
    harbour, elsewhere, ann, bob = book.harbour, book.elsewhere, book.ann, book.bob
    harbour.team_id = ann.team_id  # Ann's customer, on Ann's team
    db.session.commit()
    make_issued_policy(harbour, ann, "P-M1", today() - timedelta(30))
    db.session.commit()
    assert in_step() == set()  # Ann's term of Ann's customer
    harbour.owner_id, harbour.team_id = bob.id, bob.team_id  # moved to Bob
    db.session.commit()
    assert in_step() == {(harbour.id, ann.id, ann.team_id)}
    harbour.owner_id, harbour.team_id = ann.id, ann.team_id  # and back
    db.session.commit()
    assert in_step() == set()
    make_issued_policy(elsewhere, ann, "P-M2", today() - timedelta(20))  # Bob's customer
    db.session.commit()
    assert in_step() == {(elsewhere.id, ann.id, ann.team_id)}
    transfer_records(ann.id, bob.id)  # bulk UPDATE of the terms' agent, not their team
    db.session.commit()
    rows = in_step()
    assert (harbour.id, bob.id, ann.team_id) in rows
    assert (elsewhere.id, bob.id, ann.team_id) in rows
    merge_records(harbour.id, elsewhere.id)  # bulk UPDATE of the customer
    db.session.commit()
    rows = in_step()
    assert {customer for customer, _a, _t in rows} == {harbour.id}
    db.session.rollback()


def test_a_rollback_takes_the_rows_back(book):  # noqa: F811
    make_issued_policy(book.elsewhere, book.ann, "P-M3", today() - timedelta(10))
    db.session.commit()
    before = in_step()
    assert before
    book.elsewhere.owner_id = book.ann.id
    book.elsewhere.team_id = book.ann.team_id
    db.session.flush()
    assert in_step() != before
    db.session.rollback()
    assert in_step() == before


def test_the_migration_and_the_rebuild_find_the_same_rows(fixed_book):  # noqa: F811
    harbour = db.session.get(Customer, fixed_book.p[1].customer_id)
    harbour.owner_id, harbour.team_id = fixed_book.bob.id, fixed_book.bob.team_id
    db.session.commit()
    rows = in_step()
    assert rows
    db.session.execute(delete(MovedCustomer))
    assert kept() == set()
    spec = importlib.util.spec_from_file_location("moved_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    context = MigrationContext.configure(db.session.connection())
    with Operations.context(context):
        migration._add_existing_records()
    assert kept() == rows
    assert moved.rebuild() == len(rows)
    assert kept() == rows
    db.session.rollback()


def test_a_term_sold_to_a_customer_out_of_sight_is_taken_off(fixed_book, monkeypatch):  # noqa: F811
    """Ann (Meg's team) sells a term to Bob's customer (Marine team): the
    cells count it for Ann and her team, but neither Ann nor Meg sees the
    customer — their reports leave it out, as row by row; an admin counts
    it."""
    monkeypatch.setattr(persistency_module, "today", lambda: date(2026, 2, 28))
    customer = db.session.get(Customer, fixed_book.p[9].customer_id)  # Bob's
    period = Period(date(2022, 1, 1), date(2026, 12, 31))
    before = persistency(fixed_book.admin, period)["totals"]
    make_issued_policy(customer, fixed_book.ann, "P-AWAY", date(2024, 2, 10), premium="3660.00")
    db.session.commit()
    assert (customer.id, fixed_book.ann.id, fixed_book.ann.team_id) in in_step()
    assert persistency(fixed_book.admin, period)["totals"] != before
    for user in (fixed_book.admin, fixed_book.meg, fixed_book.ann, fixed_book.bob):
        for currency in (None, "CNY"):
            for group_by in ("month", "agent"):
                figures = persistency(user, period, group_by, currency)
                assert figures["rows"] == _by_rows(user, period, group_by, currency)["rows"]
                earned = earned_from_cells(user, period, group_by, currency)
                assert earned == earned_from_transactions(user, period, group_by, currency)
                spent = incurred_from_cells(user, period, group_by, currency)
                assert spent == incurred_from_events(user, period, group_by, currency)
