"""The nightly arrears job (``insurance.arrears``): grace (宽限期), lapse
(失效), expiry (满期) and stale quotes, for the day given (today in the
instance's time zone).

1. A term in force whose oldest open instalment was due before today enters
   grace until that due date + the product's ``grace_days``. Set-based: the
   ids come from ``ix_insurance_policy_arrears`` (next_due_on, id) 1,000 at a
   time, and one ``UPDATE … WHERE id IN (…) AND status = 'in_force' AND
   next_due_on = …`` per due date and grace length moves them, bumping
   ``version`` (a payment that read the term before is then a 409, and a
   payment that landed meanwhile keeps its term out of the UPDATE).
2. A term in grace whose grace ended before today lapses (read through
   ``ix_insurance_policy_grace``, 1,000 at a time, loaded: each writes a
   ``lapse`` transaction): lapsed_on = today; the transaction takes effect the
   day after the paid-to date (the start if nothing was paid) and takes the
   uncovered rest of the term's premium off: −term_premium × days(effective
   … end) / days(term), half-up; the first-year commission is clawed back;
   ``insurance_policy_lapsed`` fires.
3. Terms past their end expire — the renewals module's ``expire_due``.
4. Quotes past ``quote_valid_until`` are cancelled (reason ``quote_expired``).

Each batch is one transaction; its events fire after it commits. Every
changed term gets one audit entry with no actor. Running it twice the same
day changes nothing more: each step reads only the rows still to change."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from core.api import audit, db, emit, transaction, translator

from ...models import InsuranceProduct, Policy
from ..commission.lines import claw_back
from ..policies.journal import log_policy
from ..policies.renewals import expire_due
from ..policies.transactions import add_transaction
from ..states import POLICY
from ..terms import days, prorate, term_days, today

_, _l = translator("insurance")
log = logging.getLogger(__name__)

BATCH = 1000
_LIVE = Policy.deleted_at.is_(None)


class _Row:
    """A policy row named by id, for an audit entry of a set-based change."""

    __tablename__ = Policy.__tablename__

    def __init__(self, policy_id: int):
        self.id = policy_id


def run_arrears(on: date | None = None) -> dict[str, int]:
    """Run the four steps for day ``on`` (today); how many terms each changed."""
    on = on or today()
    counts = {
        "graced": enter_grace(on),
        "lapsed": lapse_due(on),
        "expired": expire_due(on),
        "quotes": expire_quotes(on),
    }
    log.info("insurance.arrears %s: %s", on.isoformat(), counts)
    return counts


def run_arrears_job() -> str:
    """The job's run: today's counts as the job log's line."""
    counts = run_arrears()
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def enter_grace(on: date) -> int:
    """Step 1: terms in force with an instalment due before ``on`` enter grace."""
    total = 0
    while True:
        rows = db.session.execute(
            select(Policy.id, Policy.next_due_on, InsuranceProduct.grace_days)
            .join(InsuranceProduct, InsuranceProduct.id == Policy.product_id)
            .where(Policy.status == "in_force", _LIVE, Policy.next_due_on < on)
            .order_by(Policy.next_due_on, Policy.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return total
        groups: dict[tuple[date, int], list[int]] = defaultdict(list)
        for policy_id, due, grace in rows:
            groups[(cast(date, due), grace or 0)].append(policy_id)  # the WHERE: not NULL
        with transaction():
            for (due, grace), ids in groups.items():
                ends = due + timedelta(days=grace)
                moved = _update(
                    update(Policy)
                    .where(
                        Policy.id.in_(ids),
                        Policy.status == "in_force",
                        Policy.next_due_on == due,
                        _LIVE,
                    )
                    .values(
                        status=POLICY.move("in_force", "enter_grace"),
                        grace_ends_on=ends,
                        version=Policy.version + 1,
                    )
                    .returning(Policy.id)
                )
                for policy_id in moved:
                    audit(
                        None,
                        _Row(policy_id),
                        "enter_grace",
                        {"status": "in_force", "grace_ends_on": None},
                        {"status": "grace", "grace_ends_on": ends.isoformat()},
                    )
                total += len(moved)


def _update(statement) -> list[int]:
    """Run a set-based UPDATE … RETURNING id; the ids it changed."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return [row[0] for row in result]


def lapse_due(on: date) -> int:
    """Step 2: terms whose grace ended before ``on`` lapse."""
    total = 0
    while True:
        ids = db.session.scalars(
            select(Policy.id)
            .where(Policy.status == "grace", _LIVE, Policy.grace_ends_on < on)
            .order_by(Policy.grace_ends_on, Policy.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return total
        with transaction():
            policies = db.session.scalars(select(Policy).where(Policy.id.in_(ids))).all()
            for policy in policies:
                lapse(policy, on)
        total += len(ids)


def lapse_delta(policy: Policy, effective_on: date):
    """The premium a lapse takes off: the term's, pro rata to the days from
    ``effective_on`` to the end (negative)."""
    whole = term_days(policy.start_date, policy.end_date)
    return -prorate(policy.term_premium, days(effective_on, policy.end_date), whole)


def lapse(policy: Policy, on: date):
    """Lapse one term in grace (in the caller's transaction)."""
    before = {"status": policy.status, "lapsed_on": None}
    policy.status = POLICY.move(policy.status, "lapse")
    policy.lapsed_on = on
    effective = (
        policy.paid_to_date + timedelta(days=1) if policy.paid_to_date else policy.start_date
    )
    effective = min(max(effective, policy.start_date), policy.end_date)
    row = add_transaction(policy, "lapse", effective, lapse_delta(policy, effective), None)
    claw_back(policy, effective)
    audit(None, policy, "lapse", before, {"status": policy.status, "lapsed_on": on.isoformat()})
    log_policy(
        policy,
        None,
        _(
            "Policy %(number)s lapsed: premium unpaid since %(day)s",
            number=policy.display_number,
            day=effective.isoformat(),
        ),
    )
    emit("insurance_policy_lapsed", policy=policy, transaction=row)
    return row


def expire_quotes(on: date) -> int:
    """Step 4: quotes past their validity are cancelled (``quote_expired``)."""
    total = 0
    while True:
        policies = db.session.scalars(
            select(Policy)
            .where(Policy.status == "quoted", _LIVE, Policy.quote_valid_until < on)
            .order_by(Policy.quote_valid_until, Policy.id)
            .limit(BATCH)
        ).all()
        if not policies:
            return total
        with transaction():
            for policy in policies:
                before = {"status": policy.status, "cancel_reason": policy.cancel_reason}
                policy.status = POLICY.move(policy.status, "cancel")
                policy.cancelled_on = on
                policy.cancel_reason = "quote_expired"
                audit(
                    None,
                    policy,
                    "cancel",
                    before,
                    {"status": policy.status, "cancel_reason": "quote_expired"},
                )
                emit("insurance_policy_cancelled", policy=policy, transaction=None)
        total += len(policies)
