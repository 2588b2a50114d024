"""Earned premium cells (``kind == "earned"``): every policy transaction's
premium change split over the months of its term (:mod:`.split`), each
part added to its month's cell, by currency, carrier, product, line, and
the transaction's agent (owner) and team. A transaction is never changed
(``policies.transactions`` refuses it), but a term whose ``end_date`` moves
has its transactions counted again, and a purge's bulk ``DELETE`` takes
them off."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, select

from ...models import Policy, PolicyTransaction
from .keeping import Kept, keep
from .split import cents_of, split_cents

T = PolicyTransaction
#: what a transaction adds to its cells is decided by these columns alone
#: (the term's ``end_date`` too: its premium is earned up to it)
COLUMNS = (
    T.id,
    T.policy_id,
    T.premium_delta,
    T.effective_on,
    T.currency,
    T.carrier_id,
    T.product_id,
    T.line,
    T.agent_id,
    T.team_id,
    T.customer_id,
    Policy.end_date,
)


def transactions() -> Select:
    """``select(*COLUMNS)`` of the transactions."""
    return select(*COLUMNS).select_from(T).join(Policy, Policy.id == T.policy_id)


def contributions(rows: Iterable) -> dict[tuple, list[int]]:
    """``{cell key: [parts, earned cents]}`` that the transaction ``rows``
    (``COLUMNS``, by name) add up to: each change split over the months of
    its term; a transaction that changed nothing adds nothing. (Added up per
    group of cells first: a rebuild splits every transaction.)"""
    groups: dict[tuple, dict] = defaultdict(dict)
    for row in rows:
        if not row.premium_delta:
            continue
        agent = row.agent_id
        months = groups[
            (row.currency, row.carrier_id, row.product_id, row.line, agent, agent, row.team_id)
        ]
        for month, part in split_cents(cents_of(row.premium_delta), row.effective_on, row.end_date):
            cell = months.get(month)
            if cell is None:
                months[month] = [1, part]
            else:
                cell[0] += 1
                cell[1] += part
    return {
        ("earned", month, *dims): cell
        for dims, months in groups.items()
        for month, cell in months.items()
    }


EARNED = keep(Kept("earned", T, transactions, contributions, Policy, T.policy_id, ("end_date",)))
