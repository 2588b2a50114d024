"""Report cells (报表汇总): the deals added up in advance, by the month they
were created in, so that the funnel and the forecast of someone who sees
every deal read some thousands of cells instead of a million deals.

Two kinds of cell (``models.ReportCell``):

- ``deal`` — every live deal, by month created, pipeline, stage, furthest
  position, currency, lost reason and target month (the month an open deal
  is expected to close, or a won deal closed): how many deals, their amount,
  the seconds from creation to close and how many are closed;
- ``open`` — the open deals again, by month created, pipeline, stage,
  currency, owner and team: the funnel's open pipeline by owner and team.

Beside them, one row per customer with a won deal (``models.CustomerWins``):
when the first was won and the most won in one currency — what the KPIs
ask of every closed deal ("the customer's first win?", "a valuable
customer?"), for everyone, as one look-up instead of a search of the
customer's deals. And each owner's closed deals of each customer
(``models.CustomerKpi``: won per currency, lost), with those two answers in
the row: the KPIs over all time count distinct customers per owner, which
no month's cell can add up, so they count these rows instead of every
closed deal (``kpis``). The customer's rows are all counted again whenever
one of its closed deals changes (:mod:`.customers`).

**Kept in the same transaction as the deals.** Every ORM flush that adds,
changes or deletes deals adds the difference to the cells and counts the
wins and KPI rows of the customers whose closed deals changed again:
``before_flush`` reads the touched deals' rows as they are in the
database, ``after_flush`` as they have become. A bulk ``UPDATE``/``DELETE``
of deals bypasses the ORM: run it inside ``recounted(where)`` (the
plugin's transfer, merge and purge do). A loader that writes deals with
plain SQL calls ``rebuild()`` afterwards.

**Who reads them.** Only a user who sees every deal (``core.api.sees_all``)
and chose no owner, team or source: the cells hold no customer, so the
deals of customers in the recycle bin — hidden from everyone — are added up
at query time and taken off (few, and found through the bin's index), and
the months a period covers only in part are read from the deals
themselves. Everyone else's reports read the deals through
``access.visible_deals``, as before. ``reports._read`` decides which. The
KPI rows answer only all-time KPIs of every pipeline (``kpis``); the rows
of customers in the bin are left out by customer.

Beside the deals, the money (:mod:`.money`): the payments collected and
reversed and the contracts signed, by month, currency, owner and team, kept
the same way, for contracted vs collected.

The flush hooks every kind of kept row shares are in :mod:`.hooks`; the
keeping of the deals is in :mod:`.keeping` (the customers' rows in
:mod:`.customers`), the reading in :mod:`.reading`; their names are all
here, as ``report_cells.X``.
"""

from .customers import _wins, kpi_facts, kpi_rows, refresh_customers
from .keeping import (
    COLUMNS,
    KEYS,
    MEASURES,
    apply,
    cell_key,
    cell_rows,
    contributions,
    deal_rows,
    month_of,
    move,
    outcomes,
    rebuild,
    recounted,
)
from .money import (
    CONTRACTS,
    COUNTED,
    PAYMENTS,
    contract_contributions,
    money_cells,
    payment_contributions,
    recounted_money,
)
from .reading import Plan, binned_deals, cells, midnight, plan
from .writing import cents

__all__ = [
    "COLUMNS",
    "CONTRACTS",
    "COUNTED",
    "KEYS",
    "MEASURES",
    "PAYMENTS",
    "Plan",
    "_wins",
    "apply",
    "binned_deals",
    "cell_key",
    "cell_rows",
    "cells",
    "contract_contributions",
    "cents",
    "contributions",
    "deal_rows",
    "kpi_facts",
    "kpi_rows",
    "midnight",
    "money_cells",
    "month_of",
    "move",
    "outcomes",
    "payment_contributions",
    "plan",
    "rebuild",
    "recounted",
    "recounted_money",
    "refresh_customers",
]
