"""Report a claim (报案) on a policy term the reporter may see.

The term must have covered the loss date: issued, ``start_date ≤ loss_date
≤ end_date``, and neither lapsed (outside a gap a reinstatement closed) nor
cancelled by then; otherwise the report is refused naming ``policy_id`` —
unless a holder of ``insurance.claim.exception`` records it as an exception
with a note. The claim is numbered, reserved at the amount claimed, copies
the policy's customer, agent, team and currency, keeps the risk warnings
that fire (:mod:`.risk`) and starts its history with event 1;
``trellis_insurance_claim_reported`` fires after the commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from core.api import (
    Amount,
    NotFoundError,
    User,
    audit,
    db,
    emit,
    load,
    next_number,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import CHANNELS, Claim, Policy, PolicyTransaction
from ..access import visible_policy
from .events import add_event, log_claim, today
from .risk import risk_flags

_, _l = translator("insurance")

#: how claim numbers look (理赔案号): LP-202612-00001
NUMBER_PATTERN = "LP-{yyyy}{mm}-{seq:05}"
#: the states of a term that was issued (a term cancelled before issue never was)
ISSUED_STATES = ("in_force", "grace", "lapsed", "cancelled", "expired", "renewed")


class ReportClaimInput(Schema):
    """A claim as it is reported."""

    policy_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    loss_date = fields.Date(required=True, metadata={"description": "出险日期"})
    claimed_amount = Amount(required=True, positive=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    channel = fields.String(load_default="agent", validate=validate.OneOf(CHANNELS))
    contact_phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    exception = fields.Boolean(
        load_default=False,
        metadata={"description": "a loss the term did not cover (insurance.claim.exception)"},
    )
    exception_note = fields.String(allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def _check(self, data, **_kwargs):
        if data.get("exception") and not (data.get("exception_note") or "").strip():
            raise SchemaError(_("say why the exception is made"), "exception_note")


def report_claim(data: dict, actor: User | None, *, policy: Policy | None = None) -> Claim:
    """Report a claim; refusals name the field (422), a policy the actor may
    not see is a 404 naming ``policy_id``. ``policy``: the term, when the
    caller found it otherwise — the public form (:mod:`.public`), whose
    claimant proved they hold it and has no account (``actor`` None)."""
    values = load(ReportClaimInput(), data)
    if values["loss_date"] > today():
        refuse({"loss_date": [_("the loss date cannot be in the future")]})
    if policy is None or policy.id != values["policy_id"]:
        try:
            policy = visible_policy(values["policy_id"], actor)
        except NotFoundError:
            refuse(missing={"policy_id": [_("no policy with this id")]})
            raise  # unreachable: refuse raised
    gap = uncovered(policy, values["loss_date"])
    if gap is not None and not values["exception"]:
        refuse({"policy_id": [gap]})
    if gap is not None and (actor is None or not actor.can("insurance.claim.exception")):
        refuse({"exception": [_("you may not accept a claim the policy did not cover")]})
    excepted = gap is not None  # an exception is recorded only where one was needed
    note = (values.get("exception_note") or "").strip() or None if excepted else None
    amount = Decimal(values["claimed_amount"])
    flags = risk_flags(policy, values["loss_date"], today(), not_covered=gap is not None)
    with transaction():
        claim = Claim(
            number=next_number("insurance.claim", NUMBER_PATTERN),
            policy_id=policy.id,
            customer_id=policy.customer_id,
            agent_id=policy.agent_id,
            team_id=policy.team_id,
            currency=policy.currency,
            status="reported",
            loss_date=values["loss_date"],
            reported_at=utcnow(),
            channel=values["channel"],
            description=values["description"].strip(),
            contact_phone=values.get("contact_phone"),
            claimed_amount=amount,
            reserve=amount,
            paid_amount=Decimal("0"),
            exception=excepted,
            exception_note=note,
            risk_flags=flags,
            risk_count=len(flags),
        )
        db.session.add(claim)
        db.session.flush()
        add_event(claim, policy, "report", None, actor, reserve_delta=amount, amount=amount)
        audit(actor, claim, "create", None, snapshot(claim))
        log_claim(claim, actor, _("Claim %(number)s reported", number=claim.number))
        emit("insurance_claim_reported", claim=claim)
    return claim


def uncovered(policy: Policy, loss_date: date) -> str | None:
    """Why ``policy`` did not cover ``loss_date`` (a sentence), or None when it did."""
    if policy.status not in ISSUED_STATES or (
        policy.status == "cancelled" and policy.issued_on is None and not _history(policy)
    ):
        return _("this policy term was never issued")
    if loss_date < policy.start_date:
        return _("the policy was not yet effective on the loss date")
    if loss_date > policy.end_date:
        return _("the policy term had ended before the loss date")
    history = _history(policy)
    lapses = [t for t in history if t.kind == "lapse"]
    for lapse in lapses:
        back = next((t for t in history if t.kind == "reinstatement" and t.seq > lapse.seq), None)
        until = back.gap_to if back is not None else None
        if lapse.effective_on <= loss_date and (until is None or loss_date <= until):
            return _("the policy had lapsed by the loss date")
    if not lapses and policy.status == "lapsed":
        since = policy.paid_to_date or policy.lapsed_on
        if since is None or loss_date > since:
            return _("the policy had lapsed by the loss date")
    cancels = [t for t in history if t.kind == "cancellation"]
    if any(t.effective_on <= loss_date for t in cancels) or (
        not cancels
        and policy.status == "cancelled"
        and (policy.cancelled_on is None or policy.cancelled_on <= loss_date)
    ):
        return _("the policy had been cancelled by the loss date")
    return None


def _history(policy: Policy) -> list[PolicyTransaction]:
    return list(
        db.session.scalars(
            select(PolicyTransaction)
            .where(
                PolicyTransaction.policy_id == policy.id,
                PolicyTransaction.kind.in_(("lapse", "reinstatement", "cancellation")),
            )
            .order_by(PolicyTransaction.seq)
        )
    )
