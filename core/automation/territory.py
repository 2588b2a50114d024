"""Assignment by territory: ``assign_owner`` with ``method`` ``territory``.

An SME splits its market by province or city and gives each part to a
team. The action keeps that split as ordered lines of text, one a line::

    浙江, 上海 → Sales East
    广东 → Sales South

The record's ``territory_field`` (``region`` — the province — or
``city``; the record's own, else its customer's) picks the first line one
of whose values it equals or starts with, compared without case or spaces
around (``浙江`` takes ``浙江省``); the team is named as it is called (or by
its id). Within the team the owner is chosen in turn, as the round robin of
one team is, with a pointer kept per rule and team in core's counters
(:class:`~core.models.NumberSequence`, key ``automation.assign|rule-<id>|team-<id>``),
so that two teams served by one rule each take their turns. No line
matches: the action's ``user_id``, else its ``team_id`` in turn.

Lines rather than a territory table: a territory here is only "these
values go to that team", read by one action; a table would add pages, an
API and a migration for what a few lines of text say, and no other part of
Trellis reads territories yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from core.extensions import db
from core.i18n import _, _l
from core.models import AutomationRule, Customer, NumberSequence, Team

#: the customer fields a territory is read from, with their labels
TERRITORY_FIELDS = (("region", _l("Region / province")), ("city", _l("City")))
DEFAULT_FIELD = "region"
MAX_LINES = 200
_ARROW = re.compile(r"→|->|=>|=")
_SEPARATORS = re.compile(r"[,，、;；]")


@dataclass(frozen=True)
class Territory:
    """One line: the values (folded) that send a record to ``team``."""

    line: int
    values: tuple[str, ...]
    team: str


def fold(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def parse(lines: Any) -> tuple[list[Territory], list[str]]:
    """The lines of ``lines`` (text) and what is wrong with them. Empty
    lines and lines starting with ``#`` are left out."""
    found: list[Territory] = []
    problems: list[str] = []
    if not isinstance(lines, str):
        return [], [_("expected lines of text: value → team")]
    for number, raw in enumerate(lines.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _ARROW.split(line, maxsplit=1)
        values = [fold(v) for v in _SEPARATORS.split(parts[0]) if v.strip()]
        team = parts[1].strip() if len(parts) == 2 else ""
        if not values or not team:
            problems.append(_("line %(n)d: expected value → team", n=number))
            continue
        found.append(Territory(number, tuple(values), team))
    if len(found) > MAX_LINES:
        problems.append(_("at most %(n)d lines", n=MAX_LINES))
    return found, problems


def team_named(name: str) -> Team | None:
    """The team called ``name`` (case aside), or whose id it is."""
    if name.isdigit():
        by_id = db.session.get(Team, int(name))
        if by_id is not None:
            return by_id
    return db.session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))


def check(params: dict[str, Any], columns: list[str], has_customer: bool) -> dict[str, list[str]]:
    """Errors by parameter of a territory assignment (none: sound)."""
    errors: dict[str, list[str]] = {}
    field = params.get("territory_field") or DEFAULT_FIELD
    if field not in dict(TERRITORY_FIELDS):
        names = ", ".join(name for name, _label in TERRITORY_FIELDS)
        errors["territory_field"] = [_("must be one of: %(options)s", options=names)]
    elif field not in columns and not has_customer:
        errors["territory_field"] = [_("the record has no %(field)s and no customer", field=field)]
    lines, problems = parse(params.get("territories") or "")
    for line in lines:
        if team_named(line.team) is None:
            problems.append(_("line %(n)d: no such team: %(team)s", n=line.line, team=line.team))
    if not lines and not problems:
        problems.append(_("give at least one line: value → team"))
    if problems:
        errors["territories"] = problems
    return errors


def value_of(record: Any, field: str, customer: Customer | None) -> str | None:
    """The record's own ``field`` (a lead's region), else its customer's."""
    if hasattr(type(record), field):
        return getattr(record, field)
    return getattr(customer, field, None) if customer is not None else None


def match(lines: list[Territory], value: str | None) -> Territory | None:
    """The first line one of whose values ``value`` equals or starts with."""
    folded = fold(value)
    if not folded:
        return None
    for line in lines:
        if any(folded == v or folded.startswith(v) for v in line.values):
            return line
    return None


def _key(rule: AutomationRule, team: Team) -> str:
    return f"automation.assign|rule-{rule.id}|team-{team.id}"


def last_given(rule: AutomationRule, team: Team) -> int | None:
    """The user this rule last gave a record to within ``team``."""
    if rule.id is None:
        return None
    return db.session.scalar(
        select(NumberSequence.last).where(NumberSequence.key == _key(rule, team))
    )


def remember(rule: AutomationRule, team: Team, user_id: int) -> None:
    table = NumberSequence.__tablename__
    db.session.execute(
        text(
            f"INSERT INTO {table} (key, last) VALUES (:key, :last) "
            "ON CONFLICT (key) DO UPDATE SET last = :last"
        ),
        {"key": _key(rule, team), "last": user_id},
    )
