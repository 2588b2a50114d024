"""Contracted vs collected, and quote conversion: grouped queries over the
contracts, payments and quotes ``user`` may see
(:func:`plugins.sales.services.access.visible_records`). Periods are
[``start``, ``end``): ``end`` is the day after the last one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from core.api import Team, User, db

from ...models import Contract, Quote
from ..access import visible_records
from .common import ZERO, in_team, midnight, ratio
from .receivables import names
from .sums import added_up, collected_money

GROUPINGS = ("owner", "team", "month")
#: what became of a quote sent in the period
QUOTE_OUTCOMES = ("accepted", "rejected", "expired")


def contracted_vs_collected(
    user: User | None, start: date, end: date, by: str = "owner", team_id: int | None = None
) -> list[dict]:
    """签约 vs 回款 by owner, team or month, per currency: the amounts of the
    contracts signed in the period (``signed_date``; the amount in force)
    against the money collected in it — collected, reversed and net, as
    :func:`.sums.collected_money` counts them (from the kept monthly cells
    where they may answer, :mod:`.sums`)."""
    return _report(by, *_money(user, start, end, by, team_id))


def by_month_and_owner(
    user: User | None, start: date, end: date, team_id: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Contracted vs collected by month and by owner (the money reports
    page shows both), read once by owner and month and added up each way."""
    contracted, collected = _money(user, start, end, "owner_month", team_id)
    by_month = _report("month", *_fold(contracted, collected, 1))
    return by_month, _report("owner", *_fold(contracted, collected, 0))


def _money(user: User | None, start: date, end: date, by: str, team_id: int | None) -> tuple:
    """``({(key, currency): contracted}, {(key, currency): [collected, reversed]})``."""
    contracted: dict[tuple, Decimal] = {
        key: amount
        for key, (_count, amount) in added_up(user, "signed", start, end, by, team_id).items()
    }
    return contracted, collected_money(user, start, end, by, team_id)


def _fold(contracted: dict, collected: dict, index: int) -> tuple[dict, dict]:
    """The sums by (owner, month) added up by the pair's part ``index``."""
    signed: dict[tuple, Decimal] = {}
    money: dict[tuple, list[Decimal]] = {}
    for (pair, currency), amount in contracted.items():
        key = (pair[index], currency)
        signed[key] = signed.get(key, ZERO) + amount
    for (pair, currency), (got, back) in collected.items():
        found = money.setdefault((pair[index], currency), [ZERO, ZERO])
        found[0] += got
        found[1] += back
    return signed, money


def _report(by: str, contracted: dict, collected: dict) -> list[dict]:
    """The report's rows, labelled and sorted, from the sums by ``by``."""
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
