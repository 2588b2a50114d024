"""The plugin's JSON API under ``/api/v1/sales``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it, the
schemas in :mod:`plugins.sales.schemas`.

- :mod:`.pipelines`: pipelines and their stages
- :mod:`.deals`: deals, their CSV export, stage moves and history
- :mod:`.leads`: leads, their follow-ups, the CSV import, the assignment rules
- :mod:`.reports`: the funnel, the forecast, the account-manager KPIs
- :mod:`.targets`: monthly targets, commission rules and statements
- :mod:`.products`: products and a deal's lines
- :mod:`.quotes`: quotes, edits of a draft, revise, send, accept (with a
  contract), reject, submit for approval, the PDF
- :mod:`.money_reports`: aging, overdue, collection and DSO, contracted vs collected,
  quote conversion, approval turnaround
- :mod:`.contracts`: contracts, their CSV export, submit, sign, activate,
  complete, terminate, amend, and the contract of an accepted quote
- :mod:`.receivables`: a contract's receivable plan, payments (record, list,
  reverse), the collection list
- :mod:`.invoices`: invoices requested, issued and cancelled, a customer's
  billing profile, a contract's invoice summary
"""

# their routes join the blueprint in this order, which the OpenAPI document
# follows and which names a repeated endpoint (``list_rules_27``): keep it
from . import pipelines  # noqa: F401  # isort: skip
from . import deals  # noqa: F401  # isort: skip
from . import leads  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import targets  # noqa: F401  # isort: skip
from . import products  # noqa: F401  # isort: skip
from . import quotes  # noqa: F401  # isort: skip
from . import contracts  # noqa: F401  # isort: skip
from . import receivables  # noqa: F401  # isort: skip
from . import invoices  # noqa: F401  # isort: skip
from . import money_reports  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
