"""The money benchmark's loader (bench/money_data.py) at a small scale: the
sums it writes agree as the receivables service keeps them (instalments add
up to their contract, ``collected`` is the confirmed payments), the
approvals wait where the engine would have put them, and the indexes it set
aside are back — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

CONTRACTS = 1_000


@pytest.fixture
def loaded(app):
    """100 customers and 1,000 contracts in the test database (emptied after
    the test as every test's is; the loader puts back the indexes it drops)."""
    from bench.load import load
    from bench.money_data import load_money
    from core.extensions import db

    before = schema_objects(db)
    load(CONTRACTS // 10, contacts_each=0, activities_each=0, timeline=0, progress=False)
    counts = load_money(CONTRACTS, say=lambda _s: None)
    yield counts, before, schema_objects(db)
    db.session.remove()


def schema_objects(db) -> set[str]:
    """Names of the indexes, triggers and foreign keys on the loaded tables."""
    from bench.money_data import TABLES

    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            sql = (
                "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%(t)s) UNION ALL "
                "SELECT conname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                "WHERE c.contype = 'f' AND r.relname = ANY(%(t)s)"
            )
            return {row[0] for row in conn.exec_driver_sql(sql, {"t": list(TABLES)})}
        marks = ", ".join("?" * len(TABLES))
        sql = (
            "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({marks})"
        )
        return {row[0] for row in conn.exec_driver_sql(sql, tuple(TABLES))}


def test_the_money_data_set_adds_up(loaded):
    """One load (most of the time is the migrations), both checks on it."""
    counts, before, after = loaded
    assert after == before  # every index, trigger and foreign key set aside is back
    sums_agree(counts)
    approvals_wait_where_the_engine_would_put_them(counts)


def sums_agree(counts: dict) -> None:
    from core.api import db
    from plugins.sales.models import Contract, Instalment, Payment

    assert counts["contracts"] == CONTRACTS and counts["instalments"] == 5 * CONTRACTS
    assert abs(counts["payments"] - 4 * CONTRACTS) < 0.05 * 4 * CONTRACTS

    contracts = {c.id: c for c in db.session.scalars(select(Contract))}
    instalments = list(db.session.scalars(select(Instalment)))
    payments = list(db.session.scalars(select(Payment)))
    assert len(contracts) == CONTRACTS and len(payments) == counts["payments"]

    planned: dict[int, Decimal] = defaultdict(Decimal)
    for item in instalments:
        contract = contracts[item.contract_id]
        planned[item.contract_id] += item.amount
        copied = (item.customer_id, item.owner_id, item.team_id, item.currency)
        assert copied == (
            contract.customer_id,
            contract.owner_id,
            contract.team_id,
            contract.currency,
        )
    assert all(planned[i] == c.amount for i, c in contracts.items())

    confirmed: dict[int, Decimal] = defaultdict(Decimal)  # by instalment
    by_contract: dict[int, Decimal] = defaultdict(Decimal)
    statuses: dict[str, int] = defaultdict(int)
    for payment in payments:
        statuses[payment.status] += 1
        if payment.status == "confirmed":  # reversed, pending and rejected ones do not count
            confirmed[payment.instalment_id] += payment.amount
            by_contract[payment.contract_id] += payment.amount
    for item in instalments:
        assert item.collected == confirmed[item.id], item.id
        assert item.collected <= item.amount
        assert (item.settled_on is not None) == (item.collected == item.amount), item.id
    assert all(c.collected == by_contract[i] for i, c in contracts.items())
    assert statuses["confirmed"] > 0.85 * len(payments)
    assert statuses["pending"] and statuses["reversed"]

    today = datetime.now(UTC).date()
    overdue = [i for i in instalments if i.settled_on is None and i.due_date < today]
    partly = [i for i in overdue if 0 < i.collected]
    settled = [i for i in instalments if i.settled_on is not None]
    assert 0.03 * len(instalments) < len(overdue) < 0.25 * len(instalments)
    assert partly and 0.5 * len(instalments) < len(settled) < 0.95 * len(instalments)
    cny = sum(c.currency == "CNY" for c in contracts.values())
    assert cny > 0.8 * CONTRACTS
    assert {"draft", "pending", "active", "completed"} <= {c.status for c in contracts.values()}


def approvals_wait_where_the_engine_would_put_them(counts: dict) -> None:
    from bench.load import BENCH_EMAIL
    from core.api import ApprovalRequest, User, db
    from core.models import ApprovalTask
    from plugins.sales.models import Contract, Payment

    requests = list(db.session.scalars(select(ApprovalRequest)))
    assert len(requests) == counts["requests"] == CONTRACTS // 2
    pending = {(r.record_type, r.record_id) for r in requests if r.status == "pending"}
    waiting_contracts = set(
        db.session.scalars(select(Contract.id).where(Contract.status == "pending"))
    )
    waiting_payments = set(
        db.session.scalars(select(Payment.id).where(Payment.status == "pending"))
    )
    assert waiting_contracts and waiting_payments
    assert pending == {("sales.contract", i) for i in waiting_contracts} | {
        ("sales.payment", i) for i in waiting_payments
    }
    contract_ids = set(db.session.scalars(select(Contract.id)))
    payment_ids = set(db.session.scalars(select(Payment.id)))
    waiting_at: dict[int, list[int]] = defaultdict(list)  # request id -> waiting positions
    for request_id, position in db.session.execute(
        select(ApprovalTask.request_id, ApprovalTask.position).where(
            ApprovalTask.status == "waiting"
        )
    ):
        waiting_at[request_id].append(position)
    for r in requests:
        assert r.record_id in (contract_ids if r.record_type == "sales.contract" else payment_ids)
        waiting = waiting_at[r.id]
        if r.status == "pending":  # one approver waits, at the request's step
            assert waiting == [r.position] and r.decided_at is None
        else:
            assert not waiting and r.decided_at is not None
    manager = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
    inbox = select(func.count()).where(
        ApprovalTask.approver_id == manager.id, ApprovalTask.status == "waiting"
    )
    assert db.session.scalar(inbox) > 0
