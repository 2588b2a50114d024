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
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, func, select, tuple_, update

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
from ...models.commission import LINE_KINDS
from ..terms import ZERO, today

_, _l = translator("insurance")

#: which sum of a statement each kind of line adds to
SUM_OF_KIND = {
    "commission": "commission",
    "reversal": "commission",
    "override": "overrides",
    "clawback": "clawbacks",
}


def _open(agent_id: int, currency: str, month: date) -> tuple:
    return (
        CommissionLine.agent_id == agent_id,
        CommissionLine.currency == currency,
        CommissionLine.month <= month,
        CommissionLine.agent_statement_id.is_(None),
    )


def open_lines(agent_id: int, currency: str, month: date) -> Select:
    """The agent's lines in ``currency`` of months ≤ ``month`` that no
    issued statement holds."""
    return select(CommissionLine).where(*_open(agent_id, currency, month))


def lines_of(statement: AgentStatement) -> Select:
    """The lines of ``statement``, unordered: frozen ones once issued, the
    open ones of a draft. An issued statement's lines are the agent's of
    months ≤ its month, said so that the agent's index finds them (no index
    holds ``agent_statement_id`` itself)."""
    if statement.status != "issued":
        return open_lines(statement.agent_id, statement.currency, statement.month)
    return select(CommissionLine).where(
        CommissionLine.agent_id == statement.agent_id,
        CommissionLine.month <= statement.month,
        CommissionLine.agent_statement_id == statement.id,
    )


@dataclass(frozen=True)
class Subtotal:
    """A kind of line on a statement: how many, and their sum."""

    kind: str
    lines: int
    amount: Decimal


def subtotals(statement: AgentStatement) -> list[Subtotal]:
    """The statement's lines per kind (in :data:`LINE_KINDS` order), summed
    in SQL over all of them — what a page of its lines cannot tell."""
    rows = db.session.execute(
        lines_of(statement)
        .with_only_columns(CommissionLine.kind, func.count(), func.sum(CommissionLine.agent_amount))
        .group_by(CommissionLine.kind)
    ).all()
    found = {kind: Subtotal(kind, count, Decimal(amount or 0)) for kind, count, amount in rows}
    return [found[kind] for kind in LINE_KINDS if kind in found]


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


def _open_sums(month: date) -> dict[tuple[int, str], list]:
    """Every agent's open lines of months ≤ ``month`` summed per currency and
    kind: ``{(agent_id, currency): [(kind, sum), …]}``. Both databases find
    them through the partial index of open lines (``month``, ``agent_id``
    where ``agent_statement_id IS NULL``), not among all the lines."""
    rows = db.session.execute(
        select(
            CommissionLine.agent_id,
            CommissionLine.currency,
            CommissionLine.kind,
            func.sum(CommissionLine.agent_amount),
        )
        .where(
            CommissionLine.month <= month,
            CommissionLine.agent_statement_id.is_(None),
            CommissionLine.agent_id.is_not(None),
        )
        .group_by(CommissionLine.agent_id, CommissionLine.currency, CommissionLine.kind)
    ).all()
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for agent_id, currency, kind, amount in rows:
        if agent_id is not None:  # the query leaves none out; for the type checker
            grouped[(agent_id, currency)].append((kind, amount))
    return grouped


def build_agent_statements(month: date) -> int:
    """Draft (or redraft) each agent's statement of ``month`` (any day of it)
    from their open lines, per currency; returns how many drafts were
    written. An agent whose statement of the month is issued already is left
    alone: their late lines wait for the next month's."""
    month = month.replace(day=1)
    grouped = _open_sums(month)
    written: list[tuple[int, str]] = []
    with transaction():
        existing = {
            (s.agent_id, s.currency): s
            for s in db.session.scalars(select(AgentStatement).where(AgentStatement.month == month))
        }
        new = {agent_id for agent_id, currency in grouped if (agent_id, currency) not in existing}
        teams = dict(
            db.session.execute(select(User.id, User.team_id).where(User.id.in_(new))).all()
        )
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
                    team_id=teams.get(agent_id),
                )
                db.session.add(statement)
            _fill(statement, _sums(sums))
            written.append((agent_id, currency))
        if written:  # their older drafts' lines are on these now: one DELETE for all
            db.session.execute(
                delete(AgentStatement).where(
                    tuple_(AgentStatement.agent_id, AgentStatement.currency).in_(written),
                    AgentStatement.status == "draft",
                    AgentStatement.month < month,
                )
            )
        for statement in existing.values():  # drafts whose lines an earlier issue took
            if statement.status == "draft":
                db.session.delete(statement)
        db.session.flush()
    return len(written)


def issue_statement(
    statement: AgentStatement, actor: User | None, expected_version: int | None = None
) -> AgentStatement:
    """Freeze a draft: its open lines become its own, its sums theirs."""
    check_version(statement, expected_version)
    if statement.status != "draft":
        raise StateError({"status": [_("this statement was issued already")]})
    with transaction():
        before = snapshot(statement)
        db.session.execute(  # one UPDATE, however many lines
            update(CommissionLine)
            .where(*_open(statement.agent_id, statement.currency, statement.month))
            .values(agent_statement_id=statement.id)
        )
        statement.status, statement.issued_at = "issued", utcnow()
        _fill(statement, _sums((s.kind, s.amount) for s in subtotals(statement)))
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
