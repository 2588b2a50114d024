"""Report cells (报表汇总): earned premium, claims incurred and persistency
cohorts added up in advance, by month, so that the premium, loss-ratio and
persistency reports sum some thousands of cells instead of splitting every
transaction of the period in Python and adding up every claim event (27-31
s for an admin at 1,000,000 terms) or grouping every first term (0.8 s on
SQLite).

Three kinds of cell (``models.ReportCell``), by month, currency, carrier,
product, line, agent, and the owner and team the user's scope narrows by:

- ``earned`` (:mod:`.earned`) — each policy transaction's premium change
  split over the months of its term by the largest remainder in cents
  (:mod:`.split`): a month's part never depends on the period it is read
  in, so the parts can be added up once;
- ``incurred`` (:mod:`.incurred`) — the paid and reserve changes of the
  claim events of the month, of the claims not deleted;
- ``cohort…`` (:mod:`.cohort`) — the persistency cohorts: each issued
  first term by its inception month, one part and its APE, the kind
  carrying its p13 and p25 marks (``cohort+?``: kept at 13 months, 25 not
  marked yet).

**Kept in the same transaction as the rows.** Every ORM flush that writes a
transaction or an event adds its parts to the cells (``after_flush`` reads
the new rows); a term whose ``end_date`` moves, a claim whose agent, team
or deletion changes, has its rows counted again (``before_flush`` reads
them as they were). A bulk ``UPDATE``/``DELETE`` through the session — the
purge, the merge's re-pointing, a transfer of claims — is read before and
after as well (``do_orm_execute``). A loader that writes with plain SQL
calls ``rebuild()`` afterwards (``trellis insurance rebuild-cells``; the
benchmark's loader does). The machinery is in :mod:`.keeping`.

**Who reads them.** Everyone, through core's ``scoped`` on the cells' owner
and team (all, team, own — as on the rows). The cells hold no customer, so
the rows of customers the user must not see — in the recycle bin, or (a
manager, an agent) moved out of their sight — are read and taken off again
(:mod:`.reading`), found among the customers some of whose records another
agent or team holds (:mod:`.moved`). ``reports.premium``, ``reports.claims`` and
``reports.persistency`` read them.
"""

from . import cohort, earned, incurred, moved
from .keeping import KEPT, KEYS, MEASURES, Kept, apply, cell_key, cell_rows, rebuild
from .reading import GROUPING, cells, cohort_cells, unseen_events, unseen_terms, unseen_transactions
from .split import cents_of, split_cents

__all__ = [
    "GROUPING",
    "KEPT",
    "KEYS",
    "MEASURES",
    "Kept",
    "apply",
    "cell_key",
    "cell_rows",
    "cells",
    "cents_of",
    "cohort",
    "cohort_cells",
    "earned",
    "incurred",
    "moved",
    "rebuild",
    "split_cents",
    "unseen_events",
    "unseen_terms",
    "unseen_transactions",
]
