"""A policy's history: its transactions (保单变更), written once.

Every change of an issued term — new business, renewal, endorsement (批改),
cancellation (退保), lapse (失效), reinstatement (复效) — is one
:class:`PolicyTransaction` with the next ``seq``, its effective date, the
day it is booked (the later of the effective date and today) and the
change of the term's written premium. The row copies the policy's
customer, agent, team, carrier, product, line and currency so the reports
read one table. A transaction is never changed or deleted through the ORM
(a correction is a new endorsement): :func:`_guard` refuses it at flush."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from core.api import User, db

from ...models import Policy, PolicyTransaction
from ..terms import today


def add_transaction(
    policy: Policy,
    kind: str,
    effective_on: date,
    premium_delta: Decimal,
    actor: User | None,
    *,
    number: str | None = None,
    refund: Decimal | None = None,
    gap_from: date | None = None,
    gap_to: date | None = None,
    changes: dict | None = None,
    reason: str | None = None,
) -> PolicyTransaction:
    """Write ``policy``'s next transaction (in the caller's transaction);
    ``annual_premium_after`` is the policy's annual premium as it stands."""
    last = db.session.scalar(
        select(func.max(PolicyTransaction.seq)).where(PolicyTransaction.policy_id == policy.id)
    )
    row = PolicyTransaction(
        policy_id=policy.id,
        seq=(last or 0) + 1,
        kind=kind,
        number=number,
        effective_on=effective_on,
        booked_on=max(effective_on, today()),
        premium_delta=premium_delta,
        annual_premium_after=policy.annual_premium,
        refund=refund,
        gap_from=gap_from,
        gap_to=gap_to,
        changes=changes,
        reason=reason,
        actor_id=actor.id if actor is not None else None,
        customer_id=policy.customer_id,
        agent_id=policy.agent_id,
        team_id=policy.team_id,
        carrier_id=policy.carrier_id,
        product_id=policy.product_id,
        line=policy.line,
        currency=policy.currency,
    )
    db.session.add(row)
    db.session.flush()
    return row


def history(policy_id: int) -> list[PolicyTransaction]:
    """The policy term's transactions, oldest first."""
    return list(
        db.session.scalars(
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id == policy_id)
            .order_by(PolicyTransaction.seq)
        )
    )


def last_of(policy_id: int, kind: str) -> PolicyTransaction | None:
    """The term's latest transaction of ``kind``."""
    return db.session.scalar(
        select(PolicyTransaction)
        .where(PolicyTransaction.policy_id == policy_id, PolicyTransaction.kind == kind)
        .order_by(PolicyTransaction.seq.desc())
        .limit(1)
    )


@event.listens_for(Session, "before_flush")
def _guard(session: Session, flush_context, instances) -> None:
    """A written transaction is history: refuse to change or delete it."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, PolicyTransaction) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise RuntimeError("a policy transaction is never changed: write an endorsement")
