"""The money a period adds up to, from the rows or from the kept monthly
cells (:mod:`plugins.sales.services.report_cells.money`): the payments
collected (``paid``), the reversals (``reversal``) and the contracts signed
(``signed``), by currency and a grouping.

Someone who sees every record (``core.api.sees_all``) is answered from the
cells for the whole months of the period (a team narrows them by the cells'
team), from the rows for the days around them — or, where those are most
of their month, from the month's cells less the rows of its other days —
with the rows of customers in the recycle bin (counted in the cells, seen
by no one) taken off again.
Everyone else is answered from the rows they may see
(:func:`plugins.sales.services.access.visible_records`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, func, select

from core.api import User, db, first_of_next_month, sees_all, team_subtree

from ...models import Contract, Payment, ReportCell
from ..access import binned_customers, visible_records
from ..report_cells import COUNTED, Plan, money_cells
from .common import ZERO, in_team, midnight, money, month_of

#: {(grouping value, currency): [how many, amount]}
Sums = dict[tuple, list[Any]]
Restrict = Callable[[type, Select], Select]


def collected_money(
    user: User | None, start: date, end: date, by: str | None = None, team_id: int | None = None
) -> dict[tuple, list[Decimal]]:
    """Money collected in [``start``, ``end``) over the payments ``user`` may
    see, by currency and ``by`` ("owner", "team", "month", "owner_team",
    "owner_month" or None): ``{(key, currency): [collected, reversed]}`` (key
    None when ``by`` is None; an ``(owner_id, team_id)`` or ``(owner_id,
    "YYYY-MM")`` pair for the last two).

    Collected: payments paid (``paid_on``) in the period that were confirmed —
    still confirmed, or reversed since (they counted when they came in).
    Reversed: payments whose reversal (``reversed_at``, its UTC date) lies in
    the period, whenever they were paid. The net is collected − reversed, so
    a payment reversed in a later month is taken back in that month."""
    found: dict[tuple, list[Decimal]] = {}
    for slot, kind in enumerate(("paid", "reversal")):
        for key, (_count, amount) in added_up(user, kind, start, end, by, team_id).items():
            found.setdefault(key, [ZERO, ZERO])[slot] = amount
    return found


def added_up(
    user: User | None, kind: str, start: date, end: date, by: str | None, team_id: int | None
) -> Sums:
    """The ``kind`` of money ("paid", "reversal" or "signed") ``user`` may
    see in [``start``, ``end``), by currency and ``by`` ("owner", "team",
    "month", "owner_team" or None; see :func:`.common.collected_money`),
    from the cells where they may answer (see the module's docstring)."""

    def visible(model: type, query: Select) -> Select:
        return visible_records(model, user, query)

    months = Plan({"start": start, "end": end}).months if sees_all(user) else None
    if months is None:
        return from_rows(kind, visible, start, end, by, team_id)
    first, last = cast(tuple[date, date], months)  # both bounds: the period has both
    plus: list[tuple[date, date]] = []  # days read from the rows, added
    minus: list[tuple[date, date]] = []  # … and taken off a whole month
    if start < first:  # the days of the first month, or the whole month less the others
        head = date(start.year, start.month, 1)
        if first - start > start - head:
            first, minus = head, [(head, start)]
        else:
            plus.append((start, first))
    if last < end:
        after = first_of_next_month(last)
        if end - last > after - end:
            last, minus = after, [*minus, (end, after)]
        else:
            plus.append((last, end))
    found = from_cells(kind, (first, last), by, team_id)
    for sign, pieces in ((1, plus), (-1, minus)):
        for lo, hi in pieces:
            _add(found, from_rows(kind, visible, lo, hi, by, team_id), sign)
    _add(found, from_rows(kind, _binned, first, last, by, team_id), -1)
    return {key: value for key, value in found.items() if value[0]}


def _binned(model: type, query: Select) -> Select:
    """``query`` narrowed to the live rows of customers in the recycle bin."""
    return query.where(model.deleted_at.is_(None), model.customer_id.in_(binned_customers()))  # type: ignore[attr-defined]


def _add(found: Sums, more: Sums, sign: int = 1) -> None:
    for key, (count, amount) in more.items():
        known = found.setdefault(key, [0, Decimal("0.00")])
        known[0] += sign * count
        known[1] += sign * amount


def from_rows(
    kind: str, restrict: Restrict, start: date, end: date, by: str | None, team_id: int | None
) -> Sums:
    """The sums of ``kind`` over the rows ``restrict`` lets through."""
    model: type
    if kind == "signed":
        model, when = Contract, Contract.signed_date
        where = [Contract.signed_date >= start, Contract.signed_date < end]
    elif kind == "paid":
        model, when = Payment, Payment.paid_on
        where = [Payment.paid_on >= start, Payment.paid_on < end, Payment.status.in_(COUNTED)]
    else:
        lo, hi = midnight(start), midnight(end)
        model, when = Payment, Payment.reversed_at
        where = [
            Payment.status == "reversed",
            Payment.reversed_at >= lo,
            Payment.reversed_at < hi,
            # a reversal writes the row, so it changed since: lets the
            # planner read the few rows changed since the period began
            # (ix_sales_payment_updated) rather than every payment
            # (SQLite, told they are few, then does)
            _few(Payment.updated_at >= lo),
        ]
    keys = _keys(model, by, month_of(when, instant=kind == "reversal"))
    columns = (*keys, model.currency, func.count(), func.sum(model.amount))
    query = in_team(restrict(model, select(*columns)).where(*where), model, team_id)
    found: Sums = {}
    for row in db.session.execute(query.group_by(*keys, model.currency)):
        found[(_value(row[: len(keys)]), row[-3])] = [row[-2], money(row[-1])]
    return found


def from_cells(kind: str, months: tuple, by: str | None, team_id: int | None) -> Sums:
    """The sums of ``kind`` kept in the cells of ``months`` (every record,
    customers in the recycle bin too)."""
    keys = _keys(ReportCell, by, ReportCell.month)
    teams = team_subtree(team_id) if team_id is not None else None
    query = money_cells(
        kind,
        months,
        teams,
        *keys,
        ReportCell.currency,
        func.sum(ReportCell.deals),
        func.sum(ReportCell.amount_cents),
    ).group_by(*keys, ReportCell.currency)
    found: Sums = {}
    for row in db.session.execute(query):
        value = _value(row[: len(keys)])
        if by == "month":
            value = f"{value:%Y-%m}"
        elif by == "owner_month":
            value = (value[0], f"{value[1]:%Y-%m}")
        found[(value, row[-3])] = [int(row[-2]), money(Decimal(int(row[-1])) / 100)]
    return found


def _value(parts) -> Any:
    """A grouping value: None (no grouping), the one column, or a pair."""
    return tuple(parts) if len(parts) > 1 else (parts[0] if parts else None)


def _few(condition):
    """``condition``, which few rows meet, said so to SQLite's planner."""
    return func.unlikely(condition) if db.engine.dialect.name == "sqlite" else condition


def _keys(model, by: str | None, month) -> list:
    """The columns a row is grouped by (none for ``by`` None); ``month`` is
    the month expression of the date the row counts on."""
    if by == "owner_team":
        return [model.owner_id, model.team_id]
    if by == "owner_month":
        return [model.owner_id, month]
    if by == "owner":
        return [model.owner_id]
    if by == "team":
        return [model.team_id]
    if by == "month":
        return [month]
    return []
