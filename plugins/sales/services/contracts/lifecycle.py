"""A contract's life after approval: signed → active (in progress) →
completed, or terminated with a reason from signed or active.

draft → pending → approved is the approval engine's part
(:mod:`.approvals`); a contract is signed only once approved. Each move is
one transaction, audited, written to the customer's timeline; signing fires
``trellis_sales_contract_signed`` after the commit. A signed contract turns
active on its start date by itself (:func:`activate_started`, a daily job)
or by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    Contact,
    User,
    audit,
    check_version,
    db,
    emit,
    ensure_unlocked,
    instance_timezone,
    load,
    log_activity,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Contract

_, _l = translator("sales")

#: the moves a person may make from each status (what the contract page offers)
ACTIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submit",),
    "pending": (),
    "approved": ("sign",),
    "signed": ("activate", "amend", "terminate"),
    "active": ("complete", "amend", "terminate"),
    "completed": ("renew",),
    "terminated": (),
}


class SignInput(Schema):
    signed_date = fields.Date(required=True)
    contact_id = fields.Integer(
        required=True, validate=validate.Range(1, 2**31 - 1), metadata={"description": "signatory"}
    )


class TerminateInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


def today() -> date:
    """Today in the instance's time zone (when a contract starts, what ends soon)."""
    return datetime.now(ZoneInfo(instance_timezone())).date()


def sign(
    contract: Contract, data: dict, actor: User | None, expected_version: int | None = None
) -> Contract:
    """Record the signature: the day and the customer's signatory. Only an
    approved contract is signed, once."""
    ensure_unlocked(contract)
    values = load(SignInput(), data)
    if contract.status != "approved":
        refuse(state={"status": [_status_refusal(contract, "sign")]})
    contact = db.session.get(Contact, values["contact_id"])
    if contact is None or contact.deleted_at is not None:
        refuse(missing={"contact_id": [_("no contact with this id")]})
    elif contact.customer_id != contract.customer_id:
        refuse({"contact_id": [_("this contact works for another customer")]})
    check_version(contract, expected_version)
    with transaction():
        _move(contract, actor, "sign", "signed", **values)
        _timeline(contract, actor, _("Contract %(number)s signed", number=contract.number))
        emit("sales_contract_signed", contract=contract)
    return contract


def activate(contract: Contract, actor: User | None, expected_version: int | None = None):
    """A signed contract is now in progress (by hand; see :func:`activate_started`)."""
    return _simple(contract, actor, expected_version, "activate", "signed", "active")


def complete(contract: Contract, actor: User | None, expected_version: int | None = None):
    """An active contract is fulfilled."""
    return _simple(contract, actor, expected_version, "complete", "active", "completed")


def terminate(
    contract: Contract, data: dict, actor: User | None, expected_version: int | None = None
) -> Contract:
    """End a signed or active contract early; the reason is required."""
    ensure_unlocked(contract)
    reason = (data.get("reason") or "").strip() if isinstance(data, dict) else ""
    values = load(TerminateInput(), {**data, "reason": reason} if isinstance(data, dict) else data)
    if contract.status not in ("signed", "active"):
        refuse(state={"status": [_status_refusal(contract, "terminate")]})
    check_version(contract, expected_version)
    with transaction():
        _move(
            contract,
            actor,
            "terminate",
            "terminated",
            termination_reason=values["reason"],
            terminated_at=utcnow(),
        )
        _timeline(
            contract,
            actor,
            _("Contract %(number)s terminated", number=contract.number),
            values["reason"],
        )
    return contract


def activate_started(on: date | None = None) -> int:
    """Every signed contract whose start date has come turns active (the
    daily job; running it twice changes nothing more)."""
    on = on or today()
    started = db.session.scalars(
        select(Contract).where(
            Contract.status == "signed", Contract.start_date <= on, Contract.deleted_at.is_(None)
        )
    ).all()
    with transaction():
        for contract in started:
            _move(contract, None, "activate", "active")
    return len(started)


def _simple(
    contract: Contract, actor: User | None, expected_version, action: str, src: str, dst: str
) -> Contract:
    ensure_unlocked(contract)
    if contract.status != src:
        refuse(state={"status": [_status_refusal(contract, action)]})
    check_version(contract, expected_version)
    with transaction():
        _move(contract, actor, action, dst)
    return contract


def _move(contract: Contract, actor: User | None, action: str, status: str, **values) -> None:
    before = snapshot(contract)
    contract.status = status
    for key, value in values.items():
        setattr(contract, key, value)
    audit(actor, contract, action, before, snapshot(contract))


def status_label(status: str) -> str:
    return str(
        {
            "draft": _l("Draft"),
            "pending": _l("Waiting for approval"),
            "approved": _l("Approved"),
            "signed": _l("Signed"),
            "active": _l("In progress"),
            "completed": _l("Completed"),
            "terminated": _l("Terminated"),
        }.get(status, status)
    )


def _status_refusal(contract: Contract, action: str) -> str:
    if action == "sign" and contract.status in ("signed", "active", "completed"):
        return _("this contract is already signed")
    if action == "sign":
        return _("only an approved contract is signed; submit it for approval first")
    return _(
        "a contract that is %(status)s cannot be %(action)s",
        status=status_label(contract.status),
        action={"activate": _("started"), "complete": _("completed"), "terminate": _("terminated")}[
            action
        ],
    )


def _timeline(contract: Contract, actor: User | None, subject: str, body: str | None = None):
    log_activity(
        {
            "kind": "contract",
            "subject": subject[:200],
            "body": body,
            "customer_id": contract.customer_id,
            "link_type": "sales_contract",
            "link_id": contract.id,
        },
        actor,
    )
