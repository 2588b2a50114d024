"""The customer journey (客户旅程): the steps a customer takes with the
business, per customer on a time axis and across customers as a funnel.

Four steps every industry shares are read from core's timeline and the
money events plugins declare (``core.api.money_rows``): **known** (the
customer record exists), **contacted** (a call, an e-mail, a meeting, a
visit, an SMS or a WeChat message on the timeline), **bought** (a first
money event: a won deal, a paid work order, a premium, a paid visit) and
**bought again** (a second one). The others are the steps plugins declare
(``core.api.journey_steps``: a first lead, deal won, work order, claim,
visit …) — no plugin is known here. Every step has an ``order`` (the
shared ones 0, 10, 50 and 90) and the steps are always shown in it; a user
sees only the declared steps whose permission they hold, and only the
money they may see.

The funnel counts, in a cohort of customers created in a period and seen
by the asker, those who reached each step picked *and every step before
it*, with the conversion from the step before and the drop-off; a
customer's own journey gives the date of each step and the touchpoints
month by month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, select, true

from core.api import (
    Activity,
    Customer,
    User,
    customer_timeline,
    db,
    instance_timezone,
    journey_steps,
    money_rows,
    scoped,
    translator,
)

_, _l = translator("marketing")

#: the timeline kinds that are a contact with the customer (core's)
CONTACT_KINDS = ("call", "email", "meeting", "visit", "sms", "wechat")
#: the steps every industry shares, with their places among the declared ones
SHARED = {"known": 0, "contacted": 10, "bought": 50, "bought_again": 90}


def step_labels() -> dict[str, str]:
    return {
        "known": _("Known"),
        "contacted": _("Contacted"),
        "bought": _("Bought"),
        "bought_again": _("Bought again"),
    }


def step_choices(user: User | None) -> dict[str, dict]:
    """Every step ``user`` may see, by key, in their ``order``: the shared
    ones and those plugins declared (``label``, ``order``, ``step``: the
    declaration, ``None`` for a shared step)."""
    labels = step_labels()
    found = [
        {"key": k, "label": labels[k], "order": n, "step": None} for k, n in SHARED.items()
    ] + [
        {"key": k, "label": str(s.label), "order": s.order, "step": s}
        for k, s in journey_steps(user).items()
    ]
    return {c["key"]: c for c in sorted(found, key=lambda c: (c["order"], c["key"]))}


def pick_steps(asked: Iterable[str], user: User | None) -> tuple[list[str], dict]:
    """The steps of the funnel from ``asked`` (query values, each a key or
    a comma list of keys), in their ``order``; none asked: the steps every
    industry shares (a customer seldom takes every plugin's steps, so a
    funnel of all of them is mostly empty — pick one trade's). A step
    unknown to ``user`` is an error named ``steps`` (and the shared steps
    are kept)."""
    choices = step_choices(user)
    keys = [k.strip() for value in asked for k in str(value).split(",") if k.strip()]
    unknown = [k for k in dict.fromkeys(keys) if k not in choices]
    if unknown:
        message = _(
            "Unknown step %(step)s; pick from: %(steps)s.",
            step=", ".join(unknown),
            steps=", ".join(choices),
        )
        return [k for k in choices if k in SHARED], {"steps": [message]}
    return [k for k in choices if k in keys] or [k for k in choices if k in SHARED], {}


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


def _reached(key: str, choice: dict, user: User | None) -> Any:
    """The condition on ``Customer`` that the step was reached; ``None``
    when nobody can have reached it (no money the user may see)."""
    if key == "known":
        return true()
    if key == "contacted":
        return _contacted()
    if key in ("bought", "bought_again"):
        buyers = _buyers(user, 1 if key == "bought" else 2)
        return None if buyers is None else Customer.id.in_(buyers)
    reached = choice["step"].reached().subquery()
    return Customer.id.in_(select(list(reached.c)[0]))


def funnel(
    user: User | None,
    since: datetime | None = None,
    until: datetime | None = None,
    segment_condition: Any = None,
    steps: list[str] | None = None,
) -> list[dict]:
    """The funnel of the customers ``user`` sees created in ``[since,
    until)`` (and matching ``segment_condition``) through ``steps`` (keys
    from :func:`pick_steps`; every step by default): per step, how many
    reached it and every step before, the share of the step before, and
    how many stopped there."""
    cohort: Select = scoped(select(Customer.id), Customer, user)
    if since is not None:
        cohort = cohort.where(Customer.created_at >= since)
    if until is not None:
        cohort = cohort.where(Customer.created_at < until)
    if segment_condition is not None:
        cohort = cohort.where(segment_condition)
    choices = step_choices(user)
    keys = steps if steps is not None else list(choices)
    counts: list[int] = []
    reached: list[Any] = []
    for key in keys:
        condition = _reached(key, choices[key], user)
        if condition is None or (counts and not counts[-1]):  # nobody gets this far
            counts.append(0)
            continue
        reached.append(condition)
        counts.append(_count(cohort.where(and_(*reached))))
    found = []
    for n, (key, count) in enumerate(zip(keys, counts, strict=True)):
        before = counts[n - 1] if n else None
        found.append(
            {
                "step": key,
                "label": choices[key]["label"],
                "order": choices[key]["order"],
                "count": count,
                "rate": round(100 * count / before, 1) if before else None,
                "dropped": before - count if before is not None else None,
            }
        )
    return found


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _first_at(step: Any, customer_id: int) -> datetime | None:
    """When the customer first reached a declared step (``None``: not yet)."""
    reached = step.reached().subquery()
    customer, first_at = list(reached.c)[:2]
    return db.session.scalar(select(func.min(first_at)).where(customer == customer_id))


def customer_journey(customer: Customer, user: User | None) -> dict:
    """``customer``'s journey as ``user`` sees it (the caller checked the
    customer is visible): every step the user may see in its ``order``,
    with the date it was reached (``None``: not yet), and the touchpoints
    grouped by month, newest first."""
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
    shared = {
        "known": customer.created_at,
        "contacted": min(contacts) if contacts else None,
        "bought": bought[0] if bought else None,
        "bought_again": bought[1] if len(bought) > 1 else None,
    }
    steps = [
        {
            "step": key,
            "label": c["label"],
            "order": c["order"],
            "at": shared[key] if c["step"] is None else _first_at(c["step"], customer.id),
        }
        for key, c in step_choices(user).items()
    ]
    months: dict[str, Counter] = {}
    zone = ZoneInfo(instance_timezone())
    for entry in entries:  # months of the instance's calendar
        month = entry.occurred_at.astimezone(zone).strftime("%Y-%m")
        months.setdefault(month, Counter())[entry.kind] += 1
    return {
        "steps": steps,
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
