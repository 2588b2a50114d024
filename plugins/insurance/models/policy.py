"""Policies (保单) and their history (保单变更).

One row per term (保险期间): a renewal is a new row linked to its
predecessor, with the same number and the next ``term_no``; a quote is the
row while it is a draft or quoted. Every change after issue is a
:class:`PolicyTransaction` — new business, renewal, endorsement (批改),
cancellation (退保), lapse (失效), reinstatement (复效) — never changed once
written, with its effective date and the change of the term's premium."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    instance_currency,
    translator,
)

from .catalogue import Carrier, InsuranceProduct

_, _l = translator("insurance")

#: a policy term's states (the transitions are in services/states.py)
POLICY_STATES = (
    "draft",
    "quoted",
    "bound",
    "in_force",
    "grace",
    "lapsed",
    "cancelled",
    "expired",
    "renewed",
)
#: the states in which a term covers and renews (the renewal and grace lists)
LIVE_STATES = ("in_force", "grace")
TRANSACTION_KINDS = (
    "new_business",
    "renewal",
    "endorsement",
    "cancellation",
    "lapse",
    "reinstatement",
)
LOST_REASONS = ("price", "service", "competitor", "not_needed", "unreachable", "other")
CALLBACK_OUTCOMES = ("confirmed", "wants_cancel", "unreachable", "complaint")
_LIVE = "status IN ('in_force', 'grace') AND deleted_at IS NULL"
_GRACE = "status = 'grace' AND deleted_at IS NULL"
#: persistency's cohorts: first terms that were issued
_COHORT = "term_no = 1 AND issued_on IS NOT NULL AND deleted_at IS NULL"
#: the renewal due list: live terms ending soon and expired ones still late to renew
_RENEWABLE = "status IN ('in_force', 'grace', 'expired') AND deleted_at IS NULL"


def _partial(condition: str) -> dict:
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class Policy(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A term of a policy held by a customer (投保人), credited to an agent.

    ``number`` is given at issue (a quote has ``quote_number``); a renewal
    term keeps it. Premiums: ``annual_premium`` a year's, ``term_premium``
    the term's; ``paid_to_date``, ``next_due_on`` and ``grace_ends_on``
    follow the instalments."""

    __tablename__ = "insurance_policy"
    __label__ = _l("Policy")  # how the audit log names it
    __table_args__ = (
        Index(
            "uq_insurance_policy_number_term",
            "number",
            "term_no",
            unique=True,
            **_partial("number IS NOT NULL"),
        ),
        Index(  # one open successor: a cancelled renewal quote lets the term be quoted again
            "uq_insurance_policy_predecessor",
            "predecessor_id",
            unique=True,
            **_partial(
                "predecessor_id IS NOT NULL AND status <> 'cancelled' AND deleted_at IS NULL"
            ),
        ),
        # the renewal due list, for everyone and for one agent
        Index(
            "ix_insurance_policy_renewal",
            *("end_date", "id", "agent_id", "team_id", "customer_id"),
            *("product_id", "status", "renewal_outcome"),  # the due list from the index alone
            **_partial(_RENEWABLE),
        ),
        Index(
            "ix_insurance_policy_agent_renewal",
            "agent_id",
            "end_date",
            "id",
            **_partial(_RENEWABLE),
        ),
        # the grace list
        Index(
            "ix_insurance_policy_grace",
            *("grace_ends_on", "id", "agent_id", "team_id", "customer_id"),
            **_partial(_GRACE),
        ),
        Index(
            "ix_insurance_policy_agent_grace", "agent_id", "grace_ends_on", "id", **_partial(_GRACE)
        ),
        # the nightly job: policies in force whose oldest open instalment is due
        Index(
            "ix_insurance_policy_arrears",
            "next_due_on",
            "id",
            **_partial("status = 'in_force' AND deleted_at IS NULL"),
        ),
        Index("ix_insurance_policy_customer", "customer_id", "status"),
        # persistency: the first terms issued, by inception, read from the index alone
        Index(
            "ix_insurance_policy_cohort",
            *("inception_on", "currency", "p13", "p25", "annual_premium"),
            *("cancelled_on", "cooling_off_ends_on", "agent_id", "team_id", "customer_id"),
            **_partial(_COHORT),
        ),
        Index(
            "ix_insurance_policy_quotes",
            "agent_id",
            "quoted_at",
            **_partial("status IN ('draft', 'quoted', 'bound') AND deleted_at IS NULL"),
        ),
    )

    number: Mapped[str | None] = mapped_column(String(40))
    quote_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    term_no: Mapped[int] = mapped_column(Integer, default=1)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_policy.id"))
    inception_on: Mapped[date] = mapped_column(Date)  # the start of term 1
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"), index=True)
    line: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    frequency: Mapped[str] = mapped_column(String(10), default="annual")
    annual_premium: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    term_premium: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    sum_insured: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # inclusive
    quote_valid_until: Mapped[date | None] = mapped_column(Date)
    quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_on: Mapped[date | None] = mapped_column(Date)
    cooling_off_ends_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    paid_to_date: Mapped[date | None] = mapped_column(Date)
    grace_ends_on: Mapped[date | None] = mapped_column(Date)
    lapsed_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    renewal_outcome: Mapped[str | None] = mapped_column(String(8))  # "lost"
    lost_reason: Mapped[str | None] = mapped_column(String(20))
    lost_note: Mapped[str | None] = mapped_column(String(500))
    callback_due_on: Mapped[date | None] = mapped_column(Date)
    callback_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_outcome: Mapped[str | None] = mapped_column(String(14))
    p13: Mapped[bool | None] = mapped_column()  # kept 13 months (term 1; set once)
    p25: Mapped[bool | None] = mapped_column()
    inputs: Mapped[dict | None] = mapped_column(JSON)  # what the premium was priced on
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_household.id"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(Integer)  # a sales deal, when sales is there
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    customer: Mapped[Customer] = relationship()
    agent: Mapped[User | None] = relationship()
    product: Mapped[InsuranceProduct] = relationship()
    carrier: Mapped[Carrier] = relationship()
    predecessor: Mapped[Policy | None] = relationship(remote_side="Policy.id")

    @property
    def display_number(self) -> str:
        """The policy number, else the quote's."""
        return self.number or self.quote_number or ""


class PolicyTransaction(TimestampMixin, db.Model):
    """One change of a policy, written once: ``premium_delta`` is the
    change of the term's written premium (signed); ``changes`` the
    before/after of what an endorsement changed. ``customer_id`` to
    ``currency`` are the policy's, copied for the reports."""

    __tablename__ = "insurance_transaction"
    __label__ = _l("Policy change")
    __table_args__ = (
        Index("uq_insurance_transaction_seq", "policy_id", "seq", unique=True),
        Index("ix_insurance_transaction_booked", "booked_on", "carrier_id", "product_id"),
        Index("ix_insurance_transaction_kind", "kind", "booked_on"),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(14))
    number: Mapped[str | None] = mapped_column(String(40))  # 批单号 of an endorsement
    effective_on: Mapped[date] = mapped_column(Date)
    booked_on: Mapped[date] = mapped_column(Date)
    premium_delta: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    annual_premium_after: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    refund: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    gap_from: Mapped[date | None] = mapped_column(Date)
    gap_to: Mapped[date | None] = mapped_column(Date)
    changes: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"))
    line: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))

    policy: Mapped[Policy] = relationship()
