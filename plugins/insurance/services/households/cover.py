"""A household's cover as the pages and the API show it — each member's
live terms (:class:`Held`) and lines, the household's shared terms — and
its gaps.

**Gaps** (each with a code, a label in the reader's language, the member it
is about and the line a quote would fill):

- ``motor_no_home``: motor cover but no property cover in the household
  ("motor but no home"), about the first member with motor cover;
- ``child_uninsured``: a parent (the head, the spouse or a parent of the
  head) is covered for health or life and a child is covered for neither;
- ``head_no_life``: the head has no life cover;
- ``no_accident_health``: a member has neither accident nor health cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .rules import GAP_RULES, PARENTS, relation_labels


@dataclass
class Held:
    """A live term as a member holds it: ``role`` is ``insured`` or ``holder``."""

    policy_id: int
    number: str | None
    line: str
    status: str
    role: str


@dataclass
class Gap:
    code: str
    person_id: int | None
    person_name: str | None
    line: str

    @property
    def label(self) -> str:
        return str(GAP_RULES[self.code][0])


@dataclass
class MemberCover:
    person_id: int
    name: str
    customer_id: int
    person_customer_id: int | None
    birth_date: date | None
    relation: str | None = None
    policies: list[Held] = field(default_factory=list)
    lines: set[str] = field(default_factory=set)

    @property
    def head(self) -> bool:
        return self.relation == "self"

    @property
    def relation_label(self) -> str:
        return relation_labels()[self.relation]

    def has(self, *lines: str) -> bool:
        return bool(self.lines.intersection(lines))


@dataclass
class HouseholdCover:
    household_id: int
    name: str
    customer_id: int
    members: list[MemberCover] = field(default_factory=list)
    #: terms tied to the household that no member holds or is insured on
    shared: list[Held] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def lines(self) -> set[str]:
        found = {h.line for h in self.shared}
        for member in self.members:
            found |= {h.line for h in member.policies}
        return found

    @property
    def head(self) -> MemberCover | None:
        return next((m for m in self.members if m.head), None)

    def gaps_of(self, person_id: int) -> dict[str, Gap]:
        """The member's gaps by the line a quote would fill."""
        return {g.line: g for g in self.gaps if g.person_id == person_id}


def judge(cover: HouseholdCover) -> list[Gap]:
    """The household's gaps by the module's four rules, in rule order."""
    gaps: list[Gap] = []
    lines = cover.lines
    if "motor" in lines and "property" not in lines:
        driver = next((m for m in cover.members if "motor" in m.lines), None) or cover.head
        who, name = (driver.person_id, driver.name) if driver else (None, None)
        gaps.append(Gap("motor_no_home", who, name, "property"))
    parents_covered = any(m.relation in PARENTS and m.has("health", "life") for m in cover.members)
    if parents_covered:
        for member in cover.members:
            if member.relation == "child" and not member.has("health", "life"):
                gaps.append(Gap("child_uninsured", member.person_id, member.name, "health"))
    head = cover.head
    if head is not None and "life" not in head.lines:
        gaps.append(Gap("head_no_life", head.person_id, head.name, "life"))
    for member in cover.members:
        if not member.has("accident", "health"):
            gaps.append(Gap("no_accident_health", member.person_id, member.name, "accident"))
    return gaps
