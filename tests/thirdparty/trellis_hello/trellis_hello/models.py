from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import TimestampMixin, db


class Greeting(TimestampMixin, db.Model):
    __tablename__ = "hello_greeting"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
