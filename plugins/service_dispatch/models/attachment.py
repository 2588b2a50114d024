"""Photos and documents on a work order."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, db, translator

_, _l = translator("service_dispatch")


class Attachment(TimestampMixin, db.Model):
    """A photo or document on a work order; the bytes live in the instance
    folder under ``uploads/service_dispatch/<stored_name>``."""

    __tablename__ = "service_dispatch_attachment"
    __label__ = _l("Attachment")  # how the audit log names it

    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("service_dispatch_work_order.id"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
