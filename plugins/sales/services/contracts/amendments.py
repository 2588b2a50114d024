"""Amendments (变更): the one way a signed or active contract changes. Each
keeps what it changed (``{field: [before, after]}``, as text), why and who,
and bumps the contract's ``amendment`` count. The amount cannot fall below
what has already been collected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.api import (
    User,
    audit,
    check_version,
    db,
    ensure_unlocked,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import Contract, ContractAmendment
from ..validation import Money
from .editing import check_values

_, _l = translator("sales")

#: what an amendment may change
AMENDABLE = ("title", "amount", "start_date", "end_date", "terms")


class AmendmentInput(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    amount = Money(metadata={"description": "above 0, up to 999999999999.99, two decimals"})
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    terms = fields.String(allow_none=True, validate=validate.Length(max=20000))


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def amend(
    contract: Contract,
    changes: dict,
    reason: str | None,
    actor: User | None,
    expected_version: int | None = None,
) -> ContractAmendment:
    """Change a signed or active contract by an amendment with a reason."""
    ensure_unlocked(contract)
    values = load(AmendmentInput(), changes or {}, partial=True)
    reason = (reason or "").strip()
    errors = check_values(values, contract)
    if not reason:
        errors["reason"] = [_("say why the contract is amended")]
    elif len(reason) > 200:
        errors["reason"] = [_("at most 200 characters")]
    if "amount" in values and values["amount"] < (contract.collected or Decimal("0")):
        errors["amount"] = [
            _(
                "%(collected)s has already been collected; the amount cannot be less",
                collected=format(contract.collected, ".2f"),
            )
        ]
    diff = {
        key: [_text(getattr(contract, key)), _text(value)]
        for key, value in values.items()
        if getattr(contract, key) != value
    }
    if not errors and not diff:
        errors["changes"] = [_("the amendment changes nothing")]
    refuse(errors)
    if contract.status not in ("signed", "active"):
        refuse(state={"status": [_("only a signed or active contract is amended")]})
    check_version(contract, expected_version)
    with transaction():
        before = snapshot(contract)
        for key in diff:
            setattr(contract, key, values[key])
        contract.amendment = (contract.amendment or 0) + 1
        amendment = ContractAmendment(
            contract_id=contract.id,
            number=contract.amendment,
            reason=reason,
            changes=diff,
            user_id=actor.id if actor else None,
        )
        db.session.add(amendment)
        audit(actor, contract, "amend", before, snapshot(contract))
    return amendment
