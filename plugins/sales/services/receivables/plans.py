"""A contract's receivable plan (回款计划): its instalments, each an amount
due on a date, summing exactly to the contract's amount.

:func:`set_plan` replaces the whole plan in one transaction. Instalments
sent with their ``id`` are kept (and may be moved or resized), those sent
without are new, those left out are removed — except that money already
collected on an instalment stays where it is: such an instalment cannot be
removed, nor cut below what it collected.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import select, update

from core.api import (
    StateError,
    User,
    ValidationError,
    add_months,
    audit,
    check_version,
    db,
    ensure_unlocked,
    load,
    snapshot,
    transaction,
    translator,
)

from ...models import Contract, Instalment, Payment
from ..validation import Id, Money

_, _l = translator("sales")
CENT = Decimal("0.01")
#: a plan may be set once the contract is approved, and kept while it runs
PLANNABLE = ("approved", "signed", "active")
MAX_INSTALMENTS = 120


class InstalmentInput(Schema):
    id = Id(load_default=None, allow_none=True)
    due_date = fields.Date(required=True)
    amount = Money(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class ReceivablePlanInput(Schema):
    instalments = fields.List(
        fields.Nested(InstalmentInput),
        required=True,
        validate=validate.Length(min=1, max=MAX_INSTALMENTS),
    )


def plan_of(contract: Contract) -> list[Instalment]:
    """The contract's instalments, by number."""
    return list(
        db.session.scalars(
            select(Instalment)
            .where(Instalment.contract_id == contract.id)
            .order_by(Instalment.number)
        )
    )


def earliest_due(contract: Contract) -> date | None:
    """No instalment falls due before the contract is signed or starts,
    whichever is earlier (a first payment is often due on signing)."""
    days = [d for d in (contract.signed_date, contract.start_date) if d is not None]
    return min(days) if days else None


def set_plan(
    contract: Contract,
    instalments: list[dict],
    actor: User | None,
    expected_version: int | None = None,
) -> list[Instalment]:
    """Replace ``contract``'s plan with ``instalments`` (each ``due_date``,
    ``amount`` as a string, optional ``note`` and, to keep one, its ``id``);
    ``expected_version`` is the contract's version the caller read (409 when stale).

    Refused, with nothing changed: a contract not approved, signed or
    active; amounts that do not sum exactly to the contract's amount (the
    difference is said); an amount of 0; a due date before the contract's
    start or signing, or not after the one before it; an instalment that
    collected money or waits for a payment's approval left out, or cut below
    what it collected."""
    ensure_unlocked(contract, "sales.contract")
    data = load(ReceivablePlanInput(), {"instalments": instalments})
    if contract.status not in PLANNABLE:
        raise StateError(
            {"contract_id": [_("a plan needs an approved, signed or active contract")]}
        )
    check_version(contract, expected_version)
    wanted = data["instalments"]
    current = {i.id: i for i in plan_of(contract)}
    _check(contract, wanted, current)
    with transaction():
        before = [snapshot(i) for i in current.values()]
        kept_ids = {row["id"] for row in wanted if row["id"] is not None}
        for gone in [i for i in current.values() if i.id not in kept_ids]:
            # rejected and reversed payments keep their row, without the instalment
            db.session.execute(
                update(Payment)
                .where(Payment.instalment_id == gone.id)
                .values(instalment_id=None)
                .execution_options(synchronize_session=False)
            )
            db.session.delete(gone)
        for n, row in enumerate(wanted, start=1):  # out of the way of the unique numbers
            if row["id"] is not None:
                current[row["id"]].number = -n
        db.session.flush()
        plan = []
        for n, row in enumerate(wanted, start=1):
            instalment = (
                current[row["id"]]
                if row["id"] is not None
                else Instalment(contract_id=contract.id, collected=Decimal("0"))
            )
            instalment.number = n
            instalment.due_date = row["due_date"]
            instalment.amount = row["amount"]
            instalment.note = row["note"]
            _copy_contract(instalment, contract)
            instalment.settled_on = _settled_on(instalment)
            db.session.add(instalment)
            plan.append(instalment)
        db.session.flush()
        audit(
            actor,
            contract,
            "receivable_plan",
            {"instalments": before},
            {"instalments": [snapshot(i) for i in plan]},
        )
    return plan


def _copy_contract(instalment: Instalment, contract: Contract) -> None:
    instalment.customer_id = contract.customer_id
    instalment.owner_id = contract.owner_id
    instalment.team_id = contract.team_id
    instalment.currency = contract.currency


def _settled_on(instalment: Instalment) -> date | None:
    """Paid in full: the day of its last confirmed payment (kept if known)."""
    collected = instalment.collected or Decimal("0")
    if collected < instalment.amount:
        return None
    if instalment.settled_on is not None:
        return instalment.settled_on
    return db.session.scalar(
        select(Payment.paid_on)
        .where(Payment.instalment_id == instalment.id, Payment.status == "confirmed")
        .order_by(Payment.paid_on.desc())
        .limit(1)
    )


def _check(contract: Contract, wanted: list[dict], current: dict[int, Instalment]) -> None:
    errors: dict[str, list[str]] = {}
    total = sum((row["amount"] for row in wanted), Decimal("0"))
    if total != contract.amount:
        errors["instalments"] = [
            _(
                "the instalments sum to %(total)s but the contract is for %(amount)s "
                "(a difference of %(difference)s)",
                total=total,
                amount=contract.amount,
                difference=total - contract.amount,
            )
        ]
    floor = earliest_due(contract)
    previous: date | None = None
    seen: set[int] = set()
    for i, row in enumerate(wanted):
        where = f"instalments.{i}"
        if row["amount"] <= 0:
            errors[f"{where}.amount"] = [_("an instalment's amount must be above 0")]
        if floor is not None and row["due_date"] < floor:
            errors[f"{where}.due_date"] = [
                _("due before the contract is signed or starts (%(day)s)", day=floor.isoformat())
            ]
        elif previous is not None and row["due_date"] <= previous:
            errors[f"{where}.due_date"] = [_("each instalment falls due after the one before it")]
        previous = row["due_date"]
        if row["id"] is None:
            continue
        kept = current.get(row["id"])
        if kept is None or row["id"] in seen:
            errors[f"{where}.id"] = [_("no instalment with this id in this contract's plan")]
            continue
        seen.add(row["id"])
        if row["amount"] < kept.collected:
            errors[f"{where}.amount"] = [
                _("%(collected)s is already collected on this instalment", collected=kept.collected)
            ]
    pending = set(
        db.session.scalars(
            select(Payment.instalment_id).where(
                Payment.contract_id == contract.id, Payment.status == "pending"
            )
        )
    )
    for gone in (i for i in current.values() if i.id not in seen):
        if gone.collected > 0 or gone.id in pending:
            errors.setdefault("instalments", []).append(
                _(
                    "instalment %(number)d has payments (collected or waiting for approval): "
                    "keep it",
                    number=gone.number,
                )
            )
    if errors:
        raise ValidationError(errors)


def even_plan(amount: Decimal, n: int, first_due: date, months_apart: int = 1) -> list[dict]:
    """``amount`` spread over ``n`` instalments ``months_apart`` apart from
    ``first_due``: equal shares to the cent, the cents left over added one to
    each of the first instalments, so the sum is exact."""
    if n < 1 or n > MAX_INSTALMENTS:
        raise ValidationError({"n": [_("from 1 to %(max)d instalments", max=MAX_INSTALMENTS)]})
    if months_apart < 1:
        raise ValidationError({"months_apart": [_("at least 1 month apart")]})
    cents = int((amount / CENT).to_integral_value(ROUND_DOWN))
    share, left = divmod(cents, n)
    return [
        {
            "due_date": add_months(first_due, k * months_apart),
            "amount": (Decimal(share + (1 if k < left else 0)) * CENT).quantize(CENT),
        }
        for k in range(n)
    ]


def instalment_state(instalment: Instalment, as_of: date) -> str:
    """ "paid" (settled), "overdue" (open after its due date), "partly_paid"
    (some collected, not yet due) or "open"."""
    if instalment.settled_on is not None:
        return "paid"
    if instalment.due_date < as_of:
        return "overdue"
    return "partly_paid" if instalment.collected > 0 else "open"
