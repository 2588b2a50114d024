"""Receivable reports: aging, overdue instalments, the collection rate and
days sales outstanding (DSO). Each is one grouped query over the instalments
``user`` may see (:func:`plugins.sales.services.access.visible_records`),
read along the open-instalment indexes of
:class:`plugins.sales.models.Instalment`.

The open amount of an instalment is ``amount − collected`` while it is not
settled (``settled_on`` is None): what is open now; ``as_of`` is the day the
days overdue are counted to (an instalment due on ``as_of`` is not overdue).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select

from core.api import User, db

from ...models import Contract, Instalment
from ..access import visible_records
from .common import ZERO, in_team, money, ratio

#: aging buckets: (key, days overdue from, to) — "current" is not yet due
BUCKETS = (("current", None, 0), ("d1_30", 1, 30), ("d31_60", 31, 60), ("d61_90", 61, 90))
OVER_90 = "d90_plus"
BUCKET_KEYS = tuple(key for key, _lo, _hi in BUCKETS) + (OVER_90,)
OPEN = Instalment.amount - Instalment.collected


def names(user_ids) -> dict[int, str]:
    """The names of the users ``user_ids``, one query."""
    ids = [i for i in set(user_ids) if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _open_instalments(user: User | None, team_id: int | None, *columns):
    query = visible_records(Instalment, user, select(*columns))
    return in_team(query.where(Instalment.settled_on.is_(None)), Instalment, team_id)


def aging(user: User | None, as_of: date, currency: str, team_id: int | None = None) -> dict:
    """账龄: the open amounts of the instalments in ``currency``, per owner
    and in total, in buckets by days overdue on ``as_of``: not yet due, 1–30,
    31–60, 61–90 and over 90 days."""
    sums = []
    for _key, low, high in BUCKETS:
        # overdue by d days: due_date = as_of − d; a bucket [low, high] is a due-date range
        since = as_of - timedelta(days=high)
        if low is None:
            sums.append(func.sum(case((Instalment.due_date >= since, OPEN), else_=0)))
        else:
            until = as_of - timedelta(days=low)
            sums.append(
                func.sum(
                    case(
                        ((Instalment.due_date >= since) & (Instalment.due_date <= until), OPEN),
                        else_=0,
                    )
                )
            )
    oldest = as_of - timedelta(days=91)
    sums.append(func.sum(case((Instalment.due_date <= oldest, OPEN), else_=0)))
    query = (
        _open_instalments(user, team_id, Instalment.owner_id, *sums)
        .where(Instalment.currency == currency)
        .group_by(Instalment.owner_id)
    )
    rows = db.session.execute(query).all()
    who = names(r[0] for r in rows)
    owners = []
    total = dict.fromkeys(BUCKET_KEYS, ZERO)
    for row in rows:
        buckets = {key: money(v) for key, v in zip(BUCKET_KEYS, row[1:], strict=True)}
        for key, value in buckets.items():
            total[key] += value
        owners.append(
            {
                "owner_id": row[0],
                "name": who.get(row[0]),
                **buckets,
                "total": sum(buckets.values(), ZERO),
            }
        )
    owners.sort(key=lambda o: (-o["total"], o["name"] or ""))
    return {
        "as_of": as_of,
        "currency": currency,
        "owners": owners,
        "total": {**total, "total": sum(total.values(), ZERO)},
    }


def overdue(user: User | None, as_of: date, team_id: int | None = None) -> list[dict]:
    """Overdue instalments per owner and currency: how many, the open amount,
    the oldest due date and how many days overdue it is on ``as_of``."""
    query = (
        _open_instalments(
            user,
            team_id,
            Instalment.owner_id,
            Instalment.currency,
            func.count(),
            func.sum(OPEN),
            func.min(Instalment.due_date),
        )
        .where(Instalment.due_date < as_of)
        .group_by(Instalment.owner_id, Instalment.currency)
    )
    rows = db.session.execute(query).all()
    who = names(r[0] for r in rows)
    result = [
        {
            "owner_id": owner,
            "name": who.get(owner),
            "currency": currency,
            "count": count,
            "amount": money(amount),
            "oldest_due_date": oldest,
            "oldest_days": (as_of - _day(oldest)).days,
        }
        for owner, currency, count, amount, oldest in rows
    ]
    result.sort(key=lambda r: (-r["amount"], r["name"] or "", r["currency"]))
    return result


def collection_rate(
    user: User | None, start: date, end: date, team_id: int | None = None
) -> list[dict]:
    """回款率 per currency: of the instalments due in [``start``, ``end``),
    the share collected so far: ``collected ÷ due`` (None when nothing was due)."""
    query = (
        in_team(
            visible_records(
                Instalment,
                user,
                select(
                    Instalment.currency, func.sum(Instalment.amount), func.sum(Instalment.collected)
                ),
            ),
            Instalment,
            team_id,
        )
        .where(Instalment.due_date >= start, Instalment.due_date < end)
        .group_by(Instalment.currency)
        .order_by(Instalment.currency)
    )
    result = []
    for currency, due, collected in db.session.execute(query):
        due, collected = money(due), money(collected)
        result.append(
            {
                "currency": currency,
                "due": due,
                "collected": collected,
                "rate": ratio(collected, due),
            }
        )
    return result


def dso(user: User | None, as_of: date, days: int = 90, team_id: int | None = None) -> list[dict]:
    """Days sales outstanding per currency, the standard way::

        DSO = open receivables ÷ contracted in the last ``days`` × ``days``

    open receivables: what is open of the instalments due on or before
    ``as_of`` (billed, not paid); contracted: the amounts of the contracts
    signed (``signed_date``) in the ``days`` days up to and including
    ``as_of``. One decimal place; None when nothing was contracted."""
    since = as_of - timedelta(days=days - 1)
    open_rows = db.session.execute(
        _open_instalments(user, team_id, Instalment.currency, func.sum(OPEN))
        .where(Instalment.due_date <= as_of)
        .group_by(Instalment.currency)
    ).all()
    signed_rows = db.session.execute(
        in_team(
            visible_records(Contract, user, select(Contract.currency, func.sum(Contract.amount))),
            Contract,
            team_id,
        )
        .where(Contract.signed_date >= since, Contract.signed_date <= as_of)
        .group_by(Contract.currency)
    ).all()
    receivable = {c: money(v) for c, v in open_rows}
    contracted = {c: money(v) for c, v in signed_rows}
    result = []
    for currency in sorted(set(receivable) | set(contracted)):
        owed, sold = receivable.get(currency, ZERO), contracted.get(currency, ZERO)
        value = (
            (owed / sold * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if sold else None
        )
        result.append(
            {
                "currency": currency,
                "receivable": owed,
                "contracted": sold,
                "days": days,
                "dso": value,
            }
        )
    return result


def _day(value) -> date:
    """A date as the database returns it from MIN() (SQLite: text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
