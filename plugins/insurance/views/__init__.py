"""The plugin's web pages under ``/insurance``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.policies`: the policies list and the customer page's Policies tab
- :mod:`.quotes`: the "New quote" form and a draft's edit
- :mod:`.catalogue`: carriers, products, their covers, premium tables and prices
- :mod:`.agents`: agents and their licences
- :mod:`.claims`: claims — the list, a claim's page and moves, the report
  form, the customer page's Claims tab
- :mod:`.premiums`: the policy page's Premiums panel and its forms (pay,
  reverse, reinstate), the "Overdue premiums" list
- :mod:`.commission` (what its pages share, the policy page's Commission
  section), :mod:`.commission_statements`, :mod:`.commission_rules`,
  :mod:`.leaderboard`: commission
- :mod:`.public`: the public claim form (报案, no sign-in) and its tracking page
- :mod:`.documents`: the documents panel (单证) of a claim's and a policy's page
"""

# their routes join the blueprint in this order
from . import policies  # noqa: F401  # isort: skip
from . import quotes  # noqa: F401  # isort: skip
from . import catalogue  # noqa: F401  # isort: skip
from . import agents  # noqa: F401  # isort: skip
from . import claims  # noqa: F401  # isort: skip
from . import premiums  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import widgets  # noqa: F401  # isort: skip
from . import households  # noqa: F401  # isort: skip
from . import persons  # noqa: F401  # isort: skip
from . import commission  # noqa: F401  # isort: skip
from . import commission_statements  # noqa: F401  # isort: skip
from . import commission_rules  # noqa: F401  # isort: skip
from . import leaderboard  # noqa: F401  # isort: skip
from . import renewals  # noqa: F401  # isort: skip
from . import public  # noqa: F401  # isort: skip
from . import documents  # noqa: F401  # isort: skip
from .blueprint import bp
from .policies import LIST_SIZE, customer_policies_query

__all__ = ["LIST_SIZE", "bp", "customer_policies_query"]
