"""Report cells (服务报表汇总): the work orders added up in advance, by the
day they were opened, so that the SLA report of someone who sees every
order reads some thousands of cells instead of a year's orders.

Two kinds of cell (``models.ReportCell``):

- ``order`` — the orders by UTC day opened, product and status, whose
  figures no longer depend on the time of asking (``PENDING_SQL``: no
  deadline is left that nobody met yet — once an order is done with, or was
  accepted in time and has no resolve-by): how many, met and breached
  response and resolution, responded, the milliseconds to respond and to
  resolve, first-time fixes, repeat visits and revisit scores;
- ``visit`` — the visits by UTC day checked in and engineer: how many, and
  the milliseconds on site (utilisation).

**Kept in the same transaction as the orders.** Every ORM flush that adds,
changes or deletes orders or revisits adds the difference to the cells:
``before_flush`` reads the touched orders' rows as they are in the
database, ``after_flush`` as they have become. A bulk ``UPDATE``/``DELETE``
of orders or revisits through the session (the merge's re-pointing, the
purge) is read before and after as well (``do_orm_execute``). A loader that
writes orders with plain SQL calls ``rebuild()`` afterwards.

**Who reads them.** Only a user who sees every order (``core.api.sees_all``)
and chose no engineer, team, category or priority (``applies``): the cells
hold no customer, so the orders of customers in the recycle bin — hidden
from everyone — are added up at query time and taken off, and the pending
orders of the period (a few thousand, along the partial index
``ix_service_dispatch_work_order_pending``) are read from the orders and
added. Everyone else's reports read the orders through
``access.filtered_orders``, as before. ``services.reports`` decides which.
"""

from .keeping import (
    COLUMNS,
    MEASURES,
    apply,
    cell_key,
    cell_rows,
    contributions,
    move,
    order_rows,
    pending,
    rebuild,
)
from .reading import (
    NARROWING,
    PENDING,
    applies,
    binned_orders,
    order_cells,
    pending_orders,
    settled,
    visit_cells,
)

__all__ = [
    "COLUMNS",
    "MEASURES",
    "NARROWING",
    "PENDING",
    "applies",
    "apply",
    "binned_orders",
    "cell_key",
    "cell_rows",
    "contributions",
    "move",
    "order_rows",
    "order_cells",
    "pending",
    "pending_orders",
    "rebuild",
    "settled",
    "visit_cells",
]
