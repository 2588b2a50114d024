"""Customers (客户), their contacts (联系人), tags, and the contact points
(normalised phones and e-mails) used to find duplicates fast."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.extensions import Model, db
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin
from core.models.users import Team, User


class CustomerKind(str, enum.Enum):
    """A customer is a company (企业) or a person (个人)."""

    company = "company"
    person = "person"


class Grade(str, enum.Enum):
    """客户级别: A is the most valuable."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Stage(str, enum.Enum):
    """客户状态: where a customer is in their life with the business."""

    lead = "lead"
    prospect = "prospect"
    customer = "customer"
    vip = "vip"
    churned = "churned"


customer_tag = Table(
    "customer_tag",
    db.metadata,
    Column("customer_id", ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(TimestampMixin, Model):
    """标签: a free label on customers, for segmenting."""

    __tablename__ = "tag"

    name: Mapped[str] = mapped_column(String(60), unique=True)
    color: Mapped[str | None] = mapped_column(String(16))


#: the longest name key kept (NFKC and case folding may lengthen a name)
NAME_KEY_LENGTH = 600


def name_key(name: str | None) -> str:
    """A name as duplicates are found by it: NFKC-normalised (full-width
    ``ＡＢＣ`` is ``ABC``), case-folded (``Straße`` is ``strasse``; Chinese is
    unchanged), its runs of white space one space, stripped."""
    if not name:
        return ""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(folded.split())[:NAME_KEY_LENGTH]


def _name_key_default(context: Any) -> str:
    """An INSERT that names no key gets the name's: Core and bulk inserts too."""
    return name_key(context.get_current_parameters().get("name"))


class Customer(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """A company or a person the business serves.

    ``owner_id`` NULL means the customer sits in the shared customer pool (公海).
    """

    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_owner_updated", "owner_id", "updated_at"),
        # a rep's first page by name (the list, a segment's, a static list's)
        Index("ix_customer_owner_name", "owner_id", "name"),
        Index("ix_customer_team_updated", "team_id", "updated_at"),
        # the default sort: a first page reads 50 index entries, not the table
        Index("ix_customer_updated", "updated_at"),
        # covers the scope filter and name search, so counting a rep's or a
        # team's customers scans this small index instead of the wide rows
        Index("ix_customer_scope", "team_id", "owner_id", "deleted_at", "name"),
        # only the recycle bin looks for deleted rows; a full index on
        # deleted_at lures SQLite into using it for "deleted_at IS NULL"
        Index(
            "ix_customer_deleted_at",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    #: :func:`name_key` of ``name``, kept by the model on every write (an
    #: attribute set, or an INSERT that leaves it out): duplicates by name
    #: are one indexed look-up
    name_key: Mapped[str] = mapped_column(
        String(NAME_KEY_LENGTH), index=True, default=_name_key_default, server_default=""
    )
    kind: Mapped[CustomerKind] = mapped_column(
        Enum(CustomerKind, native_enum=False, length=16), default=CustomerKind.company
    )
    industry: Mapped[str | None] = mapped_column(String(80))
    grade: Mapped[Grade | None] = mapped_column(
        Enum(Grade, native_enum=False, length=1), index=True
    )
    source: Mapped[str | None] = mapped_column(String(60), index=True)
    stage: Mapped[Stage] = mapped_column(
        Enum(Stage, native_enum=False, length=16), default=Stage.lead, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    city: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(300))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    custom_fields: Mapped[dict] = mapped_column(JSON, default=dict)
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    next_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # indexed above

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    team: Mapped[Team | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(
        secondary=customer_tag, order_by=Tag.name, lazy="selectin"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", order_by="(Contact.is_primary.desc(), Contact.name)"
    )

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.name!r}>"


class Contact(TimestampMixin, VersionedMixin, SoftDeleteMixin, Model):
    """A person at a customer."""

    __tablename__ = "contact"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str | None] = mapped_column(String(120))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    birthday: Mapped[date | None] = mapped_column(Date)
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class ContactPoint(TimestampMixin, Model):
    """One normalised phone or e-mail of a customer or contact.

    A derived index kept by the services on every write, so that "who else
    has this phone number?" is one indexed lookup, not a scan of JSON lists.
    """

    __tablename__ = "contact_point"
    __table_args__ = (
        UniqueConstraint("customer_id", "contact_id", "kind", "value"),
        Index("ix_contact_point_kind_value", "kind", "value"),
    )

    kind: Mapped[str] = mapped_column(String(8))  # "phone" | "email"
    value: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
