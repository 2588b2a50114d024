"""Who sees which deals and leads — the sales plugin's one place for it.

Both go through core's scoped query helper: a rep sees their own, a manager
their team's. A deal is also only visible while its customer is: a rep who
owns a deal of a customer that has since moved to another rep's private
list does not see that customer's name through the deal.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import Customer, NotFoundError, User, db, scoped, translator

from .models import Deal, Lead

_, _l = translator("sales")


def visible_customers(user: User | None) -> Select:
    """The ids of the live customers ``user`` may see."""
    return scoped(select(Customer.id), Customer, user)


def visible_user_ids(user: User | None) -> Select:
    """The users whose work ``user`` may see: themselves, their team's (and
    sub-teams') members, or everyone, by the role's scope."""
    return scoped(select(User.id), User, user, owner_attr="id")


def visible_deals(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: the deals) restricted to the deals ``user`` may see."""
    query = select(Deal) if query is None else query
    return scoped(query, Deal, user).where(Deal.customer_id.in_(visible_customers(user)))


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
