"""Contracted, invoiced and collected side by side (开票与回款对照).

Per contract: what was signed (``amount``), what finance invoiced (issued
invoices: ``Contract.invoiced``), what came in (confirmed payments:
``Contract.collected``, kept by the payments), what is still only requested,
and the two gaps finance chases — invoiced but not yet collected (the
customer owes money it has an invoice for) and collected but not yet
invoiced (the customer paid and waits for its invoice). The sums are kept
on the contract, so a list reads them without adding up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.api import User, db

from ...models import Contract, Invoice
from ..access import visible_records

ZERO = Decimal("0.00")


def figures(contract: Contract, requested: Decimal = ZERO) -> dict[str, Any]:
    """The summary of one contract (``requested``: its invoices waiting to be issued)."""
    invoiced, collected = contract.invoiced or ZERO, contract.collected or ZERO
    return {
        "contract_id": contract.id,
        "number": contract.number,
        "title": contract.title,
        "customer_id": contract.customer_id,
        "currency": contract.currency,
        "contracted": contract.amount,
        "invoiced": invoiced,
        "collected": collected,
        "requested": requested,
        "invoiced_not_collected": max(invoiced - collected, ZERO),
        "collected_not_invoiced": max(collected - invoiced, ZERO),
        "left_to_invoice": max(contract.amount - invoiced - requested, ZERO),
    }


def contract_summary(contract: Contract) -> dict[str, Any]:
    """:func:`figures` of a contract the caller has already found visible."""
    return figures(contract, _requested([contract.id]).get(contract.id, ZERO))


def summaries(
    user: User | None,
    *,
    customer_id: int | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The summaries of the contracts ``user`` may see (newest signed first),
    of one customer or all; ``open_only`` keeps those with a gap (invoiced
    and collected differ)."""
    query = visible_records(Contract, user).where(Contract.deleted_at.is_(None))
    if customer_id is not None:
        query = query.where(Contract.customer_id == customer_id)
    if open_only:
        query = query.where(Contract.invoiced != Contract.collected)
    contracts = db.session.scalars(
        query.order_by(Contract.signed_date.desc(), Contract.id.desc()).offset(offset).limit(limit)
    ).all()
    requested = _requested([c.id for c in contracts])
    return [figures(c, requested.get(c.id, ZERO)) for c in contracts]


def _requested(contract_ids: list[int]) -> dict[int, Decimal]:
    """The amounts requested but not yet issued, by contract: one query."""
    if not contract_ids:
        return {}
    rows = db.session.execute(
        select(Invoice.contract_id, func.sum(Invoice.amount))
        .where(
            Invoice.contract_id.in_(contract_ids),
            Invoice.status == "requested",
            Invoice.deleted_at.is_(None),
        )
        .group_by(Invoice.contract_id)
    ).all()
    return {contract_id: Decimal(total) for contract_id, total in rows}
