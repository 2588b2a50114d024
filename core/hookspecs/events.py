"""Core's domain events, fired after the transaction commits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs.markers import eventspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    from core.models import Activity, Contact, Customer


# ------------------------------------------------------------------ domain events
# Fired after the transaction commits, never inside it: a subscriber that
# fails cannot undo the change, and is logged, not raised.


@eventspec
def trellis_customer_created(customer: Customer) -> None:
    """A customer was created. ``customer`` is the committed record."""


@eventspec
def trellis_customer_updated(customer: Customer, changes: dict[str, tuple[Any, Any]]) -> None:
    """A customer was edited. ``changes`` maps each changed field to ``(before, after)``."""


@eventspec
def trellis_customer_deleted(customer: Customer) -> None:
    """A customer was moved to the recycle bin (soft-deleted)."""


@eventspec
def trellis_customer_restored(customer: Customer) -> None:
    """A customer was restored from the recycle bin."""


@eventspec
def trellis_customer_merged(survivor: Customer, merged_id: int) -> None:
    """Customer ``merged_id`` was merged into ``survivor`` and no longer exists on its own."""


@eventspec
def trellis_customer_owner_changed(
    customer: Customer, previous_owner_id: int | None, new_owner_id: int | None
) -> None:
    """``customer`` changed hands; either id may be ``None`` (the customer pool)."""


@eventspec
def trellis_contact_created(contact: Contact) -> None:
    """A contact was created. ``contact.customer`` is its customer."""


@eventspec
def trellis_activity_logged(activity: Activity) -> None:
    """An activity or task was added to a timeline."""
