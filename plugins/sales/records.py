"""Moving deals when core transfers a user's records or merges customers."""

from sqlalchemy import update

from core.api import db

from .models import Deal


def move_deals(**change: tuple[int, int]) -> int:
    """``move_deals(owner_id=(old, new))``: repoint one column; return the count."""
    ((column, (old, new)),) = change.items()
    attr = getattr(Deal, column)
    result = db.session.execute(update(Deal).where(attr == old)
                                .values({attr: new, Deal.version: Deal.version + 1}))
    return result.rowcount
