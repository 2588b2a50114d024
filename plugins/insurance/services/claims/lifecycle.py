"""A claim's moves after its report, through the claim's state table
(``services/states.CLAIM``) and nothing else: an illegal move is a 409
naming what is allowed, a stale ``version`` a 409, a missing input a 422
naming its field, a move the actor may not make a 403. A claim waiting for
documents is submitted only once it holds one of every kind its product
asks for (422 ``documents`` naming the missing ones).

What each move does to the money — every change is an event row, so
incurred (reserve + paid) is the sum of the events' deltas:

- approve: approved = claimed, or the amount given (≤ claimed); reserve = what
  is approved and not yet paid;
- approve_partially: 0 < approved < claimed, with a reason; reserve as above;
- reject (reject_code + reason) and withdraw: reserve → 0;
- pay: paid_amount = approved, paid_on (today unless given), reserve → 0;
  after a reopen the payment is the supplement; ``claim_settled`` fires;
- appeal and reopen: a reason; close: closed_at.

Each move is audited and written to the policyholder's timeline."""

from __future__ import annotations

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
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Claim, Policy
from ..documents import claim_documents_problem
from ..states import CLAIM
from .events import add_event, log_claim, today

_, _l = translator("insurance")

#: the moves only an assessor (insurance.claim.assess) makes; the rest need insurance.claim.write
ASSESS_ACTIONS = frozenset({"assess", "approve", "approve_partially", "reject", "pay", "reopen"})
#: the moves that must say why
REASON_REQUIRED = frozenset({"approve_partially", "reject", "appeal", "reopen"})
ZERO = Decimal("0")


class TransitionInput(Schema):
    """What a move may carry besides its action (each action reads its own)."""

    approved_amount = Amount(positive=True, allow_none=True)
    reject_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    reason = fields.String(allow_none=True, validate=validate.Length(max=5000))
    paid_on = fields.Date(allow_none=True)


def permission_for(action: str) -> str:
    return "insurance.claim.assess" if action in ASSESS_ACTIONS else "insurance.claim.write"


def actions_for(claim: Claim, user: User | None) -> list[str]:
    """The moves ``claim``'s state allows that ``user`` may make, in the table's order."""
    return [
        a for a in CLAIM.allowed(claim.status) if user is not None and user.can(permission_for(a))
    ]


def transition(
    claim: Claim,
    action: str,
    actor: User | None,
    payload: dict | None = None,
    expected_version: int | None = None,
) -> Claim:
    """Make ``action`` on ``claim`` with its input ``payload``; one transaction."""
    CLAIM.check_action(action)
    if actor is not None and not actor.can(permission_for(action)):
        raise ForbiddenError(_("You may not do this to a claim."))
    target = CLAIM.move(claim.status, action)
    values = load(TransitionInput(), {k: v for k, v in (payload or {}).items() if k in _FIELDS})
    reason = (values.get("reason") or "").strip() or None
    if action in REASON_REQUIRED and reason is None:
        refuse({"reason": [_("say why")]})
    refuse(claim_documents_problem(claim, action))
    changes, deltas = _effects(claim, action, values, reason)
    check_version(claim, expected_version)
    policy = db.session.get(Policy, claim.policy_id)
    assert policy is not None  # a foreign key
    source = claim.status
    with transaction():
        before = snapshot(claim)
        claim.status = target
        for key, value in changes.items():
            setattr(claim, key, value)
        claim.reserve += deltas["reserve_delta"]
        claim.paid_amount += deltas["paid_delta"]
        if action == "assess" and claim.handler_id is None and actor is not None:
            claim.handler_id = actor.id
        add_event(claim, policy, action, source, actor, reason=reason, **deltas)
        audit(actor, claim, action, before, snapshot(claim))
        log_claim(
            claim,
            actor,
            _(
                "Claim %(number)s: %(action)s",
                number=claim.number,
                action=CLAIM.action_label(action),
            ),
            reason,
        )
        if action == "pay":
            emit("insurance_claim_settled", claim=claim)
    return claim


_FIELDS = frozenset(TransitionInput().fields)


def _effects(claim: Claim, action: str, values: dict, reason: str | None) -> tuple[dict, dict]:
    """The claim's new values and the event's deltas for ``action`` (422 on a bad input)."""
    changes: dict = {}
    deltas = {"reserve_delta": ZERO, "paid_delta": ZERO, "amount": None}
    if reason is not None:
        changes["reason"] = reason
    if action in ("approve", "approve_partially"):
        approved = _approved(claim, action, values.get("approved_amount"))
        changes |= {"approved_amount": approved, "decided_at": utcnow()}
        outstanding = approved - claim.paid_amount  # what the reserve now holds
        deltas |= {"reserve_delta": outstanding - claim.reserve, "amount": approved}
    elif action == "reject":
        code = (values.get("reject_code") or "").strip()
        if not code:
            refuse({"reject_code": [_("give the reason code of the rejection")]})
        changes |= {"reject_code": code, "decided_at": utcnow()}
        deltas["reserve_delta"] = -claim.reserve
    elif action == "withdraw":
        changes["closed_at"] = utcnow()
        deltas["reserve_delta"] = -claim.reserve
    elif action == "pay":
        approved = claim.approved_amount or ZERO
        changes["paid_on"] = values.get("paid_on") or today()
        deltas |= {
            "reserve_delta": -claim.reserve,
            "paid_delta": approved - claim.paid_amount,
            "amount": approved - claim.paid_amount,
        }
    elif action == "close":
        changes["closed_at"] = utcnow()
    elif action == "reopen":
        changes["closed_at"] = None
    return changes, deltas


def _approved(claim: Claim, action: str, given: Decimal | None) -> Decimal:
    if action == "approve_partially":
        if given is None:
            refuse({"approved_amount": [_("give the amount approved")]})
        elif given >= claim.claimed_amount:
            refuse({"approved_amount": [_("a partial approval is less than the amount claimed")]})
    approved = claim.claimed_amount if given is None else Decimal(given)
    if approved > claim.claimed_amount:
        refuse({"approved_amount": [_("cannot be more than the amount claimed")]})
    if approved < claim.paid_amount:
        refuse({"approved_amount": [_("cannot be less than what was already paid")]})
    return approved
