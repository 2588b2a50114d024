"""The words and numbers the household rules use: a name's limits, the
lines that cover a person, who counts as a parent, the order members are
listed in, the age of a child, the gap rules (code → label, line to quote)
and the relationships to the head in the reader's language."""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from core.api import NotBlank, translator

_, _l = translator("insurance")
#: a name: 1 to 120 characters, not only blanks
NAME = [validate.Length(min=1, max=120), NotBlank()]
#: the lines that cover a person (the others cover a thing: a car, a home)
PERSON_LINES = ("life", "health", "accident")
#: who counts as a parent for ``child_uninsured``: relationships to the head
PARENTS = ("self", "spouse", "parent")
#: the order members are listed in, by their relationship to the head
ORDER = {"self": 0, "spouse": 1, "parent": 2, "child": 3, "employee": 4, "other": 5}
#: a member younger than this with no stated relationship is taken for a child
ADULT_AGE = 18

#: the gap rules, in the order a household's gaps are listed: code → (label, line to quote)
GAP_RULES: dict[str, tuple[Any, str]] = {
    "motor_no_home": (_l("Motor cover but no home cover"), "property"),
    "child_uninsured": (_l("Parents insured, this child not"), "health"),
    "head_no_life": (_l("Head of household without life cover"), "life"),
    "no_accident_health": (_l("No accident or health cover"), "accident"),
}


def relation_labels() -> dict[str | None, str]:
    """A member's relationship to the head, in the reader's language."""
    return {
        "self": _("Head of household"),
        "spouse": _("Spouse"),
        "child": _("Child"),
        "parent": _("Parent"),
        "employee": _("Employee"),
        "other": _("Other"),
        None: _("Not known"),
    }
