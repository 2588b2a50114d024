"""The plugin's web pages under ``/insurance``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.policies`: the policies list and the customer page's Policies tab
- :mod:`.catalogue`: carriers, products, their covers, premium tables and prices
- :mod:`.agents`: agents and their licences
- :mod:`.claims`: claims — the list, a claim's page and moves, the report
  form, the customer page's Claims tab
"""

# their routes join the blueprint in this order
from . import policies  # noqa: F401  # isort: skip
from . import catalogue  # noqa: F401  # isort: skip
from . import agents  # noqa: F401  # isort: skip
from . import claims  # noqa: F401  # isort: skip
from .blueprint import bp
from .policies import LIST_SIZE, customer_policies_query

__all__ = ["LIST_SIZE", "bp", "customer_policies_query"]
