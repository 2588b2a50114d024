"""The agents' leaderboard (业绩排行榜): the agents in the viewer's scope
ranked by new business in a period — APE (年化新单保费: Σ annual premium
of the term-1 policies issued in it), then how many, then the commission
they earned in the period's months (Σ ``agent_amount`` of their lines).
Money is never added across currencies: each currency ranks apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.api import User, db, scoped

from ...models import Agent, CommissionLine, Policy
from ..access import visible_policies
from ..terms import ZERO


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


def leaderboard(user: User | None, start: date, end: date) -> list[Standing]:
    """The standings of [``start``, ``end``] (days, both counted; commission
    by the months they touch), best first within each currency."""
    new = db.session.execute(
        visible_policies(
            user,
            select(
                Policy.agent_id,
                Policy.currency,
                func.count(Policy.id),
                func.sum(Policy.annual_premium),
            ),
        )
        .where(
            Policy.term_no == 1,
            Policy.issued_on >= start,
            Policy.issued_on <= end,
            Policy.agent_id.is_not(None),
        )
        .group_by(Policy.agent_id, Policy.currency)
    ).all()
    earned = db.session.execute(
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
    figures: dict[tuple[int, str], list] = {}
    for agent_id, currency, count, ape in new:
        figures[(agent_id, currency)] = [int(count), Decimal(ape or 0), ZERO]
    for agent_id, currency, amount in earned:
        figures.setdefault((agent_id, currency), [0, ZERO, ZERO])[2] = Decimal(amount or 0)
    if not figures:
        return []
    ids = {agent_id for agent_id, _currency in figures}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    codes = dict(
        db.session.execute(select(Agent.user_id, Agent.code).where(Agent.user_id.in_(ids))).all()
    )
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
    standings: list[Standing] = []
    rank, currency = 0, None
    for (agent_id, cur), (count, ape, commission) in ordered:
        rank = rank + 1 if cur == currency else 1
        currency = cur
        standings.append(
            Standing(
                rank,
                agent_id,
                names.get(agent_id, ""),
                codes.get(agent_id),
                cur,
                count,
                ape,
                commission,
            )
        )
    return standings
