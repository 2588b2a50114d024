"""The catalogue: carriers (保险公司), their products by line of business
(险种), each product's coverages (保障责任) and premium table (费率表).

A product's terms drive the policy's life: grace days (宽限期),
cooling-off days (犹豫期), renewal lead days, the reinstatement window (复效),
how far back an issue may be dated, and the commission clawback period.
A health product may add outpatient cover terms (门诊): what a hospital's
cashier takes as the insurer's share (``services/coverage``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    SoftDeleteMixin,
    TimestampMixin,
    VersionedMixin,
    db,
    instance_currency,
    translator,
)

_, _l = translator("insurance")

#: lines of business (险种)
LINES = ("life", "health", "accident", "motor", "property")
#: how a product is priced: one premium, or from its premium table
PRICINGS = ("fixed", "table")
#: the charge categories a hospital bills (the hospital plugin's price
#: categories, named here: the insurance plugin does not import it)
CHARGE_CATEGORIES = (
    "registration",
    "consultation",
    "drug",
    "lab",
    "imaging",
    "procedure",
    "material",
    "other",
)
#: how often premiums fall due (缴费频率): instalments a year
FREQUENCIES = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}


class Carrier(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """An insurer whose products the agency sells; ``statement_columns``
    maps the headers of its commission statement CSV to ours."""

    __tablename__ = "insurance_carrier"
    __label__ = _l("Carrier")

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    statement_columns: Mapped[dict | None] = mapped_column(JSON)


class InsuranceProduct(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A carrier's product in one line of business, with the terms that
    drive its policies' life cycle (days unless named otherwise)."""

    __tablename__ = "insurance_product"
    __label__ = _l("Product")
    __table_args__ = (Index("uq_insurance_product_code", "carrier_id", "code", unique=True),)

    carrier_id: Mapped[int] = mapped_column(ForeignKey("insurance_carrier.id"))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    line: Mapped[str] = mapped_column(String(10), index=True)
    currency: Mapped[str] = mapped_column(String(3), default=instance_currency)
    pricing: Mapped[str] = mapped_column(String(6), default="fixed")
    fixed_premium: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # a year's
    term_months: Mapped[int] = mapped_column(Integer, default=12)
    frequencies: Mapped[list] = mapped_column(JSON, default=lambda: ["annual"])
    grace_days: Mapped[int] = mapped_column(Integer, default=30)
    cooling_off_days: Mapped[int] = mapped_column(Integer, default=15)
    cooling_off_fee: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    renewal_lead_days: Mapped[int] = mapped_column(Integer, default=30)
    renewal_late_days: Mapped[int] = mapped_column(Integer, default=30)
    reinstatement_days: Mapped[int] = mapped_column(Integer, default=0)  # 0: none
    backdate_days: Mapped[int] = mapped_column(Integer, default=0)
    clawback_months: Mapped[int] = mapped_column(Integer, default=12)
    clawback_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("100"))
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)  # life: yearly terms
    callback_required: Mapped[bool] = mapped_column(Boolean, default=False)  # 回访
    recorded_sale_required: Mapped[bool] = mapped_column(Boolean, default=False)  # 双录
    claim_documents: Mapped[list] = mapped_column(JSON, default=list)  # kinds a claim needs
    norm_sum_insured: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    # outpatient cover (门诊) of a health product, by policy year and insured person: the
    # patient's co-payment in percent (自付比例; None: no outpatient cover),
    # the deductible (免赔额), the most the insurer pays (年度限额; None: no
    # limit) and the charge categories covered
    outpatient_copay_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    outpatient_deductible: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    outpatient_limit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    outpatient_categories: Mapped[list] = mapped_column(JSON, default=list)
    #: the deductible and limit are the policy's, shared by everyone it insures (家庭共享)
    outpatient_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    carrier: Mapped[Carrier] = relationship()
    covers: Mapped[list[Cover]] = relationship(
        back_populates="product", order_by="Cover.id", cascade="all, delete-orphan"
    )


class Cover(TimestampMixin, db.Model):
    """A coverage a product offers (保障责任), with its sum insured bounds."""

    __tablename__ = "insurance_cover"
    __table_args__ = (Index("uq_insurance_cover_code", "product_id", "code", unique=True),)

    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    min_sum_insured: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    max_sum_insured: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    default_deductible: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))

    product: Mapped[InsuranceProduct] = relationship(back_populates="covers")


class Rate(TimestampMixin, db.Model):
    """One row of a product's premium table: for the bands it names (age,
    sum insured, vehicle class; None = any), a year's premium or a rate
    per mille of the sum insured. ``cover_code`` None prices the whole
    policy."""

    __tablename__ = "insurance_rate"
    __table_args__ = (Index("ix_insurance_rate_product", "product_id", "cover_code"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("insurance_product.id"))
    cover_code: Mapped[str | None] = mapped_column(String(30))
    age_from: Mapped[int | None] = mapped_column(Integer)
    age_to: Mapped[int | None] = mapped_column(Integer)
    sum_from: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    sum_to: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    vehicle_class: Mapped[str | None] = mapped_column(String(20))
    annual_premium: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    rate_per_mille: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
