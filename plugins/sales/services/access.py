"""Who sees which deals and leads — the sales plugin's one place for it.

Both go through core's scoped query helper: a rep sees their own, a manager
their team's. A deal is also only visible while its customer is: a rep who
owns a deal of a customer that has since moved to another rep's private
list does not see that customer's name through the deal.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import (
    Customer,
    DataScope,
    NotFoundError,
    User,
    db,
    scoped,
    search_match,
    sees_all,
    translator,
)

from ..models import Deal, Lead, Stage

_, _l = translator("sales")


def visible_customers(user: User | None) -> Select:
    """The ids of the live customers ``user`` may see."""
    return scoped(select(Customer.id), Customer, user)


def binned_customers() -> Select:
    """The ids of the customers in the recycle bin: no one sees them or their deals."""
    return select(Customer.id).where(Customer.deleted_at.is_not(None))


def visible_user_ids(user: User | None) -> Select:
    """The users whose work ``user`` may see: themselves, their team's (and
    sub-teams') members, or everyone, by the role's scope."""
    return scoped(select(User.id), User, user, owner_attr="id")


def visible_deals(
    user: User | None, query: Select | None = None, *, sorted_list: bool = False
) -> Select:
    """``query`` (default: the deals) restricted to the deals ``user`` may see.

    Someone who sees every customer sees the deals of the customers not in
    the recycle bin: said so, the check is a look-up in the (small) bin, not
    in a list of every customer, and the planners may drive a report from
    the deals' own indexes.

    ``sorted_list``: the query is a list read a page at a time along an index
    (newest change first). On SQLite the planner is then told that a deal's
    customer is visible for most deals when the user sees a team's customers
    — else it gathers every visible deal through the customers first and
    sorts them all. A rep's own few customers are still searched first."""
    query = select(Deal) if query is None else query
    if sees_all(user):
        return scoped(query, Deal, user).where(Deal.customer_id.not_in(binned_customers()))
    visible = Deal.customer_id.in_(visible_customers(user))
    if (
        sorted_list
        and db.engine.dialect.name == "sqlite"
        and user is not None
        and user.role is not None
        and user.role.scope != DataScope.own
    ):
        visible = func.likely(visible)
    return scoped(query, Deal, user).where(visible)


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


def visible_records(model: type, user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: the rows of ``model``) restricted to the rows
    ``user`` may see, for the records that belong to a customer and an owner
    as a deal does — quotes, contracts, instalments, payments, invoices: a
    rep sees their own, a manager their team's, and only while the customer
    is visible to them and not in the recycle bin."""
    query = select(model) if query is None else query
    query = scoped(query, model, user)
    if sees_all(user):
        return query.where(model.customer_id.not_in(binned_customers()))  # type: ignore[attr-defined]
    return query.where(model.customer_id.in_(visible_customers(user)))  # type: ignore[attr-defined]


def visible_record(model: type, record_id: int, user: User | None):
    """The row ``record_id`` of ``model`` if ``user`` may see it, else
    :class:`NotFoundError` naming the record (by the model's ``__label__``)."""
    record = db.session.scalar(
        visible_records(model, user).where(model.id == record_id)  # type: ignore[attr-defined]
    )
    if record is None:
        label = getattr(model, "__label__", model.__name__)
        raise NotFoundError(_("%(what)s %(id)s not found", what=label, id=record_id))
    return record
