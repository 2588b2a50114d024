"""Households (家庭): persons grouped as one family, its whole cover and its
cover gaps (保障缺口) — the agent's cross-sell list (交叉销售). The rules in
one place, a module per concern:

- :mod:`.rules`: the words and numbers the rules use — the gap rules
  (:data:`GAP_RULES`), the relationships to the head and their order
- :mod:`.membership`: a household and who is in it — :func:`create_household`,
  :func:`add_members`, :func:`remove_members`, the households a user may see
- :mod:`.cover`: a household's cover as the pages and the API show it, and
  its gaps by the four rules — :func:`judge`
- :mod:`.queries`: each member's relationship and live cover, read for any
  number of households in four queries — :func:`covers`, :func:`cover_of`,
  the cross-sell list (:func:`cross_sell`) and the hint on a customer's page
"""

from .cover import Gap, Held, HouseholdCover, MemberCover, judge
from .membership import (
    HouseholdChange,
    HouseholdInput,
    MembersInput,
    add_members,
    create_household,
    members_of,
    remove_members,
    search_households,
    update_household,
    visible_household,
)
from .queries import cover_of, covers, cross_sell, customer_gaps, customer_names
from .rules import ADULT_AGE, GAP_RULES, NAME, ORDER, PARENTS, PERSON_LINES, relation_labels

__all__ = [
    "ADULT_AGE",
    "GAP_RULES",
    "NAME",
    "ORDER",
    "PARENTS",
    "PERSON_LINES",
    "Gap",
    "Held",
    "HouseholdChange",
    "HouseholdCover",
    "HouseholdInput",
    "MemberCover",
    "MembersInput",
    "add_members",
    "cover_of",
    "covers",
    "create_household",
    "cross_sell",
    "customer_gaps",
    "customer_names",
    "judge",
    "members_of",
    "relation_labels",
    "remove_members",
    "search_households",
    "update_household",
    "visible_household",
]
