"""What insurance knows of each customer (the policyholder), and the
premiums customers pay — for analysis that knows no plugin (segments, RFM,
churn risk; see ``core.api.customer_facts`` and ``core.api.money_rows``).

Only live records count: a policy term, claim or payment in the recycle bin
(``deleted_at`` set) counts nowhere.

- ``insurance.policies_in_force`` — the customer's policy terms that cover
  now: in force or in their grace period (0 without one). A policy counts
  once: each renewal is a new term, and the term it renewed is no longer
  in force. Grouped on ``ix_insurance_policy_customer`` (customer, status);
  ``deleted_at`` is read from the rows.
- ``insurance.open_claims`` — the customer's claims not closed yet, at any
  step from reported to paid (0 without one); an outpatient claim is
  settled and closed at once. The open claims' partial index
  (``ix_insurance_claim_open``) holds no customer: the planner groups on
  ``ix_insurance_claim_customer`` (customer, loss date) and reads status
  and ``deleted_at`` from the rows, or reads the open claims first.
- money event ``insurance.premium`` — each premium payment received, and
  each refund paid back (a cancellation's or an endorsement's) as a negative
  amount; a reversed payment brings nothing. Payments are recorded by the
  day they were paid: the row is at noon UTC of that day, which falls on
  that same day in every time zone from UTC−11 to UTC+11, so a period cut
  at local midnight puts it on the right side. Only payments in the
  instance's currency (Trellis keeps no exchange rates).
- journey steps: ``insurance.policy`` — the day the customer's first
  policy term was issued (in force from then, whatever became of it
  later); ``insurance.renewal`` — the day a renewal term was first issued
  (both at noon UTC of the day, as premiums are); ``insurance.claim`` —
  when the first claim was reported.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.api import (
    CustomerFact,
    JourneyStep,
    MoneyEvent,
    UTCDateTime,
    instance_currency,
    translator,
)

from ..models import LIVE_STATES, Claim, Policy, PremiumPayment

_, _l = translator("insurance")


class noon_utc(FunctionElement):
    """Noon UTC of a date column, as a UTC datetime (``UTCDateTime``)."""

    type = UTCDateTime()
    inherit_cache = True
    name = "noon_utc"


@compiles(noon_utc)
def _noon_utc(element, compiler, **kw) -> str:  # PostgreSQL
    day = compiler.process(element.clauses, **kw)
    return f"((CAST({day} AS TIMESTAMP) + INTERVAL '12 hours') AT TIME ZONE 'UTC')"


@compiles(noon_utc, "sqlite")
def _noon_utc_sqlite(element, compiler, **kw) -> str:
    # dates are stored as 'YYYY-MM-DD', UTC datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'
    return f"({compiler.process(element.clauses, **kw)} || ' 12:00:00.000000')"


def policies_in_force() -> Select:
    """``(customer_id, number of terms in force or in grace)``."""
    return (
        select(Policy.customer_id, func.count())
        .where(Policy.status.in_(LIVE_STATES), Policy.deleted_at.is_(None))
        .group_by(Policy.customer_id)
    )


def open_claims() -> Select:
    """``(customer_id, number of claims not closed)``."""
    return (
        select(Claim.customer_id, func.count())
        .where(Claim.status != "closed", Claim.deleted_at.is_(None))
        .group_by(Claim.customer_id)
    )


def premiums() -> Select:
    """``(customer_id, occurred_at, amount)``: payments and refunds."""
    return select(
        PremiumPayment.customer_id.label("customer_id"),
        noon_utc(PremiumPayment.paid_on).label("occurred_at"),
        PremiumPayment.amount.label("amount"),
    ).where(
        PremiumPayment.reversed_at.is_(None),
        PremiumPayment.deleted_at.is_(None),
        PremiumPayment.currency == instance_currency(),
    )


def customer_facts() -> list[CustomerFact]:
    return [
        CustomerFact(
            "insurance.policies_in_force",
            _l("Policies in force"),
            "number",
            policies_in_force,
            missing=0,
            permission="insurance.policy.read",
        ),
        CustomerFact(
            "insurance.open_claims",
            _l("Open claims"),
            "number",
            open_claims,
            missing=0,
            permission="insurance.claim.read",
        ),
    ]


def money_events() -> list[MoneyEvent]:
    return [MoneyEvent("insurance.premium", _l("Premiums paid"), premiums)]


def _first_issued(*condition) -> Select:
    return (
        select(Policy.customer_id, noon_utc(func.min(Policy.issued_on)))
        .where(Policy.issued_on.is_not(None), Policy.deleted_at.is_(None), *condition)
        .group_by(Policy.customer_id)
    )


def first_policy() -> Select:
    """``(customer_id, when the first term was issued)``."""
    return _first_issued()


def first_renewal() -> Select:
    """``(customer_id, when the first renewal term was issued)``."""
    return _first_issued(Policy.predecessor_id.is_not(None))


def first_claim() -> Select:
    """``(customer_id, when the first claim was reported)``."""
    return (
        select(Claim.customer_id, func.min(Claim.reported_at))
        .where(Claim.deleted_at.is_(None))
        .group_by(Claim.customer_id)
    )


def journey_steps() -> list[JourneyStep]:
    policies, claims = "insurance.policy.read", "insurance.claim.read"
    return [
        JourneyStep("insurance.policy", _l("Policy in force"), first_policy, 45, policies),
        JourneyStep("insurance.renewal", _l("Policy renewed"), first_renewal, 70, policies),
        JourneyStep("insurance.claim", _l("Claim reported"), first_claim, 75, claims),
    ]
