"""The contracts a person may see, as the list, the CSV export, the API
and the customer's tab read them — always through ``visible_records``."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, select

from core.api import Customer, User, search_match, text_contains

from ...models import Contract
from ..access import visible_record, visible_records


def search_contracts(user: User | None, args: dict, today: date) -> Select:
    """The contracts ``user`` may see, narrowed by ``status``, ``owner_id``,
    ``customer_id``, ``expiring_within`` (days: signed or active, ending
    from today to then) and ``q`` (number, title or the customer's name)."""
    query = visible_records(Contract, user)
    for key in ("status", "owner_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(Contract, key) == args[key])
    if args.get("expiring_within") is not None:
        query = query.where(
            Contract.status.in_(("signed", "active")),
            Contract.end_date >= today,
            Contract.end_date <= today + timedelta(days=args["expiring_within"]),
        )
    if args.get("q"):
        text = args["q"].strip()
        query = query.where(
            text_contains(Contract.number, text)
            | text_contains(Contract.title, text)
            | Contract.customer_id.in_(
                select(Customer.id).where(search_match(Customer, text, user))
            )
        )
    return query


def visible_contract(contract_id: int, user: User | None) -> Contract:
    """The contract if ``user`` may see it, else ``NotFoundError``."""
    return visible_record(Contract, contract_id, user)


def customer_contracts(user: User | None, customer_id: int) -> Select:
    """The contracts of one customer ``user`` may see (the customer's tab)."""
    return visible_records(Contract, user).where(Contract.customer_id == customer_id)
