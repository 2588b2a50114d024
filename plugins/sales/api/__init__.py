"""The plugin's JSON API under ``/api/v1/sales``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it, the
schemas in :mod:`plugins.sales.schemas`.

- :mod:`.pipelines`: pipelines and their stages
- :mod:`.deals`: deals, their CSV export, stage moves and history
- :mod:`.leads`: leads, their follow-ups, the CSV import, the assignment rules
- :mod:`.reports`: the funnel, the forecast, the account-manager KPIs
- :mod:`.targets`: monthly targets, commission rules and statements
- :mod:`.products`: products and a deal's lines
"""

# their routes join the blueprint in this order, which the OpenAPI document
# follows and which names a repeated endpoint (``list_rules_27``): keep it
from . import pipelines  # noqa: F401  # isort: skip
from . import deals  # noqa: F401  # isort: skip
from . import leads  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import targets  # noqa: F401  # isort: skip
from . import products  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
