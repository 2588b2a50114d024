"""The policies a user may see, narrowed as the list and the API ask, and
one policy with its history."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, select

from core.api import Customer, User, db, search_match

from ...models import LIVE_STATES, Policy, PolicyTransaction
from ..access import visible_policies, visible_policy


def search_policies(user: User | None, args: dict, today: date) -> Select:
    """The policy terms ``user`` may see, narrowed by ``status``, ``line``,
    ``agent_id``, ``customer_id``, ``carrier_id``, ``product_id``,
    ``ends_within`` (days: in force or in grace, ending from today to then)
    and ``q`` (the policy's or the quote's number, or the policyholder's name)."""
    query = visible_policies(user)
    for key in ("status", "line", "agent_id", "customer_id", "carrier_id", "product_id"):
        if args.get(key):
            query = query.where(getattr(Policy, key) == args[key])
    if args.get("ends_within") is not None:
        query = query.where(
            Policy.status.in_(LIVE_STATES),
            Policy.end_date >= today,
            Policy.end_date <= today + timedelta(days=args["ends_within"]),
        )
    if args.get("q"):
        text = args["q"].strip()
        query = query.where(
            search_match(Policy, text, user)
            | Policy.customer_id.in_(select(Customer.id).where(search_match(Customer, text, user)))
        )
    return query


def policy_history(policy: Policy) -> list[PolicyTransaction]:
    """The policy term's transactions, oldest first."""
    return list(
        db.session.scalars(
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id == policy.id)
            .order_by(PolicyTransaction.seq)
        )
    )


__all__ = ["policy_history", "search_policies", "visible_policy"]
