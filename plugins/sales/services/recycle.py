"""The sales plugin's part in core's recycling: the customer pool's condition
"no won deal for M days", and what a purged customer takes with it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from core.api import Customer, db, delete_rows, translator, whole_days

from ..models import Contract, Deal, DealLine, Lead, Payment, Stage, StageChange
from .contracts.records import detach_deals, purge_money_records
from .report_cells import recounted, recounted_money

_, _l = translator("sales")


def no_won_deal_params(params: dict) -> dict:
    return {"days": whole_days(params, "days", 1, 3650)}


def no_won_deal_customer_ids(params: dict, now: datetime):
    """Customers owned for more than ``days`` without a deal won in that time
    (in a won stage, closed since then)."""
    since = now - timedelta(days=params["days"])
    won_recently = (
        select(Deal.customer_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Stage.outcome == "won", Deal.closed_at >= since, Deal.deleted_at.is_(None))
    )
    return select(Customer.id).where(Customer.created_at < since, Customer.id.not_in(won_recently))


def purge_customer(customer_id: int) -> int:
    """Delete the purged customer's quotes, contracts, instalments, payments,
    invoices and billing details, then its deals with their stage history;
    its leads stay (they are the record of where the customer came from),
    detached."""
    deals = select(Deal.id).where(Deal.customer_id == customer_id)
    contracts = select(Contract.id).where(Contract.customer_id == customer_id)
    with recounted_money(  # the money report cells lose the purged payments and contracts
        payments=(Payment.customer_id == customer_id) | Payment.contract_id.in_(contracts),
        contracts=Contract.customer_id == customer_id,
    ):
        purge_money_records(customer_id)  # quotes, contracts and what hangs off them first
    detach_deals(deals)
    db.session.execute(
        update(Lead).where(Lead.customer_id == customer_id).values(customer_id=None, deal_id=None)
    )
    db.session.execute(update(Lead).where(Lead.deal_id.in_(deals)).values(deal_id=None))
    db.session.execute(delete(StageChange).where(StageChange.deal_id.in_(deals)))
    db.session.execute(delete(DealLine).where(DealLine.deal_id.in_(deals)))
    with recounted(Deal.customer_id == customer_id):
        return delete_rows(Deal, "customer_id", customer_id)
