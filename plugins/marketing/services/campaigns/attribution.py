"""The money a campaign brought: last-touch attribution over the money
events plugins declare (core.api ``money_rows``: won deals, paid work
orders, premiums, paid visits) — deals do not name the campaign that
brought them, and marketing knows no industry plugin.

A recipient *engaged* when they clicked a link of the message, or, without
a click, opened it. A money event of that customer counts for the campaign
when it happened within :func:`~..schemas.attribution.attribution_days`
after the engagement and no other campaign engaged the customer in between
(the last campaign touched before the money gets it, so two campaigns never
count the same deal). Refunds (negative amounts) count too. Only customers
the viewer may see and kinds of money the viewer may see are added up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from core.api import Customer, User, db, money_events, money_rows, scoped

from ...models import Campaign, Recipient
from ...schemas.attribution import attribution_days

CENT = Decimal("0.01")


def _engaged(recipient) -> object:
    """When a recipient row engaged: its click, else its open (None: neither)."""
    return func.coalesce(recipient.clicked_at, recipient.opened_at)


def _utc(value: datetime | date) -> datetime:
    """A money event's or an engagement's time as an aware UTC datetime
    (a plugin may report a day; a database may hand back a naive time)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def attributed(campaign: Campaign, user: User | None) -> dict:
    """The money attributed to ``campaign`` as ``user`` may see it."""
    window = attribution_days()
    found = {"window_days": window, "amount": Decimal("0.00"), "events": 0, "customers": 0}
    kinds = money_events(user)
    money = money_rows(user=user, keys=kinds) if kinds else None
    if money is None or user is None:
        return found | {"by_kind": []}
    money = money.subquery()
    touched = (
        select(
            Recipient.customer_id.label("customer_id"), func.max(_engaged(Recipient)).label("at")
        )
        .where(Recipient.campaign_id == campaign.id, _engaged(Recipient).is_not(None))
        .group_by(Recipient.customer_id)
        .subquery()
    )
    other = aliased(Recipient)
    later_touch = exists().where(
        other.customer_id == money.c.customer_id,
        other.campaign_id != campaign.id,
        _engaged(other) > touched.c.at,
        _engaged(other) <= money.c.occurred_at,
    )
    visible = scoped(select(Customer.id), Customer, user)
    rows = db.session.execute(
        select(money.c.kind, money.c.customer_id, money.c.occurred_at, money.c.amount, touched.c.at)
        .join(
            touched,
            and_(touched.c.customer_id == money.c.customer_id, touched.c.at <= money.c.occurred_at),
        )
        .where(~later_touch, money.c.customer_id.in_(visible))
    )
    by_kind: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    customers: set[int] = set()
    for kind, customer_id, occurred_at, amount, at in rows:
        if _utc(occurred_at) - _utc(at) > timedelta(days=window):
            continue
        by_kind[kind][0] += Decimal(amount or 0)
        by_kind[kind][1] += 1
        customers.add(customer_id)
    found["amount"] = sum((amount for amount, _ in by_kind.values()), Decimal(0)).quantize(CENT)
    found["events"] = sum(count for _, count in by_kind.values())
    found["customers"] = len(customers)
    found["by_kind"] = [
        {
            "kind": key,
            "label": str(kinds[key].label),
            "amount": amount.quantize(CENT),
            "events": count,
        }
        for key, (amount, count) in sorted(by_kind.items())
    ]
    return found
