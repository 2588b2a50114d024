"""The plugin's JSON API under ``/api/v1/service``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it, the
schemas in :mod:`plugins.service_dispatch.schemas`.

- :mod:`.orders`: work orders, their transitions, suggested engineers
- :mod:`.attachments`, :mod:`.contracts` (and SLA policies, the calendar),
  :mod:`.engineers`, :mod:`.lookup` (customers by phone), :mod:`.parts` (and
  stock), :mod:`.reports` (revisits and the SLA report), :mod:`.review`
  (public requests waiting for review), :mod:`.schedule`
"""

# their routes join the blueprint; the OpenAPI document lists them in that
# order, the work orders first
from . import orders  # noqa: F401  # isort: skip
from . import attachments, contracts, engineers, lookup, parts, reports, review, schedule  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
