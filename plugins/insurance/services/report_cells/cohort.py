"""Persistency cohort cells (``kind`` ``cohort`` + the p13 and p25 marks):
each issued first term, by its inception month, currency, carrier, product,
line and agent (owner) and team — one part and its APE (``annual_premium``,
in cents) — as the persistency report counts it (``reports.persistency``):
a term deleted, or cancelled on or before the end of its cooling-off
period, adds nothing.

The marks are part of the kind, three letters each (``+`` kept, ``-`` not
kept, ``?`` not marked yet): ``cohort+-`` is kept at 13 months, not at 25.
A term's marks are written once by the daily job (``services.persistency``,
a bulk ``UPDATE`` the bulk hook reads before and after); issuing, a
cancellation in the cooling-off period, a change of agent, team or premium
move its part in the same flush. Only a change of ``ATTRS`` moves it: the
many other updates of a term (status, paid-to date) cost nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, select

from ...models import Policy
from .keeping import Kept, keep

P = Policy
PREFIX = "cohort"
#: the letter of a mark in the kind
MARK = {True: "+", False: "-", None: "?"}
#: every kind of cohort cell
KINDS = tuple(PREFIX + a + b for a in MARK.values() for b in MARK.values())
#: what a term adds to its cell is decided by these columns alone
COLUMNS = (
    P.id,
    P.term_no,
    P.issued_on,
    P.deleted_at,
    P.inception_on,
    P.cancelled_on,
    P.cooling_off_ends_on,
    P.currency,
    P.carrier_id,
    P.product_id,
    P.line,
    P.agent_id,
    P.team_id,
    P.annual_premium,
    P.p13,
    P.p25,
)
#: the attributes of those columns (a change of any other moves nothing)
ATTRS = tuple(column.key for column in COLUMNS if column.key != "id")


def terms() -> Select:
    """``select(*COLUMNS)`` of the policy terms."""
    return select(*COLUMNS)


def marks(kind: str) -> tuple[bool | None, bool | None]:
    """The (p13, p25) marks a cohort ``kind`` stands for."""
    letters = {letter: mark for mark, letter in MARK.items()}
    return letters[kind[len(PREFIX)]], letters[kind[len(PREFIX) + 1]]


def in_cohort(row) -> bool:
    """Whether the term ``row`` (``COLUMNS``, by name) is in a persistency
    cohort: an issued first term, not deleted, not cancelled in its
    cooling-off period."""
    if row.term_no != 1 or row.issued_on is None or row.deleted_at is not None:
        return False
    cancelled, cooling = row.cancelled_on, row.cooling_off_ends_on
    return not (cancelled is not None and cooling is not None and cancelled <= cooling)


def ape_cents(amount) -> int:
    """An annual premium in cents (a Decimal, or a float from SQLite)."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount or 0))
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: [terms, APE cents]}`` that the term ``rows`` add up to."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if not in_cohort(row):
            continue
        kind = PREFIX + MARK[row.p13] + MARK[row.p25]
        key = (
            kind,
            row.inception_on.replace(day=1),
            row.currency,
            row.carrier_id,
            row.product_id,
            row.line,
            row.agent_id,
            row.agent_id,
            row.team_id,
        )
        cell = cells[key]
        cell[0] += 1
        cell[1] += ape_cents(row.annual_premium)
    return cells


COHORT = keep(Kept(PREFIX, P, terms, contributions, P, P.id, (), row_attrs=ATTRS))
