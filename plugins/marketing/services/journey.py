"""The customer journey (客户旅程): the steps a customer takes with the
business, per customer on a time axis and across customers as a funnel.

The steps are what every industry shares, read from core's timeline and
the money events plugins declare (``core.api.money_rows``) — no plugin is
known here: **known** (the customer record exists), **contacted** (a call,
an e-mail, a meeting, a visit, an SMS or a WeChat message on the
timeline), **bought** (a first money event: a won deal, a paid work order,
a premium, a paid visit) and **bought again** (a second one). The funnel
counts, in a cohort of customers created in a period and seen by the
asker, those who reached each step *and every step before it*, with the
conversion from the step before and the drop-off; a customer's own
journey gives the date of each step and the touchpoints month by month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, select

from core.api import (
    Activity,
    Customer,
    User,
    customer_timeline,
    db,
    instance_timezone,
    money_rows,
    scoped,
    translator,
)

_, _l = translator("marketing")

#: the timeline kinds that are a contact with the customer (core's)
CONTACT_KINDS = ("call", "email", "meeting", "visit", "sms", "wechat")
STEPS = ("known", "contacted", "bought", "bought_again")


def step_labels() -> dict[str, str]:
    return {
        "known": _("Known"),
        "contacted": _("Contacted"),
        "bought": _("Bought"),
        "bought_again": _("Bought again"),
    }


def _contacted() -> Any:
    return exists().where(
        Activity.customer_id == Customer.id,
        Activity.kind.in_(CONTACT_KINDS),
        Activity.deleted_at.is_(None),
    )


def _buyers(user: User | None, times: int) -> Any:
    """Ids of the customers with at least ``times`` money events of a kind
    ``user`` may see (a refund does not count as buying)."""
    rows = money_rows(user=user)
    if rows is None:
        return None
    paid = rows.subquery()
    return (
        select(paid.c.customer_id)
        .where(paid.c.amount > 0)
        .group_by(paid.c.customer_id)
        .having(func.count() >= times)
    )


def funnel(
    user: User | None,
    since: datetime | None = None,
    until: datetime | None = None,
    segment_condition: Any = None,
) -> list[dict]:
    """The funnel of the customers ``user`` sees created in ``[since,
    until)`` (and matching ``segment_condition``): per step, how many
    reached it and every step before, the share of the step before, and
    how many stopped there."""
    cohort: Select = scoped(select(Customer.id), Customer, user)
    if since is not None:
        cohort = cohort.where(Customer.created_at >= since)
    if until is not None:
        cohort = cohort.where(Customer.created_at < until)
    if segment_condition is not None:
        cohort = cohort.where(segment_condition)
    conditions: list[Any] = [_contacted()]
    for times in (1, 2):
        buyers = _buyers(user, times)
        conditions.append(Customer.id.in_(buyers) if buyers is not None else None)
    counts = [_count(cohort)]
    reached: list[Any] = []
    for condition in conditions:
        if condition is None:  # no money events to read: nobody reached it
            counts.append(0)
            continue
        reached.append(condition)
        counts.append(_count(cohort.where(and_(*reached))) if counts[-1] else 0)
    labels = step_labels()
    steps = []
    for n, (step, count) in enumerate(zip(STEPS, counts, strict=True)):
        before = counts[n - 1] if n else None
        steps.append(
            {
                "step": step,
                "label": labels[step],
                "count": count,
                "rate": round(100 * count / before, 1) if before else None,
                "dropped": before - count if before is not None else None,
            }
        )
    return steps


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def customer_journey(customer: Customer, user: User | None) -> dict:
    """``customer``'s journey as ``user`` sees it (the caller checked the
    customer is visible): the date each step was reached (``None``: not
    yet), and the touchpoints grouped by month, newest first."""
    entries = customer_timeline(customer.id, user, limit=500)
    contacts = [e.occurred_at for e in entries if e.kind in CONTACT_KINDS]
    bought: list[datetime] = []
    rows = money_rows(user=user)
    if rows is not None:
        paid = rows.subquery()
        bought = list(
            db.session.scalars(
                select(paid.c.occurred_at)
                .where(paid.c.customer_id == customer.id, paid.c.amount > 0)
                .order_by(paid.c.occurred_at)
                .limit(2)
            )
        )
    reached = {
        "known": customer.created_at,
        "contacted": min(contacts) if contacts else None,
        "bought": bought[0] if bought else None,
        "bought_again": bought[1] if len(bought) > 1 else None,
    }
    months: dict[str, Counter] = {}
    zone = ZoneInfo(instance_timezone())
    for entry in entries:  # months of the instance's calendar
        month = entry.occurred_at.astimezone(zone).strftime("%Y-%m")
        months.setdefault(month, Counter())[entry.kind] += 1
    labels = step_labels()
    return {
        "steps": [{"step": s, "label": labels[s], "at": reached[s]} for s in STEPS],
        "months": [
            {"month": month, "kinds": sorted(kinds.items())}
            for month, kinds in sorted(months.items(), reverse=True)
        ],
    }


def cohort_bounds(args: Mapping) -> tuple[date, date, dict]:
    """The period asked (``since``/``until``, days, ``until`` included), a
    year to today by default; a wrong date is an error named by field."""
    today = datetime.now(ZoneInfo(instance_timezone())).date()
    errors: dict = {}
    picked = {}
    for key, default in (("since", today - timedelta(days=365)), ("until", today)):
        raw = (args.get(key) or "").strip()
        try:
            picked[key] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[key] = [_("Give a date as YYYY-MM-DD.")]
            picked[key] = default
    if picked["since"] > picked["until"]:
        errors["until"] = [_("The end comes before the start.")]
        picked["until"] = picked["since"]
    return picked["since"], picked["until"], errors


def as_instants(since: date, until: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(instance_timezone())
    start = datetime.combine(since, time.min, zone)
    return start, datetime.combine(until + timedelta(days=1), time.min, zone)
