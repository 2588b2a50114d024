"""Reinstatement (复效): a lapsed term put back in force, within the
product's window, on payment of all its arrears.

The rules (``insurance.policy.issue``; one transaction):

- only a lapsed term (else core's 409 ``illegal-transition``);
- today ≤ lapsed_on + the product's ``reinstatement_days`` (0: the product
  is never reinstated) — else 422 ``effective_on`` naming the last day;
- ``amount`` is exactly the arrears: what is unpaid of the instalments due
  on or before today (422 ``amount`` naming the figure);
- a life or health term needs the policyholder's health declaration
  (422 ``health_declaration``);

then each of those instalments is paid in full (one payment row each, with
its commission lines), the ``reinstatement`` transaction undoes the lapse's
premium change (delta = −the lapse's delta) and records the uncovered days
(gap_from = the lapse's effective date, gap_to = today), the term is in
force again, and ``insurance_policy_reinstated`` fires after the commit.
The clawback the lapse booked is given back (the term is whole again and
its first payments were earned); a later lapse claws back anew."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.api import (
    Amount,
    ForbiddenError,
    User,
    audit,
    check_version,
    db,
    emit,
    refuse,
    snapshot,
    transaction,
    translator,
)

from ...models import PAYMENT_METHODS, InsuranceProduct, Policy
from ..commission.lines import restore_clawback
from ..policies.journal import log_policy
from ..policies.transactions import add_transaction, last_of
from ..states import POLICY
from ..terms import ZERO, today
from .payments import apply_payment, check_reference, money, open_instalments
from .schedule import arrears, refresh_dues

_, _l = translator("insurance")

PERMISSION = "insurance.policy.issue"
#: the lines whose reinstatement needs the policyholder's health declaration
DECLARED_LINES = ("life", "health")


class ReinstateInput(Schema):
    """What a reinstatement carries (the API's and the page's form)."""

    amount = Amount(required=True)
    health_declaration = fields.Boolean(load_default=False)
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=70))


def window_ends(policy: Policy) -> date | None:
    """The last day ``policy`` (lapsed) may be reinstated; None when never."""
    product = db.session.get(InsuranceProduct, policy.product_id)
    assert product is not None  # a foreign key
    if not product.reinstatement_days or policy.lapsed_on is None:
        return None
    return policy.lapsed_on + timedelta(days=product.reinstatement_days)


def reinstate(
    policy: Policy,
    actor: User | None,
    amount: Decimal | str,
    health_declaration: bool,
    expected_version: int | None = None,
    *,
    method: str = "bank_transfer",
    reference: str | None = None,
) -> Policy:
    """Put lapsed ``policy`` back in force on payment of exactly its arrears.

    ``reference`` (the bank's) goes on the first payment; the next ones get
    ``/2``, ``/3`` … after it, a reference being recorded once per policy."""
    if actor is not None and not actor.can(PERMISSION):
        raise ForbiddenError(_("You may not reinstate policies."))
    target = POLICY.move(policy.status, "reinstate")
    check_version(policy, expected_version)
    on = today()
    value = money(amount)
    until = window_ends(policy)
    if until is None:
        refuse({"effective_on": [_("this product does not allow reinstatement")]})
    elif on > until:
        refuse(
            {
                "effective_on": [
                    _("past the reinstatement window (until %(day)s)", day=until.isoformat())
                ]
            }
        )
    owed = arrears(policy.id, on)
    errors: dict[str, list[str]] = {}
    if value != owed:
        errors["amount"] = [
            _(
                "the arrears are %(owed)s %(currency)s: pay exactly that",
                owed=owed,
                currency=policy.currency,
            )
        ]
    if policy.line in DECLARED_LINES and health_declaration is not True:
        errors["health_declaration"] = [_("the policyholder's health declaration is required")]
    if method not in PAYMENT_METHODS:
        errors["method"] = [_("use one of: %(methods)s", methods=", ".join(PAYMENT_METHODS))]
    refuse(errors)
    due = [row for row in open_instalments(policy.id) if row.due_on <= on]
    references = _references((reference or "").strip() or None, len(due))
    for ref in references:
        check_reference(policy, ref)
    lapse = last_of(policy.id, "lapse")
    with transaction():
        before = snapshot(policy)
        for row, ref in zip(due, references, strict=True):
            apply_payment(policy, row, row.amount - row.paid, on, method, ref, actor)
        refresh_dues(policy)
        policy.status = target
        policy.grace_ends_on = None
        policy.lapsed_on = None
        row = add_transaction(
            policy,
            "reinstatement",
            on,
            -lapse.premium_delta if lapse is not None else ZERO,
            actor,
            gap_from=lapse.effective_on if lapse is not None else None,
            gap_to=on,
        )
        restore_clawback(policy)
        audit(actor, policy, "reinstate", before, snapshot(policy))
        log_policy(
            policy,
            actor,
            _(
                "Policy %(number)s reinstated: %(amount)s %(currency)s of arrears paid",
                number=policy.display_number,
                amount=value,
                currency=policy.currency,
            ),
        )
        emit("insurance_policy_reinstated", policy=policy, transaction=row)
    return policy


def _references(reference: str | None, count: int) -> list[str | None]:
    """The bank reference on each of ``count`` payments (see :func:`reinstate`)."""
    if reference is None:
        return [None] * count
    return [reference if k == 0 else f"{reference}/{k + 1}" for k in range(count)]
