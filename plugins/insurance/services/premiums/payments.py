"""Premium payments (保费缴纳): money received against one instalment of an
issued term, a payment taken back (reversed), and a refund paid out.

A payment is recorded on a term in force or in grace (a lapsed term is paid
through reinstatement, :mod:`.reinstatement`): against the instalment named,
else the oldest one still open; above 0 and at most what is still due on it
(422 ``amount`` "more than the X due" — split a larger sum over the
instalments). A part payment is fine; the instalment is settled on the day
it is paid in full. The instalment's ``version`` guards a double payment: a
second payment made on the same read (a double click, two clerks at once)
is a 409 and writes nothing. A bank ``reference`` is recorded once per
policy (409 ``reference``).

Each payment then sets the term's ``paid_to_date`` and ``next_due_on``
again; a term in grace whose every instalment due before today is now
settled goes back in force (the ``settle`` move). The payment books its
commission lines, is audited and written on the policyholder's timeline, and
``insurance_payment_received`` fires after the commit.

A reversal (a bounced transfer, a payment keyed on the wrong policy) needs a
reason; it takes the amount back off the instalment, reopens it, and writes
commission lines that cancel the payment's. It may leave the term in
arrears: the nightly job moves it into grace. A refund is a payment row with
a negative amount and no instalment (a cancellation's, an endorsement's
cut); its commission lines are negative too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (
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
    utcnow,
)

from ...models import PAYMENT_METHODS, Policy, PremiumInstalment, PremiumPayment
from ..commission import lines as commission
from ..policies.journal import log_policy
from ..states import POLICY
from ..terms import CENT, ZERO, today
from .schedule import instalments, refresh_dues

_, _l = translator("insurance")

#: the states of a term a premium is paid in (a lapsed one: through reinstatement)
PAYABLE = ("in_force", "grace")
#: the timeline's kind for a payment (its entries link to the policy)
KIND = "insurance_payment"
PERMISSION = "insurance.policy.pay"


def open_instalments(policy_id: int) -> list[PremiumInstalment]:
    """The term's instalments not yet settled, oldest first."""
    return [row for row in instalments(policy_id) if row.settled_on is None]


def due_on(instalment: PremiumInstalment) -> Decimal:
    """What is still to pay on ``instalment``."""
    return instalment.amount - instalment.paid


def money(value: Decimal | str | int | float | None, field: str = "amount") -> Decimal:
    """``value`` as an amount of money (422 naming ``field`` when it is none)."""
    try:
        amount = Decimal(str(value)) if value is not None and str(value).strip() else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        refuse({field: [_("give an amount such as 12.50, with at most two decimal places")]})
    return amount  # type: ignore[return-value]  # refuse() raised when it is None


def record_payment(
    policy: Policy,
    actor: User | None,
    amount: Decimal | str,
    paid_on: date | None,
    method: str,
    reference: str | None = None,
    instalment_id: int | None = None,
    expected_version: int | None = None,
) -> PremiumPayment:
    """Record ``amount`` paid on ``paid_on`` (today when None) against
    ``instalment_id`` (else the oldest open instalment); ``expected_version``
    is the instalment's version the payer read (409 when stale)."""
    if actor is not None and not actor.can(PERMISSION):
        raise ForbiddenError(_("You may not record premium payments."))
    paid_on = paid_on or today()
    value = money(amount)
    reference = (reference or "").strip() or None
    errors: dict[str, list[str]] = {}
    if policy.status not in PAYABLE:
        errors["policy_id"] = [
            _("a lapsed term is paid by reinstating it")
            if policy.status == "lapsed"
            else _("premiums are paid on a term in force or in its grace period")
        ]
    if method not in PAYMENT_METHODS:
        errors["method"] = [_("use one of: %(methods)s", methods=", ".join(PAYMENT_METHODS))]
    if paid_on > today():
        errors["paid_on"] = [_("a payment cannot be dated in the future")]
    if value <= 0:
        errors["amount"] = [_("a payment's amount must be above 0")]
    if reference is not None and len(reference) > 80:
        errors["reference"] = [_("at most 80 characters")]
    refuse(errors)
    instalment = _instalment(policy, instalment_id)
    check_version(instalment, expected_version)
    if value > due_on(instalment):
        refuse(
            {
                "amount": [
                    _(
                        "more than the %(due)s due on instalment %(seq)d",
                        due=due_on(instalment),
                        seq=instalment.seq,
                    )
                ]
            }
        )
    check_reference(policy, reference)
    with transaction():
        before = snapshot(policy)
        payment = apply_payment(policy, instalment, value, paid_on, method, reference, actor)
        refresh_dues(policy)
        settle_if_paid_up(policy)
        after = snapshot(policy)
        if before.get("status") != after.get("status"):
            audit(actor, policy, "settle", before, after)
    return payment


def _instalment(policy: Policy, instalment_id: int | None) -> PremiumInstalment:
    """The instalment paid: the one named (of this term, still open) or the oldest open."""
    if instalment_id is not None:
        row = db.session.get(PremiumInstalment, instalment_id)
        if row is None or row.policy_id != policy.id:
            refuse(missing={"instalment_id": [_("no instalment with this id on this policy")]})
        assert row is not None  # refuse() raised
        if row.settled_on is not None:
            refuse(state={"instalment_id": [_("this instalment is settled")]})
        return row
    rows = open_instalments(policy.id)
    if not rows:
        refuse({"amount": [_("nothing is due on this policy")]})
    return rows[0]


def check_reference(policy: Policy, reference: str | None) -> None:
    """A bank reference is recorded once on a policy (409 ``reference``)."""
    if reference is None:
        return
    taken = db.session.scalar(
        select(PremiumPayment.id).where(
            PremiumPayment.policy_id == policy.id, PremiumPayment.reference == reference
        )
    )
    if taken is not None:
        refuse(taken={"reference": [_("this reference was already recorded on this policy")]})


def apply_payment(
    policy: Policy,
    instalment: PremiumInstalment,
    amount: Decimal,
    paid_on: date,
    method: str,
    reference: str | None,
    actor: User | None,
) -> PremiumPayment:
    """Write a checked payment (in the caller's transaction): the row, the
    instalment's ``paid`` (settled when full — its version check catches a
    concurrent payment), the commission lines, the audit entry, the
    timeline entry and the event. The caller refreshes the term's dues."""
    instalment.paid += amount
    if instalment.paid >= instalment.amount:
        instalment.settled_on = paid_on
    payment = PremiumPayment(
        policy_id=policy.id,
        instalment_id=instalment.id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference,
        received_by_id=actor.id if actor is not None else None,
        customer_id=policy.customer_id,
        agent_id=policy.agent_id,
        team_id=policy.team_id,
        currency=policy.currency,
    )
    db.session.add(payment)
    try:
        db.session.flush()  # the instalment's UPDATE … WHERE version = read: a race is a 409 here
    except IntegrityError:  # the same reference, recorded by a payment that raced this one
        if reference is None:
            raise
        refuse(taken={"reference": [_("this reference was already recorded on this policy")]})
    commission.book_payment(payment)
    audit(actor, payment, "create", None, snapshot(payment))
    log_policy(
        policy,
        actor,
        _(
            "Premium of %(amount)s %(currency)s received on policy %(number)s",
            amount=amount,
            currency=policy.currency,
            number=policy.display_number,
        ),
        reference,
        kind=KIND,
    )
    emit("insurance_payment_received", payment=payment)
    return payment


def settle_if_paid_up(policy: Policy, on: date | None = None) -> bool:
    """Put a term in grace back in force when no instalment due before
    ``on`` (today) is still open; whether it moved."""
    on = on or today()
    if policy.status != "grace":
        return False
    if any(row.due_on < on for row in open_instalments(policy.id)):
        return False
    policy.status = POLICY.move(policy.status, "settle")
    policy.grace_ends_on = None
    return True


def reverse_payment(
    payment: PremiumPayment, actor: User | None, reason: str, expected_version: int | None = None
) -> PremiumPayment:
    """Take ``payment`` back (a reason is required): its amount comes off
    its instalment, which opens again; reversal commission lines cancel its
    lines. The term's dues follow; arrears it leaves are the job's to act on."""
    if actor is not None and not actor.can(PERMISSION):
        raise ForbiddenError(_("You may not record premium payments."))
    reason = (reason or "").strip()
    if not reason:
        refuse({"reason": [_("say why the payment is reversed")]})
    if len(reason) > 200:
        refuse({"reason": [_("at most 200 characters")]})
    check_version(payment, expected_version)
    if payment.reversed_at is not None:
        refuse(state={"payment_id": [_("this payment is already reversed")]})
    if payment.amount < 0 or payment.instalment_id is None:
        refuse({"payment_id": [_("a refund is not reversed")]})
    policy = db.session.get(Policy, payment.policy_id)
    assert policy is not None  # a foreign key
    if policy.status == "cancelled":
        refuse(
            state={"payment_id": [_("the policy is cancelled: its refund counted this payment")]}
        )
    instalment = db.session.get(PremiumInstalment, payment.instalment_id)
    assert instalment is not None
    with transaction():
        before = snapshot(payment)
        instalment.paid -= payment.amount
        if instalment.paid < instalment.amount:
            instalment.settled_on = None
        payment.reversed_at = utcnow()
        payment.reversal_reason = reason
        db.session.flush()
        refresh_dues(policy)
        commission.reverse_payment(payment, today())
        audit(actor, payment, "reverse", before, snapshot(payment))
        log_policy(
            policy,
            actor,
            _(
                "Premium payment of %(amount)s %(currency)s on policy %(number)s reversed",
                amount=payment.amount,
                currency=payment.currency,
                number=policy.display_number,
            ),
            reason,
            kind=KIND,
        )
    return payment


def refund(
    policy: Policy,
    amount: Decimal,
    on: date,
    actor: User | None,
    reason: str | None,
    method: str = "bank_transfer",
) -> PremiumPayment | None:
    """Pay ``amount`` back to the policyholder (a cancellation's refund, an
    endorsement's cut) in the caller's transaction: a payment row of
    −amount with no instalment, and its negative commission lines; None when
    there is nothing to pay back. ``amount`` is the size of the refund (a
    negative one is read as its size). No ``insurance_payment_received``:
    nothing was received."""
    value = abs(money(amount))
    if value == ZERO:
        return None
    with transaction():
        payment = PremiumPayment(
            policy_id=policy.id,
            instalment_id=None,
            amount=-value,
            paid_on=on,
            method=method,
            reference=None,
            received_by_id=actor.id if actor is not None else None,
            reversal_reason=None,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            currency=policy.currency,
        )
        db.session.add(payment)
        db.session.flush()
        commission.book_payment(payment)
        audit(actor, payment, "refund", None, snapshot(payment))
        log_policy(
            policy,
            actor,
            _(
                "Refund of %(amount)s %(currency)s on policy %(number)s",
                amount=value,
                currency=policy.currency,
                number=policy.display_number,
            ),
            reason,
            kind=KIND,
        )
    return payment
