"""Reading the report cells: a kind's figures over a period's months summed
in SQL (``cells``) for the user's scope, and the rows the cells count but
the user must not see (``unseen_transactions``, ``unseen_events``), to take
off again.

The cells hold the owner and team core's ``scoped`` narrows by (the
transaction's agent and team, the claim's), so it narrows them exactly as
it narrows the rows (all, team, own). They hold no customer: what
``visible_records`` adds — the customer is neither in the recycle bin nor
out of the user's sight — is read from the rows of those customers alone
(few: the bin for someone who sees everything, the customers moved to
someone else for a manager or agent, found among the moved customers of
:mod:`.moved`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, func, literal_column, select

from core.api import Customer, User, binned_customer_ids, db, scoped, sees_all, visible_customer_ids

from ...models import Claim, MovedCustomer, Policy, ReportCell
from .cohort import KINDS, terms
from .earned import T, transactions
from .incurred import E, events

#: the cell column of each grouping of the reports
GROUPING = {
    "month": ReportCell.month,
    "carrier": ReportCell.carrier_id,
    "product": ReportCell.product_id,
    "line": ReportCell.line,
    "agent": ReportCell.agent_id,
}
#: core's scope, on the cells' owner and team
SCOPE = {"owner_attr": "owner_id", "team_attr": "team_id"}


def cells(
    kind: str, user: User | None, first: date, last: date, group_by: str, currency=None
) -> Select:
    """``(group, currency, parts, cents)`` of the cells of ``kind`` of the
    months ``first`` … ``last`` that ``user``'s scope holds, per group and
    currency."""
    group = GROUPING[group_by]
    query = select(
        group, ReportCell.currency, func.sum(ReportCell.parts), func.sum(ReportCell.cents)
    ).where(ReportCell.kind == kind, ReportCell.month >= first, ReportCell.month <= last)
    if currency:
        query = query.where(ReportCell.currency == currency)
    query = scoped(query, ReportCell, user, **SCOPE)
    return query.group_by(group, ReportCell.currency)


def _unseen_customers(user: User | None) -> list[int]:
    """The customers ``user`` does not see that may have rows in their scope:
    those in the recycle bin, and the moved customers (:mod:`.moved`) of the
    records their scope holds that they do not see — the only ones, as a
    record their scope holds whose customer is its agent's and team's has a
    customer they see. Mostly none; the caller scopes the rows again. (Found
    among a few rows, where checking the customer of every row in the scope
    cost a manager 70–150 ms on PostgreSQL at 1,000,000 terms.)"""
    seen = visible_customer_ids(user).where(Customer.id == MovedCustomer.customer_id)
    moved = scoped(
        select(MovedCustomer.customer_id), MovedCustomer, user, owner_attr="agent_id"
    ).where(~seen.exists())
    return sorted(set(db.session.scalars(moved.union(binned_customer_ids()))))


def unseen_transactions(user: User | None, first: date, last: date, currency=None) -> Select | None:
    """The transactions (``earned.COLUMNS``) whose term overlaps ``first`` …
    ``last``, in ``user``'s scope (so in the cells ``cells`` reads), whose
    customer ``user`` does not see: in the recycle bin, or out of sight.
    None when there are none."""
    query = scoped(transactions(), T, user, owner_attr="agent_id").where(
        T.effective_on <= last, Policy.end_date >= first
    )
    if currency:
        query = query.where(T.currency == currency)
    if sees_all(user):
        return query.where(T.customer_id.in_(binned_customer_ids()))
    unseen = _unseen_customers(user)
    return query.where(T.customer_id.in_(unseen)) if unseen else None


def unseen_events(user: User | None, first: date, last: date, currency=None) -> Select | None:
    """The claim events (``incurred.COLUMNS``) of ``first`` … ``last`` of the
    claims in ``user``'s scope (not deleted), whose customer ``user`` does
    not see. None when there are none."""
    query = scoped(events(), Claim, user, owner_attr="agent_id").where(
        E.event_on >= first, E.event_on <= last
    )
    if currency:
        query = query.where(E.currency == currency)
    if sees_all(user):
        return query.where(Claim.customer_id.in_(binned_customer_ids()))
    unseen = _unseen_customers(user)
    return query.where(Claim.customer_id.in_(unseen)) if unseen else None


def cohort_cells(
    user: User | None,
    first: date,
    last: date,
    skip: list[date],
    reached: dict[int, date],
    group_by: str,
    currency=None,
) -> Select:
    """``(group, kind, currency, then for each horizon n of reached: parts,
    cents; and all parts)`` of the cohort cells of the months ``first`` …
    ``last`` but those of ``skip`` (first days) that ``user``'s scope holds,
    per group, kind and currency: a cell counts for horizon ``n`` when its
    month is before ``reached[n]`` (the first day of the month where the
    horizon is reached part way: the caller skips that one and reads it from
    the terms)."""
    group = GROUPING[group_by]
    sums = []
    for before in reached.values():
        inside = ReportCell.month < before
        sums += [
            func.sum(case((inside, ReportCell.parts), else_=0)),
            func.sum(case((inside, ReportCell.cents), else_=0)),
        ]
    sums.append(func.sum(ReportCell.parts))
    query = select(group, ReportCell.kind, ReportCell.currency, *sums).where(
        ReportCell.kind.in_(KINDS), ReportCell.month >= first, ReportCell.month <= last
    )
    if skip:
        query = query.where(ReportCell.month.not_in(skip))
    if currency:
        query = query.where(ReportCell.currency == currency)
    query = scoped(query, ReportCell, user, **SCOPE)
    return query.group_by(group, ReportCell.kind, ReportCell.currency)


#: the condition of the cohort indexes (``models.policy._COHORT``), repeated
#: as literals: SQLite reads a partial index only when the query repeats them
COHORT = (
    Policy.term_no == literal_column("1"),
    Policy.issued_on.is_not(None),
    Policy.deleted_at.is_(None),
)


def unseen_terms(user: User | None, first: date, last: date, currency=None) -> Select | None:
    """The first terms (``cohort.COLUMNS``) with inception in ``first`` …
    ``last``, in ``user``'s scope (so in the cells ``cohort_cells`` reads),
    whose customer ``user`` does not see: in the recycle bin, or out of
    sight. None when there are none."""
    query = scoped(terms(), Policy, user, owner_attr="agent_id").where(
        *COHORT, Policy.inception_on >= first, Policy.inception_on <= last
    )
    if currency:
        query = query.where(Policy.currency == currency)
    if sees_all(user):
        return query.where(Policy.customer_id.in_(binned_customer_ids()))
    unseen = _unseen_customers(user)
    return query.where(Policy.customer_id.in_(unseen)) if unseen else None
