"""Reading the report cells: whether they may answer a report (``plan``:
only for a user who sees every deal and chose no owner, team or source),
the whole months of the period they answer (``Plan``), the query over them
(``cells``) and the deals of binned customers to take off again
(``binned_deals``); the rest of the period is read from the deals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Select, select

from core.api import first_of_next_month, sees_all

from ...models import Deal, ReportCell
from ..access import binned_customers


class Plan:
    """How a report over ``args`` is read from the cells: the whole months
    (``months``: first month, month after the last, None for no bound, or
    None for no whole month) and the ``pieces`` of the period around them,
    read from the deals (period arguments)."""

    def __init__(self, args: dict):
        start, end = args.get("start"), args.get("end")
        first = start if start is None or start.day == 1 else first_of_next_month(start)
        last = end if end is None else date(end.year, end.month, 1)
        if first is not None and last is not None and first >= last:
            self.months, self.pieces = None, [{"start": start, "end": end}]
            return
        self.months = (first, last)
        self.pieces = (
            [{"start": start, "end": first}] if start is not None and first != start else []
        ) + ([{"start": last, "end": end}] if end is not None and last != end else [])


def plan(user, args: dict) -> Plan | None:
    """A plan when the cells may answer ``user`` over ``args``: the user
    sees every deal and chose no owner, team or source (the cells hold
    none for closed deals, and no source at all)."""
    if not sees_all(user) or any(args.get(k) for k in ("owner_id", "team_id", "source")):
        return None
    return Plan(args)


def cells(kind: str, months: tuple, args: dict, *columns) -> Select:
    """``select(*columns)`` over the cells of ``kind`` in ``months``, narrowed
    to the pipeline of ``args``."""
    query = select(*columns).where(ReportCell.kind == kind)
    if args.get("pipeline_id"):
        query = query.where(ReportCell.pipeline_id == args["pipeline_id"])
    first, last = months
    if first is not None:
        query = query.where(ReportCell.month >= first)
    if last is not None:
        query = query.where(ReportCell.month < last)
    return query


def binned_deals(months: tuple, args: dict, *columns) -> Select:
    """``select(*columns)`` over the live deals created in ``months`` whose
    customer is in the recycle bin: counted in the cells, seen by no one,
    so a report from the cells takes them off again."""
    query = (
        select(*columns)
        .select_from(Deal)
        .where(Deal.deleted_at.is_(None), Deal.customer_id.in_(binned_customers()))
    )
    if args.get("pipeline_id"):
        query = query.where(Deal.pipeline_id == args["pipeline_id"])
    first, last = months
    if first is not None:
        query = query.where(Deal.created_at >= midnight(first))
    if last is not None:
        query = query.where(Deal.created_at < midnight(last))
    return query


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
