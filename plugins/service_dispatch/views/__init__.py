"""The plugin's web pages under ``/service``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.orders`: the work order list, the board, an order's page and form,
  the customer tab and the open-orders widget
- :mod:`.field`: the engineer's "My jobs today"
- :mod:`.attachments`, :mod:`.contracts` (and the SLA page), :mod:`.engineers`,
  :mod:`.lookup`, :mod:`.parts`, :mod:`.public` (request links, the public
  form and tracking), :mod:`.reports` (and the revisit form), :mod:`.review`
  (public requests waiting for review), :mod:`.schedule`
"""

# their routes join the blueprint, the work orders' (and the labels every page uses) first
from . import orders  # noqa: F401  # isort: skip
from . import (  # noqa: F401
    attachments,
    contracts,
    engineers,
    field,
    lookup,
    parts,
    public,
    reports,
    review,
    schedule,
)
from .blueprint import bp

__all__ = ["bp"]
