"""Reading households' cover: each member's relationship to the head and
live terms, then the gaps; the cross-sell list and the customer's hint.

**Relationship to the head.** Persons keep no relationship of their own; a
member's is read from what the book says, in this order:

1. the member *is* the household's customer (``person_customer_id``):
   ``self``, the head;
2. the relationship stated when the head's file insured them (their latest
   insured row on a policy held by the household's customer, any state);
3. a minor (under 18 today, by birth date): ``child``;
4. else not known.

**Cover.** A member's policies are the live terms (in force or in grace)
the reader may see where the member is insured or is the holder (the
member's own customer file; the head also holds the household customer's
policies). A line counts as covered for the member when they are insured on
such a term, or hold one that names no insured person (a motor or home
policy, a legacy row). Terms tied to the household (``household_id``)
count for the whole household.

**Cost.** Any number of households is judged in four narrow queries — the
households, their members, the members' insured rows, the live policies —
never one per household; the cross-sell list judges every household of the
reader's scope this way, then sorts by the number of gaps and pages in
memory (the order is a rule's outcome, not a column).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import CompoundSelect, Select, exists, or_, select, union

from core.api import Customer, User, db

from ...models import LIVE_STATES, Household, Insured, Person, Policy
from ..access import visible_households, visible_persons, visible_policies
from ..terms import today
from .cover import Held, HouseholdCover, MemberCover, judge
from .rules import ADULT_AGE, ORDER, PERSON_LINES


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def covers(households: Select, user: User | None) -> dict[int, HouseholdCover]:
    """The cover and gaps of the households ``households`` selects (a select
    of ``Household`` rows, already scoped), by id — four queries whatever
    their number."""
    chosen = households.with_only_columns(Household.id).order_by(None).scalar_subquery()
    found: dict[int, HouseholdCover] = {
        row.id: HouseholdCover(row.id, row.name, row.customer_id)
        for row in db.session.execute(
            households.with_only_columns(Household.id, Household.name, Household.customer_id)
        )
    }
    if not found:
        return found
    member_rows = db.session.execute(
        visible_persons(user)
        .with_only_columns(
            Person.id,
            Person.name,
            Person.household_id,
            Person.customer_id,
            Person.person_customer_id,
            Person.birth_date,
        )
        .where(Person.household_id.in_(chosen))
        .order_by(Person.name, Person.id)
    ).all()
    members: dict[int, MemberCover] = {}
    household_of: dict[int, int] = {}
    for row in member_rows:
        if row.household_id not in found:
            continue
        member = MemberCover(
            row.id, row.name, row.customer_id, row.person_customer_id, row.birth_date
        )
        members[row.id] = member
        household_of[row.id] = row.household_id
        found[row.household_id].members.append(member)
    member_ids = select(Person.id).where(Person.household_id.in_(chosen))
    # every insured row of the members (any state): their relationship, the terms insuring them
    links = db.session.execute(
        select(
            Insured.person_id,
            Insured.policy_id,
            Insured.relation,
            Policy.customer_id,
            Policy.start_date,
        )
        .join(Policy, Policy.id == Insured.policy_id)
        .where(Insured.person_id.in_(member_ids), Policy.deleted_at.is_(None))
        .order_by(Policy.start_date, Policy.id)
    ).all()
    _relations(found, members, household_of, links)
    for cover in found.values():  # the head first, then spouse, parents, children, others
        cover.members.sort(key=lambda m: (ORDER.get(m.relation, len(ORDER)), m.name, m.person_id))
    holder_files: CompoundSelect = union(
        select(Person.person_customer_id).where(
            Person.household_id.in_(chosen), Person.person_customer_id.is_not(None)
        ),
        select(Household.customer_id).where(Household.id.in_(chosen)),
    )
    names_insured = exists().where(Insured.policy_id == Policy.id)
    live = db.session.execute(
        visible_policies(user)
        .with_only_columns(
            Policy.id,
            Policy.number,
            Policy.quote_number,
            Policy.line,
            Policy.status,
            Policy.customer_id,
            Policy.household_id,
            names_insured.label("names_insured"),
        )
        .where(
            Policy.status.in_(LIVE_STATES),
            or_(
                Policy.id.in_(select(Insured.policy_id).where(Insured.person_id.in_(member_ids))),
                Policy.customer_id.in_(holder_files),
                Policy.household_id.in_(chosen),
            ),
        )
        .order_by(Policy.line, Policy.end_date, Policy.id)
    ).all()
    _attribute(found, members, household_of, links, live)
    for cover in found.values():
        cover.gaps = judge(cover)
    return found


def _relations(found, members, household_of, links) -> None:
    """Each member's relationship to the head (the module's rules 1–3)."""
    stated: dict[int, str] = {}
    for person_id, _policy_id, relation, holder, _start in links:
        household = household_of.get(person_id)
        if household is not None and holder == found[household].customer_id:
            stated[person_id] = relation  # the latest term last
    day = today()
    for person_id, member in members.items():
        head_file = found[household_of[person_id]].customer_id
        if member.person_customer_id is not None and member.person_customer_id == head_file:
            member.relation = "self"
        elif person_id in stated:
            member.relation = stated[person_id]
        elif (age := _age(member.birth_date, day)) is not None and age < ADULT_AGE:
            member.relation = "child"


def _attribute(found, members, household_of, links, live) -> None:
    """Hand each live term to the members it insures and to its holder; a
    term tied to the household that reaches no member is the household's."""
    insured_on: dict[int, list[int]] = {}
    for person_id, policy_id, *_rest in links:
        insured_on.setdefault(policy_id, []).append(person_id)
    holders: dict[int, list[int]] = {}
    for person_id, member in members.items():
        cover = found[household_of[person_id]]
        files = {member.person_customer_id}
        if member.head:
            files.add(cover.customer_id)
        for file in files - {None}:
            holders.setdefault(file, []).append(person_id)
    for row in live:
        number = row.number or row.quote_number
        reached = set()
        for person_id in insured_on.get(row.id, ()):
            if person_id in members:
                member = members[person_id]
                member.policies.append(Held(row.id, number, row.line, row.status, "insured"))
                member.lines.add(row.line)
                reached.add(household_of[person_id])
        for person_id in holders.get(row.customer_id, ()):
            member = members[person_id]
            if person_id in insured_on.get(row.id, ()):
                continue
            member.policies.append(Held(row.id, number, row.line, row.status, "holder"))
            if not row.names_insured or row.line not in PERSON_LINES:
                member.lines.add(row.line)
            reached.add(household_of[person_id])
        if row.household_id in found and row.household_id not in reached:
            found[row.household_id].shared.append(
                Held(row.id, number, row.line, row.status, "household")
            )


def cover_of(household: Household, user: User | None) -> HouseholdCover:
    """One household's members, their live cover by line and its gaps."""
    return covers(select(Household).where(Household.id == household.id), user)[household.id]


def cross_sell(user: User | None, page: int = 1, per_page: int = 50) -> dict:
    """The households in ``user``'s scope that have gaps, most gaps first
    (then by name), a page of them: ``{"items", "page", "per_page", "total"}``."""
    judged = [c for c in covers(visible_households(user), user).values() if c.gaps]
    judged.sort(key=lambda c: (-len(c.gaps), c.name.casefold(), c.household_id))
    start = (page - 1) * per_page
    return {
        "items": judged[start : start + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(judged),
    }


def customer_gaps(customer_id: int, user: User | None) -> list[HouseholdCover]:
    """The households (in ``user``'s scope) that ``customer_id`` heads or
    belongs to, with their gaps — the hint on the customer's page."""
    member_of = select(Person.household_id).where(
        Person.person_customer_id == customer_id, Person.household_id.is_not(None)
    )
    query = visible_households(user).where(
        (Household.customer_id == customer_id) | Household.id.in_(member_of)
    )
    return [c for c in covers(query, user).values() if c.gaps]


def customer_names(ids: Iterable[int]) -> dict[int, str]:
    """Customers' names by id (for a page of households)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))
    return {row.id: row.name for row in rows}
