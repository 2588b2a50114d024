"""The agents' leaderboard (业绩排行榜): the agents in the viewer's scope
ranked by new business in a period — APE (年化新单保费: Σ annual premium
of the term-1 policies issued in it), then how many, then the commission
they earned in the period's months (Σ ``agent_amount`` of their lines).
Money is never added across currencies: each currency ranks apart.

The sums (:func:`issued_by_agent`, :func:`earned_by_agent`) and the order
(:func:`ranked`) are also the agent production report's
(``services/reports/production.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from core.api import User, db, scoped

from ...models import Agent, CommissionLine, Policy
from ..access import visible_policies
from ..terms import ZERO, half_up


@dataclass
class Standing:
    """One agent's place in one currency."""

    rank: int
    agent_id: int
    name: str
    code: str | None
    currency: str
    new_count: int
    ape: Decimal
    commission: Decimal


@dataclass
class Issued:
    """An agent's terms issued in a period, in one currency: new business
    (term 1) and renewals (later terms), each counted and Σ annual premium."""

    new_count: int = 0
    ape: Decimal = ZERO
    renewals: int = 0
    renewal_ape: Decimal = ZERO


def _money(value) -> Decimal:
    """A database sum as exact cents (SQLite sums Numeric columns as floats)."""
    return half_up(str(value or 0))


def issued_by_agent(user: User | None, start: date, end: date) -> dict[tuple[int, str], Issued]:
    """Per (agent, currency): the terms issued in [``start``, ``end``] (days,
    both counted) that ``user`` may see, new business apart from renewals;
    terms with no agent are left out."""
    new = Policy.term_no == 1
    rows = db.session.execute(
        visible_policies(
            user,
            select(
                Policy.agent_id,
                Policy.currency,
                func.sum(case((new, 1), else_=0)),
                func.sum(case((new, Policy.annual_premium), else_=0)),
                func.sum(case((new, 0), else_=1)),
                func.sum(case((Policy.term_no != 1, Policy.annual_premium), else_=0)),
            ),
        )
        .where(Policy.issued_on >= start, Policy.issued_on <= end, Policy.agent_id.is_not(None))
        .group_by(Policy.agent_id, Policy.currency)
    ).all()
    return {
        (agent_id, currency): Issued(int(count or 0), _money(ape), int(renewed or 0), _money(again))
        for agent_id, currency, count, ape, renewed, again in rows
    }


def earned_by_agent(user: User | None, start: date, end: date) -> dict[tuple[int, str], Decimal]:
    """Per (agent, currency): the commission earned in the months [``start``,
    ``end``] touches (Σ ``agent_amount`` of the lines ``user`` may see)."""
    rows = db.session.execute(
        scoped(
            select(
                CommissionLine.agent_id,
                CommissionLine.currency,
                func.sum(CommissionLine.agent_amount),
            ),
            CommissionLine,
            user,
            owner_attr="agent_id",
        )
        .where(
            CommissionLine.month >= start.replace(day=1),
            CommissionLine.month <= end,
            CommissionLine.agent_id.is_not(None),
        )
        .group_by(CommissionLine.agent_id, CommissionLine.currency)
    ).all()
    return {(agent_id, currency): _money(amount) for agent_id, currency, amount in rows}


def agent_names(ids: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
    """The agents' names and their licence codes, by user id."""
    ids = set(ids)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    codes = dict(
        db.session.execute(select(Agent.user_id, Agent.code).where(Agent.user_id.in_(ids))).all()
    )
    return names, codes


def ranked(
    figures: dict[tuple[int, str], tuple[int, Decimal, Decimal]], names: dict[int, str]
) -> list[tuple[int, tuple[int, str]]]:
    """The leaderboard's order of ``figures`` — (new count, APE, commission)
    per (agent, currency) — as (rank, key): within each currency by APE, then
    count, then commission (highest first), then name."""
    ordered = sorted(
        figures.items(),
        key=lambda item: (
            item[0][1],
            -item[1][1],
            -item[1][0],
            -item[1][2],
            names.get(item[0][0], ""),
        ),
    )
    found: list[tuple[int, tuple[int, str]]] = []
    rank, currency = 0, None
    for key, _figures in ordered:
        rank = rank + 1 if key[1] == currency else 1
        currency = key[1]
        found.append((rank, key))
    return found


def leaderboard(user: User | None, start: date, end: date) -> list[Standing]:
    """The standings of [``start``, ``end``] (days, both counted; commission
    by the months they touch), best first within each currency."""
    figures: dict[tuple[int, str], tuple[int, Decimal, Decimal]] = {
        key: (issued.new_count, issued.ape, ZERO)
        for key, issued in issued_by_agent(user, start, end).items()
        if issued.new_count
    }
    for key, amount in earned_by_agent(user, start, end).items():
        count, ape, _zero = figures.get(key, (0, ZERO, ZERO))
        figures[key] = (count, ape, amount)
    if not figures:
        return []
    names, codes = agent_names(agent_id for agent_id, _currency in figures)
    standings = []
    for rank, (agent_id, cur) in ranked(figures, names):
        count, ape, commission = figures[(agent_id, cur)]
        name, code = names.get(agent_id, ""), codes.get(agent_id)
        standings.append(Standing(rank, agent_id, name, code, cur, count, ape, commission))
    return standings
