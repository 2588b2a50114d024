"""Who sees which commission: a line, an agent statement, belongs to the
agent credited (``agent_id``; ``team_id`` their team when credited), so
core's ``scoped`` gives an agent their own, a manager their team's and an
administrator everything. Carrier statements are the agency's money: only
holders of ``insurance.commission.write`` read them (the API and pages
check that). Out of scope is a 404, as everywhere."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from core.api import NotFoundError, User, db, scoped, translator

from ...models import AgentStatement, CommissionLine

_, _l = translator("insurance")
OWNER = "agent_id"


def visible_lines(user: User | None, query: Select | None = None) -> Select:
    """The commission lines ``user`` may see."""
    return scoped(
        select(CommissionLine) if query is None else query, CommissionLine, user, owner_attr=OWNER
    )


def search_lines(user: User | None, args: dict) -> Select:
    """Lines in scope narrowed by ``month`` (any day of it), ``agent_id``,
    ``carrier_id``, ``policy_id`` and ``kind``."""
    query = visible_lines(user)
    month: date | None = args.get("month")
    if month is not None:
        query = query.where(CommissionLine.month == month.replace(day=1))
    for name in ("agent_id", "carrier_id", "policy_id", "kind"):
        if args.get(name) is not None:
            query = query.where(getattr(CommissionLine, name) == args[name])
    return query


def visible_agent_statements(user: User | None, query: Select | None = None) -> Select:
    """The agent statements ``user`` may see."""
    base = select(AgentStatement) if query is None else query
    return scoped(base, AgentStatement, user, owner_attr=OWNER)


def visible_agent_statement(statement_id: int, user: User | None) -> AgentStatement:
    found = db.session.scalar(
        visible_agent_statements(user).where(AgentStatement.id == statement_id)
    )
    if found is None:
        raise NotFoundError(_("agent statement %(id)s not found", id=statement_id))
    return found
