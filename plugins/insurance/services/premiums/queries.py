"""The instalments a list shows: an instalment's status (open, overdue,
settled) and the narrowing and sorting the API's list and the "Overdue
premiums" page share.

The overdue instalments of terms in grace or in force — the grace list, the
page's "in force or in grace" — are read from the *terms* that can owe
something: a term's open instalments are due on or after its
``next_due_on`` (the oldest open one), so in grace every one
(``ix_insurance_policy_grace``), in force those with ``next_due_on`` before
the day (``ix_insurance_policy_arrears``); then their open instalments term
by term (``ix_insurance_instalment_open``: policy_id, due_on WHERE
settled_on IS NULL), and the few rows are sorted.

Not through ``ix_insurance_instalment_due`` (due_on, id …): a lapsed term's
unpaid instalments stay open for ever, and reading that index — walking it
in the list's order, or its whole range "due before today" — reads every
one of them, years back, besides the few that matter. The planners took it
when they misjudged the rows: PostgreSQL walked it for the ``ORDER BY
due_on, id LIMIT`` at 1,000,000 terms, and read the whole range for a hash
join with the terms at 200,000. So, on PostgreSQL the terms are an array
(``policy_id = ANY(ARRAY(…))``, computed first), which it reads as one scan
of ``ix_insurance_instalment_open`` for those ids, not a join it could turn
round; and on both the lists sort by :data:`DUE_BY_TERM`, the same date as
an expression no index holds, so there is no ordered walk to prefer. A
lapsed term's overdue instalments are most of them: the page's "Lapsed"
filter keeps the plain conditions (the due-date index finds them at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, any_, func, literal, select, union_all

from core.api import User, db, scoped

from ...models import Policy, PremiumInstalment
from ..access import OWNER

INSTALMENT_STATES = ("open", "overdue", "settled")
#: the term states whose overdue instalments are read term by term: few
#: terms (the nightly job moves them on within weeks), each owing one or two
BY_TERM = frozenset({"grace", "in_force"})
#: an open instalment's due date (the rows of those lists are open), to sort
#: them by without an index that holds it in order
DUE_BY_TERM = func.coalesce(PremiumInstalment.settled_on, PremiumInstalment.due_on)


def instalment_state(instalment: PremiumInstalment, on: date) -> str:
    """settled (paid in full, or closed by a cancellation), overdue (open
    and due before ``on``) or open."""
    if instalment.settled_on is not None:
        return "settled"
    return "overdue" if instalment.due_on < on else "open"


def term_states(args: dict) -> tuple[str, ...]:
    """The term states a list's ``args`` ask for (``status=grace``: grace)."""
    states = ("grace",) if args.get("status") == "grace" else args.get("policy_status") or ()
    return (states,) if isinstance(states, str) else tuple(states)


def read_by_term(args: dict) -> bool:
    """Whether the list of ``args`` is read from the terms (see above)."""
    states = term_states(args)
    return args.get("status") in ("overdue", "grace") and bool(states) and BY_TERM >= set(states)


def list_sorts(sortable: dict[str, Any], args: dict) -> dict[str, Any]:
    """A list's sort keys for ``args``: ``due_on`` by :data:`DUE_BY_TERM`
    when the list is read from the terms."""
    return {**sortable, "due_on": DUE_BY_TERM} if read_by_term(args) else sortable


def terms_in(
    states: Sequence[str], user: User | None = None, owing_before: date | None = None
) -> Select | CompoundSelect:
    """The ids of the live terms in ``states``; given ``user``, only those of
    their role's scope (an agent's grace terms are then read through
    ``ix_insurance_policy_agent_grace``; the customer's visibility is left
    to the instalments' own scope). ``owing_before``: only those that may
    have an instalment due before that day unpaid — in force, those whose
    oldest open one (``next_due_on``) is; in any other state all."""
    parts = []
    for state in states:
        # the state written into the SQL, not bound: the partial indexes
        # (``status = 'grace'``) hold no status, so a planner given ``status
        # = ?`` reads each term's row to check it (SQLite: 2,000 look-ups at
        # 200,000 terms), or cannot use them at all (a PostgreSQL generic plan)
        status = literal(state, literal_execute=True)
        part = select(Policy.id).where(Policy.status == status, Policy.deleted_at.is_(None))
        if state == "in_force" and owing_before is not None:
            part = part.where(Policy.next_due_on < owing_before)
        parts.append(part if user is None else scoped(part, Policy, user, **OWNER))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def of_terms(terms: Select | CompoundSelect) -> ColumnElement[bool]:
    """The instalment is of one of ``terms`` (ids), read term by term (above)."""
    if db.engine.dialect.name == "postgresql":
        return PremiumInstalment.policy_id == any_(func.array(terms.scalar_subquery()))
    return PremiumInstalment.policy_id.in_(terms)


def narrow_instalments(query: Select, args: dict, on: date, user: User | None = None) -> Select:
    """``query`` (instalments) narrowed by ``status`` — open, overdue (due
    before ``on``), grace (overdue on a term in grace) — and by
    ``policy_id``, ``customer_id``, ``agent_id``, ``policy_status`` (a state
    of the term, or a tuple of states). ``user``: whose list it is
    (``query`` is scoped to them already): the terms are then read in their
    scope too — for an agent or a team a short walk. Sort it by
    :func:`list_sorts`."""
    status = args.get("status")
    overdue = status in ("overdue", "grace")
    if status in ("open", "overdue", "grace"):
        query = query.where(PremiumInstalment.settled_on.is_(None))
    if overdue:
        query = query.where(PremiumInstalment.due_on < on)
    states = term_states(args)
    if states:
        terms = terms_in(states, user, on if overdue else None)
        query = query.where(
            of_terms(terms) if read_by_term(args) else PremiumInstalment.policy_id.in_(terms)
        )
    for key in ("policy_id", "customer_id", "agent_id"):
        if args.get(key):
            query = query.where(getattr(PremiumInstalment, key) == args[key])
    return query
