"""The sales plugin's condition for the customer pool: no won deal for M days."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import Customer, translator, whole_days

from .models import Deal, Stage

_, _l = translator("sales")


def no_won_deal_params(params: dict) -> dict:
    return {"days": whole_days(params, "days", 1, 3650)}


def no_won_deal_customer_ids(params: dict, now: datetime):
    """Customers owned for more than ``days`` without a deal won in that time
    (a deal is won when its stage has a 100% win probability)."""
    since = now - timedelta(days=params["days"])
    won_recently = (select(Deal.customer_id).join(Stage, Stage.id == Deal.stage_id)
                    .where(Stage.probability == 100, Deal.updated_at >= since,
                           Deal.deleted_at.is_(None)))
    return select(Customer.id).where(Customer.created_at < since,
                                     Customer.id.not_in(won_recently))
