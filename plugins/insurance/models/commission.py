"""Commission (佣金): the rules per carrier and product (first-year vs
renewal rates, the agent's share, the team leader's override), the lines
each premium payment earns (and claws back), the carriers' statements
reconciled against them (对账), and each agent's monthly statement."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, UTCDateTime, VersionedMixin, db, translator

_, _l = translator("insurance")

LINE_KINDS = ("commission", "override", "clawback", "reversal")
BASES = ("first_year", "renewal")
MATCHES = ("matched", "variance", "unknown")


class InsuranceCommissionRule(TimestampMixin, VersionedMixin, db.Model):
    """What a carrier pays on a product's premiums (None: all its
    products), from ``effective_from``; rates are fractions (0.25 = 25 %)."""

    __tablename__ = "insurance_commission_rule"
    __label__ = _l("Commission rule")
    __table_args__ = (
        Index(
            "uq_insurance_commission_rule",
            "carrier_id",
            "product_id",
            "effective_from",
            unique=True,
        ),
    )

    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_product.id"))
    first_year_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    renewal_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    agent_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("1"))
    leader_override: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0"))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)


class CommissionLine(TimestampMixin, db.Model):
    """One commission amount, written once: what the carrier owes the
    agency (``expected``) and what goes to the agent credited
    (``agent_amount``) for a payment, an override, a clawback."""

    __tablename__ = "insurance_commission_line"
    __table_args__ = (
        Index(
            "ix_insurance_commission_agent",
            *("agent_id", "month", "id", "kind", "expected", "agent_amount"),
        ),
        Index("ix_insurance_commission_carrier", "carrier_id", "month", "policy_id"),
        # the lines no agent statement holds yet (building a month's statements
        # reads them from the index alone)
        Index(
            "ix_insurance_commission_open",
            *("month", "agent_id", "currency", "kind", "agent_amount"),
            sqlite_where=text("agent_statement_id IS NULL"),
            postgresql_where=text("agent_statement_id IS NULL"),
        ),
        # an issued statement's lines
        Index("ix_insurance_commission_statement", "agent_statement_id"),
        Index("uq_insurance_commission_payment", "payment_id", "kind", "agent_id", unique=True),
    )

    kind: Mapped[str] = mapped_column(String(10))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_payment.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    term_no: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(10))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    month: Mapped[date] = mapped_column(Date)  # the 1st of the payment's month
    currency: Mapped[str] = mapped_column(String(3))
    premium: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    expected: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    agent_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    statement_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_carrier_statement_line.id")
    )
    agent_statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_agent_statement.id")
    )


class CarrierStatement(TimestampMixin, db.Model):
    """A carrier's commission statement for a month, imported from CSV."""

    __tablename__ = "insurance_carrier_statement"
    __label__ = _l("Carrier statement")
    __table_args__ = (
        Index("uq_insurance_carrier_statement_file", "carrier_id", "sha256", unique=True),
        Index("ix_insurance_carrier_statement_month", "carrier_id", "month"),
    )

    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    month: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rows: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    received_total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    expected_total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)


class CarrierStatementLine(TimestampMixin, db.Model):
    """One row of a carrier statement and how it matched our lines."""

    __tablename__ = "insurance_carrier_statement_line"
    __table_args__ = (Index("ix_insurance_statement_line_status", "statement_id", "status"),)

    statement_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier_statement.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    policy_number: Mapped[str] = mapped_column(String(40))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    term_no: Mapped[int | None] = mapped_column(Integer)
    transaction_type: Mapped[str | None] = mapped_column(String(14))
    effective_on: Mapped[date | None] = mapped_column(Date)
    premium: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(10))
    expected: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    variance: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))


class AgentStatement(TimestampMixin, VersionedMixin, db.Model):
    """An agent's commission for a month (佣金月结单): a draft until issued."""

    __tablename__ = "insurance_agent_statement"
    __label__ = _l("Agent statement")
    __table_args__ = (
        Index("uq_insurance_agent_statement", "agent_id", "month", "currency", unique=True),
    )

    agent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    month: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    commission: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    overrides: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    clawbacks: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
