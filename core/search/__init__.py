"""Search: one index for every searchable record, in both languages.

- :mod:`core.search.tokens` — texts into index terms (Chinese by two-character
  windows, words by prefix, phone numbers by any run of their digits)
- :mod:`core.search.ddl` — the database's index: SQLite FTS5, PostgreSQL GIN
- :mod:`core.search.writer` — kept in step by every ORM write; ``rebuild``
- :mod:`core.search.index` — :func:`search_match` and :func:`search_rank`,
  the filter and order a scoped query adds
- :mod:`core.search.best` — :func:`best_matches`, the search box's few best
  matches of a kind, found without ranking every match
- :mod:`core.search.text` — :func:`text_contains`, a plain substring filter
  for fields that are not indexed
"""

from core.search.best import best_matches
from core.search.index import check_searchable, search_match, search_rank
from core.search.text import text_contains
from core.search.writer import rebuild

__all__ = [
    "best_matches",
    "check_searchable",
    "rebuild",
    "search_match",
    "search_rank",
    "text_contains",
]


def core_searchables() -> list:
    """Customers and contacts: by name, phone numbers and e-mail addresses."""
    from core.declarations import Searchable
    from core.models import Contact, Customer

    return [
        Searchable("customer", Customer, ("name", "phones", "emails")),
        Searchable("contact", Contact, ("name", "phones", "emails")),
    ]
