"""The people around a policy: persons (a policyholder's insured, their
beneficiaries, each maybe a customer too), households (家庭), the insured
objects (保险标的: a vehicle, a property) and the agents (代理人) credited
with the business.

A national ID number is personal data: kept encrypted with a look-up hash
(core's ``Encrypted`` / ``lookup_column``), shown masked without
``insurance.pii.read``; its last four characters are kept plain for lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    Encrypted,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    VersionedMixin,
    db,
    lookup_column,
    translator,
)

_, _l = translator("insurance")

#: kinds of identity document
ID_TYPES = ("cn_ric", "passport", "other")
#: how an insured person is related to the policyholder
RELATIONS = ("self", "spouse", "child", "parent", "employee", "other")
OBJECT_KINDS = ("vehicle", "property", "other")
AGENT_RANKS = ("agent", "team_leader", "branch_manager")


class Household(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """Persons grouped as one household: its page shows the whole cover and the gaps."""

    __tablename__ = "insurance_household"
    __label__ = _l("Household")

    name: Mapped[str] = mapped_column(String(120))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    customer: Mapped[Customer] = relationship()


class Person(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A person insured or named beneficiary, filed under the customer
    (``customer_id``) whose agent sees them; ``person_customer_id`` when the
    person is a customer in their own right."""

    __tablename__ = "insurance_person"
    __label__ = _l("Person")

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    person_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_type: Mapped[str | None] = mapped_column(String(8))
    national_id: Mapped[str | None] = mapped_column(Encrypted())
    national_id_lookup: Mapped[str | None] = lookup_column("national_id")
    national_id_tail: Mapped[str | None] = mapped_column(String(4))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_household.id"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    household: Mapped[Household | None] = relationship()


class Agent(TimestampMixin, VersionedMixin, db.Model):
    """A user who sells insurance: their code, rank, upline (the team
    leader; the branch is their team's parent in core) and licence
    (执业证). New business is credited only while the licence is valid."""

    __tablename__ = "insurance_agent"
    __label__ = _l("Agent")

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    rank: Mapped[str] = mapped_column(String(14), default="agent")
    upline_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    licence_no: Mapped[str | None] = mapped_column(String(40))
    licence_expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Insured(TimestampMixin, db.Model):
    """A person a policy insures (被保险人) and how they relate to the policyholder."""

    __tablename__ = "insurance_insured"
    __table_args__ = (Index("uq_insurance_insured", "policy_id", "person_id", unique=True),)

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("insurance_person.id"), index=True)
    relation: Mapped[str] = mapped_column(String(10), default="self")

    person: Mapped[Person] = relationship()


class Beneficiary(TimestampMixin, db.Model):
    """A beneficiary (受益人) of a life or accident policy: the shares of
    one rank (1 primary, 2 contingent) total exactly 100 %."""

    __tablename__ = "insurance_beneficiary"
    __table_args__ = (
        Index("uq_insurance_beneficiary", "policy_id", "person_id", "rank", unique=True),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("insurance_person.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=1)
    share: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    person: Mapped[Person] = relationship()


class InsuredObject(TimestampMixin, db.Model):
    """A thing a policy insures (保险标的): a vehicle or a property."""

    __tablename__ = "insurance_object"

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))
    plate: Mapped[str | None] = mapped_column(String(20))
    vin: Mapped[str | None] = mapped_column(String(17))
    vehicle_class: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(300))
    value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))


class Coverage(TimestampMixin, db.Model):
    """A coverage taken on a policy: its sum insured (保额), deductible
    (免赔额) and the year's premium, for a person or an object insured."""

    __tablename__ = "insurance_coverage"
    __table_args__ = (
        Index(
            "uq_insurance_coverage",
            *("policy_id", "cover_code", "insured_id", "object_id"),
            unique=True,
        ),
    )

    policy_id: Mapped[int] = mapped_column(ForeignKey("insurance_policy.id"))
    cover_code: Mapped[str] = mapped_column(String(30))
    insured_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_insured.id"))
    object_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_object.id"))
    sum_insured: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    deductible: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    annual_premium: Mapped[Decimal] = mapped_column(Numeric(14, 2))
