"""Contracted vs collected, and quote conversion: grouped queries over the
contracts, payments and quotes ``user`` may see
(:func:`plugins.sales.services.access.visible_records`). Periods are
[``start``, ``end``): ``end`` is the day after the last one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select

from core.api import Team, User, db

from ...models import Contract, Quote
from ..access import visible_records
from .common import ZERO, collected_money, in_team, midnight, money, month_of, ratio
from .receivables import names

GROUPINGS = ("owner", "team", "month")
#: what became of a quote sent in the period
QUOTE_OUTCOMES = ("accepted", "rejected", "expired")


def _contract_key(by: str):
    return {
        "owner": Contract.owner_id,
        "team": Contract.team_id,
        "month": month_of(Contract.signed_date),
    }[by]


def contracted_vs_collected(
    user: User | None, start: date, end: date, by: str = "owner", team_id: int | None = None
) -> list[dict]:
    """签约 vs 回款 by owner, team or month, per currency: the amounts of the
    contracts signed in the period (``signed_date``; the amount in force)
    against the money collected in it — collected, reversed and net, as
    :func:`.common.collected_money` counts them."""
    key = _contract_key(by)
    contracted = {
        (value, currency): money(amount)
        for value, currency, amount in db.session.execute(
            in_team(
                visible_records(
                    Contract, user, select(key, Contract.currency, func.sum(Contract.amount))
                ),
                Contract,
                team_id,
            )
            .where(Contract.signed_date >= start, Contract.signed_date < end)
            .group_by(key, Contract.currency)
        )
    }
    collected = collected_money(user, start, end, by, team_id)
    keys = set(contracted) | set(collected)
    labels = _labels(by, {k for k, _c in keys})
    rows = []
    for value, currency in keys:
        got, back = collected.get((value, currency), [ZERO, ZERO])
        signed = contracted.get((value, currency), ZERO)
        rows.append(
            {
                "key": None if value is None else str(value),
                "label": labels.get(value),
                "currency": currency,
                "contracted": signed,
                "collected": got,
                "reversed": back,
                "net": got - back,
                "rate": ratio(got - back, signed),
            }
        )
    if by == "month":
        rows.sort(key=lambda r: (r["key"] or "", r["currency"]))
    else:
        rows.sort(key=lambda r: (r["label"] is None, r["label"] or "", r["currency"]))
    return rows


def _labels(by: str, values: set) -> dict:
    if by == "owner":
        return names(values)
    if by == "team":
        ids = [v for v in values if v is not None]
        return dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())
    return {v: v for v in values}


def quote_conversion(user: User | None, start: date, end: date, team_id: int | None = None) -> dict:
    """报价转化: the quotes sent in the period (``sent_at``; each revision
    sent counts), how many of them are now accepted, rejected, expired, still
    open or superseded by a revision, and how many became a contract (a live
    contract names the quote); ``contract_rate`` is contracts ÷ sent."""
    has_contract = (
        select(Contract.id)
        .where(Contract.quote_id == Quote.id, Contract.deleted_at.is_(None))
        .exists()
    )
    query = visible_records(
        Quote,
        user,
        select(
            func.count(),
            *(func.sum(case((Quote.status == s, 1), else_=0)) for s in QUOTE_OUTCOMES),
            func.sum(case((Quote.status == "sent", 1), else_=0)),
            func.sum(case((Quote.status == "superseded", 1), else_=0)),
            func.sum(case((has_contract, 1), else_=0)),
        ),
    ).where(Quote.sent_at >= midnight(start), Quote.sent_at < midnight(end))
    query = in_team(query, Quote, team_id)
    sent, accepted, rejected, expired, still_open, superseded, contracted = (
        int(v or 0) for v in db.session.execute(query).one()
    )
    return {
        "sent": sent,
        "accepted": accepted,
        "rejected": rejected,
        "expired": expired,
        "open": still_open,
        "superseded": superseded,
        "contracted": contracted,
        "accept_rate": ratio(accepted, sent),
        "contract_rate": ratio(contracted, sent),
    }
