"""Invoices (发票) and the customer's billing details (开票信息)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Customer,
    SoftDeleteMixin,
    TimestampMixin,
    User,
    UTCDateTime,
    VersionedMixin,
    db,
    translator,
)

from .contract import Contract
from .receivable import Payment

_, _l = translator("sales")

#: 增值税专用发票 (deductible), 增值税普通发票, or a plain receipt abroad
INVOICE_KINDS = ("vat_special", "vat_normal", "receipt")
#: requested by the rep → issued by finance (with the tax office's number), or cancelled
INVOICE_STATUSES = ("requested", "issued", "cancelled")

#: the billing details a Chinese VAT invoice prints, on the customer and on each invoice
BILLING_FIELDS = ("title", "tax_number", "address", "phone", "bank_name", "bank_account")


class BillingProfile(TimestampMixin, VersionedMixin, db.Model):
    """开票信息: how a customer is invoiced — the invoice title (发票抬头),
    taxpayer number (纳税人识别号), registered address and phone, bank and
    account. One per customer."""

    __tablename__ = "sales_billing_profile"
    __label__ = _l("Billing details")  # how the audit log names it

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    bank_name: Mapped[str | None] = mapped_column(String(120))
    bank_account: Mapped[str | None] = mapped_column(String(60))

    customer: Mapped[Customer] = relationship()


class Invoice(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """发票: an invoice requested against a contract (and, optionally, the
    payment it covers), then issued with the number the tax system gave.
    The billing details are copied from the customer when it is requested,
    so a later change of the customer's details leaves issued invoices as
    they were. Recording only: no e-invoicing gateway."""

    __tablename__ = "sales_invoice"
    __label__ = _l("Invoice")  # how the audit log names it
    __table_args__ = (
        Index("ix_sales_invoice_updated", "updated_at", "id"),
        # the tax office never gives one number twice: among issued invoices it is unique
        Index(
            "uq_sales_invoice_number_issued",
            "number",
            unique=True,
            sqlite_where=text("status = 'issued'"),
            postgresql_where=text("status = 'issued'"),
        ),
    )

    contract_id: Mapped[int] = mapped_column(ForeignKey("sales_contract.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("sales_payment.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="vat_normal")
    status: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    #: the tax office's invoice number, given when it is issued
    number: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    tax_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    title: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    bank_name: Mapped[str | None] = mapped_column(String(120))
    bank_account: Mapped[str | None] = mapped_column(String(60))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_on: Mapped[date | None] = mapped_column(Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    contract: Mapped[Contract] = relationship(Contract)
    payment: Mapped[Payment | None] = relationship()
    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
