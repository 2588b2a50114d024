"""The insurance benchmark's loader (bench/insurance_data.py) at a small
scale: what it writes agrees as the plugin's services keep it — instalments
add up to their term, payments to their instalments, the dues
(``next_due_on``, ``paid_to_date``, ``grace_ends_on``) are what
``schedule.refresh_dues`` and the arrears job make of them, the copied
columns are the policy's, commission lines and statements add up, claims
are the sum of their events — the indexes it set aside are back, and the
nightly job finds exactly the terms the loader meant it to (then nothing
more). On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

TERMS, CLAIMS = 3_000, 600
CENT = Decimal("0.01")


@pytest.fixture
def loaded(app):
    """600 customers and 3,000 policy terms in the test database (emptied
    after the test as every test's is; the loader puts back the indexes it
    drops)."""
    from bench.insurance_data import load_insurance
    from bench.load import load
    from core.extensions import db

    before = schema_objects(db)
    load(TERMS // 5, contacts_each=0, activities_each=0, timeline=0, progress=False)
    counts = load_insurance(TERMS, CLAIMS, say=lambda _s: None)
    yield counts, before, schema_objects(db)
    db.session.remove()


def schema_objects(db) -> set[str]:
    """Names of the indexes, triggers and foreign keys on the loaded tables."""
    from bench.insurance_data import TABLES

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


def test_the_insurance_data_set_adds_up(loaded):
    """One load (most of the time is the migrations), every check on it."""
    counts, before, after = loaded
    assert after == before and after  # every index and foreign key set aside is back
    policies = policies_agree(counts)
    premiums_agree(policies)
    the_grace_list_is_every_overdue_instalment_of_a_term_in_grace(policies)
    commission_agrees()
    claims_agree(counts)
    report_cells_agree()
    the_nightly_job_finds_what_was_meant(counts)


def policies_agree(counts: dict) -> dict:
    from core.api import db
    from plugins.insurance.models import InsuranceProduct, Policy, PolicyTransaction
    from plugins.insurance.services.terms import today

    on = today()
    policies = {p.id: p for p in db.session.scalars(select(Policy))}
    assert counts["insurance_policy"] == len(policies) >= TERMS
    assert len(policies) < TERMS + 10  # the last chain may run a few terms over
    statuses: dict[str, int] = defaultdict(int)
    for policy in policies.values():
        statuses[policy.status] += 1
    assert statuses["in_force"] > 0.15 * len(policies)
    assert {"grace", "lapsed", "cancelled", "expired", "renewed"} <= set(statuses)
    assert sum(p.term_no == 1 for p in policies.values()) > 0.4 * len(policies)
    # renewal chains: the same number, the next term, from the day after the predecessor's end
    for policy in policies.values():
        if policy.predecessor_id is not None:
            before = policies[policy.predecessor_id]
            assert before.status == "renewed" and before.number == policy.number
            assert policy.term_no == before.term_no + 1
            assert policy.start_date == before.end_date + timedelta(days=1)
    live = [p for p in policies.values() if p.status in ("in_force", "grace") and p.end_date >= on]
    window = [p for p in live if p.end_date <= on + timedelta(days=30)]
    assert 0.005 * len(policies) < len(window) < 0.04 * len(policies)
    grace = [p for p in policies.values() if p.status == "grace"]
    assert 0.004 * len(policies) < len(grace) < 0.02 * len(policies)
    products = {p.id: p for p in db.session.scalars(select(InsuranceProduct))}
    for policy in grace:  # the grace period runs from the oldest unpaid instalment
        grace_days = products[policy.product_id].grace_days
        assert policy.next_due_on is not None and policy.next_due_on < on
        assert policy.grace_ends_on == policy.next_due_on + timedelta(days=grace_days)
    # transactions: the term's own first, the copied columns the policy's
    first: dict[int, PolicyTransaction] = {}
    for row in db.session.scalars(select(PolicyTransaction).order_by(PolicyTransaction.seq)):
        policy = policies[row.policy_id]
        copied = (row.customer_id, row.agent_id, row.team_id, row.carrier_id, row.product_id)
        assert copied == (
            policy.customer_id,
            policy.agent_id,
            policy.team_id,
            policy.carrier_id,
            policy.product_id,
        )
        first.setdefault(row.policy_id, row)
        if row.kind == "lapse":
            assert row.premium_delta < 0
    assert set(first) == set(policies)
    for policy_id, row in first.items():
        policy = policies[policy_id]
        assert row.seq == 1 and row.premium_delta == policy.term_premium
        assert row.kind == ("new_business" if policy.term_no == 1 else "renewal")
    return policies


def premiums_agree(policies: dict) -> None:
    from core.api import db
    from plugins.insurance.models import PremiumInstalment, PremiumPayment
    from plugins.insurance.services.premiums import schedule

    by_policy: dict[int, list[PremiumInstalment]] = defaultdict(list)
    for item in db.session.scalars(select(PremiumInstalment).order_by(PremiumInstalment.seq)):
        by_policy[item.policy_id].append(item)
    assert abs(sum(map(len, by_policy.values())) - 5 * len(policies)) < 0.6 * len(policies)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for payment in db.session.scalars(select(PremiumPayment)):
        policy = policies[payment.policy_id]
        assert (payment.customer_id, payment.agent_id, payment.team_id) == (
            policy.customer_id,
            policy.agent_id,
            policy.team_id,
        )
        if payment.instalment_id is None:  # a refund: a cancelled term's
            assert payment.amount < 0 and policy.status == "cancelled"
        else:
            paid[payment.instalment_id] += payment.amount
    for policy_id, items in by_policy.items():
        policy = policies[policy_id]
        total = sum(item.amount for item in items)
        if policy.status == "cancelled":  # closed at what was paid
            assert total <= policy.term_premium
            assert all(item.settled_on is not None for item in items)
        else:
            assert total == policy.term_premium, policy_id
        for item in items:
            assert item.paid == paid[item.id] <= item.amount
            assert (item.currency, item.customer_id, item.agent_id) == (
                policy.currency,
                policy.customer_id,
                policy.agent_id,
            )
            if policy.status != "cancelled":
                assert (item.settled_on is not None) == (item.paid == item.amount)
        # the dues are what the schedule service makes of the instalments
        kept = (policy.next_due_on, policy.paid_to_date)
        schedule.refresh_dues(policy, items)
        assert (policy.next_due_on, policy.paid_to_date) == kept, policy_id
    db.session.rollback()


def the_grace_list_is_every_overdue_instalment_of_a_term_in_grace(policies: dict) -> None:
    """``narrow_instalments(status=grace)`` (the API's grace list) against the rows."""
    from core.api import db
    from plugins.insurance.models import PremiumInstalment
    from plugins.insurance.services.premiums.queries import narrow_instalments
    from plugins.insurance.services.terms import today

    on = today()
    listed = set(
        db.session.scalars(
            narrow_instalments(select(PremiumInstalment.id), {"status": "grace"}, on)
        )
    )
    meant = {
        item.id
        for item in db.session.scalars(select(PremiumInstalment))
        if item.settled_on is None
        and item.due_on < on
        and policies[item.policy_id].status == "grace"
    }
    assert listed == meant and len(meant) >= sum(p.status == "grace" for p in policies.values())


def report_cells_agree() -> None:
    """The loader rebuilt the report cells (earned, incurred, persistency
    cohorts): each is what its rows add up to."""
    from core.api import db
    from plugins.insurance.models import ReportCell
    from plugins.insurance.services import report_cells

    kept = {
        key: (parts, cents)
        for key, parts, cents in db.session.execute(
            select(ReportCell.key, ReportCell.parts, ReportCell.cents)
        )
    }
    recounted = {}
    for kind in report_cells.KEPT:
        cells = kind.contributions(db.session.execute(kind.query()))
        recounted |= {report_cells.cell_key(k): (p, c) for k, (p, c) in cells.items() if p}
    assert kept == recounted
    assert {key.split("|")[0][:6] for key in kept} == {"earned", "incurr", "cohort"}


def half_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def commission_agrees() -> None:
    from core.api import db
    from plugins.insurance.models import (
        AgentStatement,
        CommissionLine,
        InsuranceCommissionRule,
        PremiumPayment,
    )

    rules = {r.product_id: r for r in db.session.scalars(select(InsuranceCommissionRule))}
    payments = {p.id: p for p in db.session.scalars(select(PremiumPayment))}
    lines = list(db.session.scalars(select(CommissionLine)))
    assert lines
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.agent_statement_id is not None:
            sums[line.agent_statement_id] += line.agent_amount
        if line.kind == "clawback":
            assert line.agent_amount < 0 and line.payment_id is None
            continue
        assert line.payment_id is not None
        payment = payments[line.payment_id]
        rule = rules[line.product_id]
        assert line.premium == payment.amount and line.month == payment.paid_on.replace(day=1)
        assert line.rate == (rule.first_year_rate if line.term_no == 1 else rule.renewal_rate)
        if line.kind == "commission":
            assert line.expected == half_up(payment.amount * line.rate)
            assert line.agent_amount == half_up(line.expected * rule.agent_share)
    statements = list(db.session.scalars(select(AgentStatement)))
    assert statements and all(s.status == "issued" for s in statements)
    for statement in statements:
        assert statement.total == sums[statement.id]
        assert statement.total == statement.commission + statement.overrides + statement.clawbacks


def claims_agree(counts: dict) -> None:
    from core.api import db
    from plugins.insurance.models import Claim, ClaimEvent, Policy

    claims = {c.id: c for c in db.session.scalars(select(Claim))}
    assert 0.8 * CLAIMS < len(claims) < 1.2 * CLAIMS
    reserve: dict[int, Decimal] = defaultdict(Decimal)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    last: dict[int, ClaimEvent] = {}
    for event in db.session.scalars(select(ClaimEvent).order_by(ClaimEvent.seq)):
        reserve[event.claim_id] += event.reserve_delta
        paid[event.claim_id] += event.paid_delta
        last[event.claim_id] = event
    policies = {
        p.id: p
        for p in db.session.scalars(
            select(Policy).where(Policy.id.in_({c.policy_id for c in claims.values()}))
        )  # fmt: skip
    }
    statuses = set()
    for claim_id, claim in claims.items():
        statuses.add(claim.status)
        assert claim.reserve == reserve[claim_id] >= 0
        assert claim.paid_amount == paid[claim_id]
        assert last[claim_id].to_status == claim.status
        policy = policies[claim.policy_id]
        assert policy.start_date <= claim.loss_date <= policy.end_date
        assert (claim.customer_id, claim.agent_id) == (policy.customer_id, policy.agent_id)
    assert {"closed", "paid", "assessing"} <= statuses


def the_nightly_job_finds_what_was_meant(counts: dict) -> None:
    from core.api import db
    from plugins.insurance.services.premiums.arrears import run_arrears
    from plugins.insurance.services.terms import today

    roles = counts["roles"]
    assert roles["enter"] and roles["lapse"]
    first = run_arrears(today())
    db.session.commit()
    assert first["graced"] == roles["enter"]
    assert first["lapsed"] == roles["lapse"]
    assert first["expired"] > 0  # the terms that ended yesterday unrenewed
    again = run_arrears(today())
    assert again == {"graced": 0, "lapsed": 0, "expired": 0, "quotes": 0}
