"""Files attached to records: a contract's signed scan, a claim's documents,
a visit's reports — for any plugin's record, as the timeline's activities are.

``link_type``/``link_id`` name the record (its table and id, as on an
activity); ``kind`` says what the file is to the record (a claim's
``invoice``, a policy's ``recorded_sale``): the owning plugin decides which
kinds its records take, core only stores and filters them. ``customer_id``
names the customer it belongs to, so a merge moves the files with the
customer and a purge removes them. The bytes live in the
instance folder under ``uploads/core/<stored_name>`` (which a backup holds);
write them through :mod:`core.attachments`, never by hand.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import Model
from core.i18n import _l
from core.models.base import TimestampMixin
from core.models.users import User


class Attachment(TimestampMixin, Model):
    """A file on a plugin record: its sender's name (with the extension of
    its type), the type its content proves, its size in bytes, and the
    random name it is stored under. Removing one deletes the row and the
    file (the audit log keeps what it was), so there is no recycle bin."""

    __tablename__ = "attachment"
    __label__ = _l("Attachment")  # how the audit log names it
    __table_args__ = (Index("ix_attachment_link", "link_type", "link_id"),)

    link_type: Mapped[str] = mapped_column(String(64))
    link_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str | None] = mapped_column(String(40))

    uploaded_by: Mapped[User | None] = relationship()
