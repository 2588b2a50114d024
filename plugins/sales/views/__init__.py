"""The plugin's web pages under ``/sales``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.deals`: the deals list, the board, a deal's page and form, the
  customer page's Deals tab and the pipeline and forecast widgets
- :mod:`.followups`: overdue follow-ups and their widget
- :mod:`.leads`: leads, the CSV import, the web forms and the public form they post to
- :mod:`.products`: products and a deal's lines
- :mod:`.pipelines`: pipeline administration
- :mod:`.reports`: the reports page
- :mod:`.money_reports`: the money reports page (回款报表)
- :mod:`.targets`: targets and commission
- :mod:`.quotes`: the quotes list, a quote's page (send, accept, reject,
  revise, submit for approval, PDF) and its form with lines
- :mod:`.contracts`: the contracts list, a contract's page and its moves, the
  customer page's Contracts tab; :mod:`.contract_forms`: new (from a customer,
  a deal, an accepted quote), edit, amend, terminate
- :mod:`.receivables`: the contract page's receivables section (plan,
  payments, reversal), the plan form, the collection list and its widget
- :mod:`.invoices`: the invoices list (finance's queue), an invoice's page,
  the contract page's invoices section, the customer page's Billing details tab
"""

# their routes join the blueprint in this order, the deals' first
from . import deals  # noqa: F401  # isort: skip
from . import followups, leads, products  # noqa: F401  # isort: skip
from . import pipelines, reports, targets  # noqa: F401  # isort: skip
from . import quotes, contracts, receivables, invoices  # noqa: F401  # isort: skip
from . import money_reports  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
