"""What core's merge, transfer and purge do to the sales money records —
quotes, contracts (with their amendments), instalments, payments, invoices
and billing details — inside core's own transaction (no commit here).

- merge: every record of the merged customer moves to the survivor; the
  survivor keeps its billing details, else takes the merged customer's.
- transfer (a rep leaves): their open quotes (draft, sent) and open
  contracts (not completed or terminated) go to the colleague, the team
  following the colleague; the instalments, payments and invoices of those
  contracts copy the contract's new owner and team, as they always do.
- purge: deleted children first (invoices → payments → instalments →
  amendments → contracts → quote lines → quotes → billing details).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from core.api import User, db, delete_rows, repoint

from ...models import (
    BillingProfile,
    Contract,
    ContractAmendment,
    Instalment,
    Invoice,
    Payment,
    Quote,
    QuoteLine,
)

#: the records that carry a customer_id of their own
CUSTOMER_RECORDS = (Quote, Contract, Instalment, Payment, Invoice)
OPEN_QUOTES = ("draft", "sent")
CLOSED_CONTRACTS = ("completed", "terminated")


def merge_money_records(survivor_id: int, merged_id: int) -> int:
    moved = sum(repoint(model, "customer_id", merged_id, survivor_id) for model in CUSTOMER_RECORDS)
    kept = db.session.scalar(
        select(BillingProfile.id).where(BillingProfile.customer_id == survivor_id)
    )
    if kept is None:
        moved += repoint(BillingProfile, "customer_id", merged_id, survivor_id)
    else:
        delete_rows(BillingProfile, "customer_id", merged_id)
    return moved


def transfer_money_records(from_user_id: int, to_user_id: int) -> int:
    to_user = db.session.get(User, to_user_id)
    team_id = to_user.team_id if to_user is not None else None
    team = {"team_id": team_id} if team_id is not None else {}
    quotes = _execute(
        update(Quote)
        .where(Quote.owner_id == from_user_id, Quote.status.in_(OPEN_QUOTES))
        .values(owner_id=to_user_id, version=Quote.version + 1, **team)
        .execution_options(synchronize_session=False)
    )
    contract_ids = list(
        db.session.scalars(
            select(Contract.id).where(
                Contract.owner_id == from_user_id, Contract.status.not_in(CLOSED_CONTRACTS)
            )
        )
    )
    if not contract_ids:
        return quotes
    db.session.execute(
        update(Contract)
        .where(Contract.id.in_(contract_ids))
        .values(owner_id=to_user_id, version=Contract.version + 1, **team)
        .execution_options(synchronize_session=False)
    )
    for model in (Instalment, Payment, Invoice):
        copies: dict[str, Any] = {"owner_id": to_user_id, **team}
        if hasattr(model, "version"):
            copies["version"] = model.version + 1
        db.session.execute(
            update(model)
            .where(model.contract_id.in_(contract_ids))
            .values(**copies)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()  # rows loaded before now show the new owners
    return quotes + len(contract_ids)


def _execute(statement) -> int:
    """Run an UPDATE; how many rows it changed."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def purge_money_records(customer_id: int) -> int:
    contracts = select(Contract.id).where(Contract.customer_id == customer_id)
    quotes = select(Quote.id).where(Quote.customer_id == customer_id)
    session = db.session
    session.execute(delete(Invoice).where(Invoice.contract_id.in_(contracts)))
    delete_rows(Invoice, "customer_id", customer_id)
    session.execute(delete(Payment).where(Payment.contract_id.in_(contracts)))
    delete_rows(Payment, "customer_id", customer_id)
    session.execute(delete(Instalment).where(Instalment.contract_id.in_(contracts)))
    delete_rows(Instalment, "customer_id", customer_id)
    session.execute(delete(ContractAmendment).where(ContractAmendment.contract_id.in_(contracts)))
    count = delete_rows(Contract, "customer_id", customer_id)
    # another customer's record never points at these quotes; a new quote revision may
    session.execute(
        update(Quote)
        .where(Quote.supersedes_id.in_(quotes))
        .values(supersedes_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(QuoteLine).where(QuoteLine.quote_id.in_(quotes)))
    count += delete_rows(Quote, "customer_id", customer_id)
    delete_rows(BillingProfile, "customer_id", customer_id)
    return count


def detach_deals(deal_ids) -> None:
    """Quotes and contracts of other customers stop pointing at purged deals
    (none should; the purge must not fail on one that does)."""
    for model in (Quote, Contract):
        db.session.execute(
            update(model)
            .where(model.deal_id.in_(deal_ids))
            .values(deal_id=None)
            .execution_options(synchronize_session=False)
        )
