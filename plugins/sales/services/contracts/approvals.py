"""Contracts declared to core's approval engine (``sales.contract``): a
flow may ask a manager to approve contracts above an amount, or in a
currency, before they may be signed.

Unlike a deal a contract keeps its approval in its own status: submitting
moves a draft to "pending" while the request waits (the engine locks it
meanwhile), the decision moves it on — approved to "approved", rejected or
withdrawn back to "draft". With no flow the request is approved at once.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.api import (
    Approvable,
    ApprovalRequest,
    User,
    audit,
    db,
    refuse,
    submit_for_approval,
    transaction,
    translator,
)

from ...models import Contract
from ..access import visible_records

_, _l = translator("sales")

RECORD = "sales.contract"


def load_contract(contract_id: int, user: User | None) -> Contract | None:
    """The contract for the engine: any for core's own work (``user`` None);
    else one ``user`` may see and change — submitting locks it."""
    if user is None:
        return db.session.get(Contract, contract_id)
    if not user.can("sales.contract.write"):
        return None
    return db.session.scalar(visible_records(Contract, user).where(Contract.id == contract_id))


def decided(contract: Contract, outcome: str) -> None:
    """Move the contract with the decision, in the decision's transaction
    (a contract past approval, submitted again through core's API, stays)."""
    before = contract.status
    if before not in ("draft", "pending"):
        return
    contract.status = "approved" if outcome == "approved" else "draft"
    if contract.status != before:
        audit(None, contract, outcome, {"status": before}, {"status": contract.status})


def approvable() -> Approvable:
    return Approvable(
        RECORD,
        Contract,
        _l("Contract"),
        fields={"amount": "number", "currency": "choice"},
        field_labels={"amount": _l("Amount"), "currency": _l("Currency")},
        customer_id=lambda contract: contract.customer_id,
        title=lambda contract: f"{contract.number} {contract.title}",
        url=lambda contract: url_for("sales.contract", contract_id=contract.id),
        on_decided=decided,
        load=load_contract,
    )


def submit_contract(contract: Contract, actor: User) -> ApprovalRequest:
    """Submit a draft for approval: "pending" while the request waits,
    "approved" at once when no flow applies."""
    if contract.status != "draft":
        refuse(state={"status": [_("only a draft contract is submitted for approval")]})
    with transaction():  # the request and the contract's status commit together
        request = submit_for_approval(RECORD, contract.id, actor)
        if request.status == "pending":
            audit(actor, contract, "submit", {"status": contract.status}, {"status": "pending"})
            contract.status = "pending"
    return request


def latest_request(contract: Contract) -> ApprovalRequest | None:
    """The contract's newest approval request (None: never submitted)."""
    return db.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == RECORD, ApprovalRequest.record_id == contract.id)
        .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
        .limit(1)
    )


def mark_waiting(request: ApprovalRequest) -> None:
    """A draft submitted through core's own approvals API (not
    :func:`submit_contract`) waits as "pending" all the same (after the
    submit's commit: ``trellis_approval_submitted``)."""
    if request.record_type != RECORD or request.status != "pending":
        return
    contract = db.session.get(Contract, request.record_id)
    if contract is None or contract.status != "draft":
        return
    with transaction():
        audit(None, contract, "submit", {"status": contract.status}, {"status": "pending"})
        contract.status = "pending"
