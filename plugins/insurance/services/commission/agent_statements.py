"""Agents' monthly statements (佣金月结单): what each agent is owed for a
month, per currency — their commission (reversals of it included), the
overrides they earn as a team leader, and the clawbacks taken back.

A statement of month M gathers the agent's lines of months ≤ M that no
issued statement holds yet, so a line booked late (after M's statement
was issued) lands on the next month's. While a draft, it is rebuilt from
the lines (its sums replaced); building month M also drops the agent's
older drafts, whose lines M's now holds. Issuing it (``version`` read, 409
when stale) freezes it: its lines get ``agent_statement_id`` and its sums
are those lines' for good.

The job ``insurance.agent_statements`` runs daily and, on the 1st of a
month, builds last month's drafts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, func, select

from core.api import (
    StateError,
    User,
    audit,
    check_version,
    db,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import AgentStatement, CommissionLine
from ..terms import ZERO, today

_, _l = translator("insurance")

#: which sum of a statement each kind of line adds to
SUM_OF_KIND = {
    "commission": "commission",
    "reversal": "commission",
    "override": "overrides",
    "clawback": "clawbacks",
}


def open_lines(agent_id: int, currency: str, month: date) -> Select:
    """The agent's lines in ``currency`` of months ≤ ``month`` that no
    issued statement holds."""
    return select(CommissionLine).where(
        CommissionLine.agent_id == agent_id,
        CommissionLine.currency == currency,
        CommissionLine.month <= month,
        CommissionLine.agent_statement_id.is_(None),
    )


def statement_lines(statement: AgentStatement) -> list[CommissionLine]:
    """The lines of ``statement``: frozen ones once issued, the open ones of a draft."""
    if statement.status == "issued":
        query = select(CommissionLine).where(CommissionLine.agent_statement_id == statement.id)
    else:
        query = open_lines(statement.agent_id, statement.currency, statement.month)
    return list(db.session.scalars(query.order_by(CommissionLine.month, CommissionLine.id)))


def _sums(rows) -> dict[str, Decimal]:
    sums = {"commission": ZERO, "overrides": ZERO, "clawbacks": ZERO}
    for kind, amount in rows:
        sums[SUM_OF_KIND[kind]] += Decimal(amount or 0)
    return sums


def _fill(statement: AgentStatement, sums: dict[str, Decimal]) -> None:
    statement.commission = sums["commission"]
    statement.overrides = sums["overrides"]
    statement.clawbacks = sums["clawbacks"]
    statement.total = sums["commission"] + sums["overrides"] + sums["clawbacks"]


def build_agent_statements(month: date) -> int:
    """Draft (or redraft) each agent's statement of ``month`` (any day of it)
    from their open lines, per currency; returns how many drafts were
    written. An agent whose statement of the month is issued already is left
    alone: their late lines wait for the next month's."""
    month = month.replace(day=1)
    rows = db.session.execute(
        select(
            CommissionLine.agent_id,
            CommissionLine.currency,
            CommissionLine.kind,
            func.sum(CommissionLine.agent_amount),
        )
        .where(
            CommissionLine.agent_id.is_not(None),
            CommissionLine.month <= month,
            CommissionLine.agent_statement_id.is_(None),
        )
        .group_by(CommissionLine.agent_id, CommissionLine.currency, CommissionLine.kind)
    ).all()
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for agent_id, currency, kind, amount in rows:
        if agent_id is not None:  # the query leaves none out; for the type checker
            grouped[(agent_id, currency)].append((kind, amount))
    written = 0
    with transaction():
        existing = {
            (s.agent_id, s.currency): s
            for s in db.session.scalars(select(AgentStatement).where(AgentStatement.month == month))
        }
        for (agent_id, currency), sums in grouped.items():
            statement = existing.pop((agent_id, currency), None)
            if statement is not None and statement.status == "issued":
                continue
            if statement is None:
                statement = AgentStatement(
                    agent_id=agent_id,
                    month=month,
                    currency=currency,
                    status="draft",
                    team_id=db.session.scalar(select(User.team_id).where(User.id == agent_id)),
                )
                db.session.add(statement)
            _fill(statement, _sums(sums))
            db.session.execute(  # their lines are on this one now
                delete(AgentStatement).where(
                    AgentStatement.agent_id == agent_id,
                    AgentStatement.currency == currency,
                    AgentStatement.status == "draft",
                    AgentStatement.month < month,
                )
            )
            written += 1
        for statement in existing.values():  # drafts whose lines an earlier issue took
            if statement.status == "draft":
                db.session.delete(statement)
        db.session.flush()
    return written


def issue_statement(
    statement: AgentStatement, actor: User | None, expected_version: int | None = None
) -> AgentStatement:
    """Freeze a draft: its open lines become its own, its sums theirs."""
    check_version(statement, expected_version)
    if statement.status != "draft":
        raise StateError({"status": [_("this statement was issued already")]})
    with transaction():
        before = snapshot(statement)
        lines = statement_lines(statement)
        _fill(statement, _sums((line.kind, line.agent_amount) for line in lines))
        statement.status, statement.issued_at = "issued", utcnow()
        db.session.flush()
        for line in lines:
            line.agent_statement_id = statement.id
        audit(actor, statement, "issue", before, snapshot(statement))
    return statement


def run_agent_statements_job(month: str | None = None) -> int:
    """The daily job: on the 1st, last month's drafts (``month``
    ``YYYY-MM`` builds that month's whenever run by hand)."""
    if month:
        year, number = (int(part) for part in month.split("-")[:2])
        return build_agent_statements(date(year, number, 1))
    day = today()
    if day.day != 1:
        return 0
    return build_agent_statements((day - timedelta(days=1)).replace(day=1))
