"""The plugin's web pages under ``/sales``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.deals`: the deals list, the board, a deal's page and form, the
  customer page's Deals tab and the pipeline and forecast widgets
- :mod:`.followups`: overdue follow-ups and their widget
- :mod:`.leads`: leads, the CSV import, the web forms and the public form they post to
- :mod:`.products`: products and a deal's lines
- :mod:`.pipelines`: pipeline administration
- :mod:`.reports`: the reports page
- :mod:`.targets`: targets and commission
"""

# their routes join the blueprint in this order, the deals' first
from . import deals  # noqa: F401  # isort: skip
from . import followups, leads, products  # noqa: F401  # isort: skip
from . import pipelines, reports, targets  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
