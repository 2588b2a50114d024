"""The invoices list (page and API alike): the invoices a user may see,
narrowed by status, kind, customer, contract and the month they were issued
in, or found by number or customer name."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from core.api import Customer, User, db, search_match, text_contains

from ...models import Invoice
from ..access import visible_records


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of a ``YYYY-MM`` month and of the month after."""
    year, number = (int(part) for part in month.split("-"))
    start = date(year, number, 1)
    return start, date(year + number // 12, number % 12 + 1, 1)


def search_invoices(user: User | None, args: dict) -> Select:
    """``select(Invoice)`` of what ``user`` may see (the scoped query every
    list goes through), narrowed by ``status``, ``kind``, ``customer_id``,
    ``contract_id``, ``month`` (issued in, ``YYYY-MM``) and ``q``."""
    query = visible_records(Invoice, user).where(Invoice.deleted_at.is_(None))
    for key in ("status", "kind", "customer_id", "contract_id"):
        if args.get(key):
            query = query.where(getattr(Invoice, key) == args[key])
    if args.get("month"):
        start, end = month_bounds(args["month"])
        query = query.where(Invoice.issued_on >= start, Invoice.issued_on < end)
    if args.get("q"):
        words = args["q"]
        query = query.where(
            text_contains(Invoice.number, words)
            | text_contains(Invoice.title, words)
            | Invoice.customer_id.in_(
                select(Customer.id).where(search_match(Customer, words, user))
            )
        )
    return query


def visible_invoice_ids(user: User | None, ids: list[int]) -> set[int]:
    """Which of the invoices ``ids`` ``user`` may open (none without ``sales.invoice.read``)."""
    if user is None or not user.can("sales.invoice.read"):
        return set()
    query = visible_records(Invoice, user, select(Invoice.id)).where(Invoice.id.in_(ids))
    return set(db.session.scalars(query))
