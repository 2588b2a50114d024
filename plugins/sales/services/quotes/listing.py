"""Which quotes a user sees — always through :func:`..access.visible_records`
— for the quotes list (page and API alike), a quote's page and its revisions."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import Customer, User, db, search_match, text_contains

from ...models import Quote
from ..access import visible_record, visible_records


def search_quotes(user: User | None, args: dict) -> Select:
    """The quotes ``user`` may see, narrowed by ``status`` (left out: every
    quote but the superseded revisions), ``customer_id``, ``deal_id``,
    ``owner_id`` and ``q`` — part of the number, the title or the
    customer's name."""
    query = visible_records(Quote, user)
    if args.get("status"):
        query = query.where(Quote.status == args["status"])
    else:
        query = query.where(Quote.status != "superseded")
    for key in ("customer_id", "deal_id", "owner_id"):
        if args.get(key):
            query = query.where(getattr(Quote, key) == args[key])
    if args.get("q"):
        words = args["q"]
        query = query.where(
            text_contains(Quote.number, words)
            | text_contains(Quote.title, words)
            | Quote.customer_id.in_(select(Customer.id).where(search_match(Customer, words, user)))
        )
    return query


def visible_quote(quote_id: int, user: User | None) -> Quote:
    """The quote if ``user`` may see it, else ``NotFoundError`` (404)."""
    return visible_record(Quote, quote_id, user)


def revisions(quote: Quote, user: User | None) -> list[Quote]:
    """Every revision of ``quote``'s number that ``user`` may see, first to last."""
    return list(
        db.session.scalars(
            visible_records(Quote, user)
            .where(Quote.number == quote.number)
            .order_by(Quote.revision)
        )
    )
