"""The insurance demo, in English or Chinese: a carrier with real terms,
a family's cover and its gaps, a small fleet book, and every move of a
policy's life made through the services — see :mod:`.book` for the story
and :mod:`.catalogue` for the products (the demo carrier accepts
backdated business, so terms can start months ago)."""

from __future__ import annotations

from core.api import Customer, User

from ..services.terms import today
from .book import Book, write_book
from .catalogue import build_catalogue, license_agents
from .texts import TEXT

__all__ = ["load_demo"]


def load_demo(locale: str, customers: list[Customer], users: list[User]) -> Book:
    """Load the story for ``locale`` (core's demo calls this with its
    customers and its users, the administrator first, inside
    ``force_locale``); returns the story's policies by their part."""
    text = TEXT.get(locale, TEXT["en"])
    day = today()
    admin = users[0]
    catalogue = build_catalogue(text, admin, day)
    license_agents(users, admin, day)
    return write_book(text, catalogue, customers, users, day)
