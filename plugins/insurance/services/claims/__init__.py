"""Claims (理赔): the rules in one place, a module per concern.

- :mod:`.reporting`: report a claim (报案) on a policy term that covered the
  loss date — :func:`report_claim`
- :mod:`.lifecycle`: every later move through the claim's state table,
  with its reserve (未决赔款) and paid amounts — :func:`transition`
- :mod:`.queries`: the claims a user may see, and a claim's history
- :mod:`.risk`: the risk warnings (风险预警) a report fires
- :mod:`.events`: the event row and timeline entry every step writes
- :mod:`.public`: the public claim form's report (no account, proven by the
  policyholder's phone) and its tracking link (进度查询链接)
"""

from .lifecycle import transition
from .reporting import report_claim

__all__ = ["report_claim", "transition"]
