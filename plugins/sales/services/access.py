"""Who sees which deals and leads — the sales plugin's one place for it.

Both go through core's scoped query helper: a rep sees their own, a manager
their team's. A deal is also only visible while its customer is: a rep who
owns a deal of a customer that has since moved to another rep's private
list does not see that customer's name through the deal — core's
``visible_records`` rule, which the other records of a customer and an owner
(quotes, contracts, instalments, payments, invoices) follow as they are.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import (
    Customer,
    DataScope,
    NotFoundError,
    User,
    binned_customer_ids,
    db,
    scoped,
    search_match,
    sees_all,
    translator,
    visible_customer_ids,
)

# the records that belong to a customer and an owner (quotes, contracts,
# instalments, payments, invoices) follow core's rule; the sales modules
# import it from here
from core.api import visible_record as visible_record
from core.api import visible_records as visible_records

from ..models import Deal, Lead, Stage

_, _l = translator("sales")

#: the ids of the customers in the recycle bin, and of the live customers a
#: user may see (the names the sales modules use)
binned_customers = binned_customer_ids
visible_customers = visible_customer_ids


def visible_user_ids(user: User | None) -> Select:
    """The users whose work ``user`` may see: themselves, their team's (and
    sub-teams') members, or everyone, by the role's scope."""
    return scoped(select(User.id), User, user, owner_attr="id")


def visible_deals(
    user: User | None, query: Select | None = None, *, sorted_list: bool = False
) -> Select:
    """``query`` (default: the deals) restricted to the deals ``user`` may
    see: core's :func:`visible_records` rule.

    ``sorted_list``: the query is a list read a page at a time along an index
    (newest change first). On SQLite the planner is then told that a deal's
    customer is visible for most deals when the user sees a team's customers
    — else it gathers every visible deal through the customers first and
    sorts them all. A rep's own few customers are still searched first."""
    query = select(Deal) if query is None else query
    if (
        sorted_list
        and db.engine.dialect.name == "sqlite"
        and not sees_all(user)
        and user is not None
        and user.role is not None
        and user.role.scope != DataScope.own
    ):
        visible = func.likely(Deal.customer_id.in_(visible_customers(user)))
        return scoped(query, Deal, user).where(visible)
    return visible_records(Deal, user, query)


def search_deals(user: User | None, args: dict) -> Select:
    """The deals of the deals list (page, API and CSV export alike): those
    ``user`` may see, narrowed by ``pipeline_id``, ``stage_id``, ``owner_id``,
    ``customer_id``, ``outcome`` (open, won, lost) and ``q`` — part of the
    title or of the customer's name."""
    # a text search may match few deals: then gathering the visible ones
    # first beats walking the whole index in date order
    query = visible_deals(user, sorted_list=not args.get("q"))
    for key in ("pipeline_id", "stage_id", "owner_id", "customer_id"):
        if args.get(key):
            query = query.where(getattr(Deal, key) == args[key])
    if args.get("outcome"):
        query = query.where(
            Deal.stage_id.in_(select(Stage.id).where(Stage.outcome == args["outcome"]))
        )
    if args.get("q"):
        query = query.where(
            search_match(Deal, args["q"], user)
            | Deal.customer_id.in_(
                select(Customer.id).where(search_match(Customer, args["q"], user))
            )
        )
    return query


def visible_deal(deal_id: int, user: User | None) -> Deal:
    deal = db.session.scalar(visible_deals(user).where(Deal.id == deal_id))
    if deal is None:
        raise NotFoundError(_("deal %(id)s not found", id=deal_id))
    return deal


def visible_leads(user: User | None) -> Select:
    return scoped(select(Lead), Lead, user)


def visible_lead(lead_id: int, user: User | None) -> Lead:
    lead = db.session.scalar(visible_leads(user).where(Lead.id == lead_id))
    if lead is None:
        raise NotFoundError(_("lead %(id)s not found", id=lead_id))
    return lead


def visible_deal_ids(user: User | None, ids: list[int]) -> set[int]:
    """Which of the deals ``ids`` ``user`` may open (none without ``sales.deal.read``)."""
    if user is None or not user.can("sales.deal.read"):
        return set()
    return set(db.session.scalars(visible_deals(user, select(Deal.id)).where(Deal.id.in_(ids))))


def open_deal_counts(user: User | None, customer_ids: list[int]) -> dict[int, int]:
    """How many open deals ``user`` may see, for each of ``customer_ids`` that
    has any: one query for a whole page of customers."""
    rows = db.session.execute(
        visible_deals(user, select(Deal.customer_id, func.count()))
        .where(Deal.customer_id.in_(customer_ids), Deal.closed_at.is_(None))
        .group_by(Deal.customer_id)
    ).all()
    return {customer_id: count for customer_id, count in rows}
