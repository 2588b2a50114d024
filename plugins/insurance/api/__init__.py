"""The plugin's JSON API under ``/api/v1/insurance``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it.

- :mod:`.policies`: the policies list and a policy
- :mod:`.catalogue`: carriers, products, premium tables and prices
- :mod:`.agents`: agents and their licences
- :mod:`.claims`: claims — report, a claim with its history, its moves
- :mod:`.premiums`: instalments (a term's; open, overdue, in grace), payments, reversal
- :mod:`.documents`: a claim's and a policy's documents (单证), by kind
"""

# their routes join the blueprint in this order, which the OpenAPI document follows
from . import policies  # noqa: F401  # isort: skip
from . import catalogue  # noqa: F401  # isort: skip
from . import agents  # noqa: F401  # isort: skip
from . import claims  # noqa: F401  # isort: skip
from . import premiums  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import parties  # noqa: F401  # isort: skip
from . import commission  # noqa: F401  # isort: skip
from . import renewals  # noqa: F401  # isort: skip
from . import documents  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
