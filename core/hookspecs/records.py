"""A plugin's records that point at customers and users, when those move,
merge or go — the veto before a customer is deleted, merged or purged, and
the customers no one may reach out to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from core.hookspecs.markers import hookspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    from sqlalchemy import Select

    from core.models import Customer, User


# ------------------------------------------------------------ moving records


@hookspec
def trellis_transfer_records(from_user_id: int, to_user_id: int) -> int:
    """Hand the plugin's records of a departing user to a colleague.

    Called inside the transaction of ``transfer_all`` (an admin moving every
    customer, contact, open task and plugin record of ``from_user_id`` to
    ``to_user_id``), so a failure here undoes the whole transfer. Update your
    rows through ``db.session``; do not commit. Return how many records moved.
    """


@hookspec
def trellis_merge_records(survivor_id: int, merged_id: int) -> int:
    """Point the plugin's records of customer ``merged_id`` at ``survivor_id``.

    Called inside the merge transaction, before the merged customer goes to
    the recycle bin; a failure undoes the merge. Do not commit. Return how
    many records moved.
    """


@hookspec
def trellis_purge_records(customer_id: int) -> None:
    """Delete (or detach) the plugin's records of a customer purged from the recycle bin.

    Called inside the purge transaction, before core deletes the customer's
    contacts and timeline and the customer itself; rows still pointing at it
    would make the purge fail and be rolled back. Do not commit.
    """


@hookspec
def trellis_customer_veto(
    customer: Customer, action: Literal["delete", "merge", "purge"], survivor: Customer | None
) -> str | None:
    """Say why ``customer`` must not be deleted, merged or purged — or ``None``.

    Called inside the transaction of the change, before anything is written,
    with ``action`` one of ``"delete"`` (to the recycle bin), ``"merge"``
    (``customer`` is folded into ``survivor``; ``survivor`` is ``None`` for
    the other actions) or ``"purge"`` (gone for good). Return a short,
    translated reason (``lazy_gettext``) to refuse: core rolls back, and the
    user reads every reason given (HTTP 409 ``customer-vetoed`` with
    ``reasons``; the error page in the browser). Return ``None`` to allow.

    Example::

        @hookimpl
        def trellis_customer_veto(customer, action, survivor):
            if action != "merge" and in_force_policies(customer.id):
                return _("the customer has policies in force")
    """


@hookspec
def trellis_customers_not_to_contact(customer_ids: list[int]) -> Iterable[int]:
    """Of ``customer_ids``, the customers nobody may reach out to — a deceased
    patient, someone who asked never to be called again.

    Core's follow-up engine asks before it creates the due tasks of a plan
    run, so no rule of any plugin follows up such a customer; outreach
    (campaigns, reminders) asks ``core.api.not_to_contact`` too.
    Answer with one query for the whole list; return the ids to leave out
    (or nothing).

    Example::

        @hookimpl
        def trellis_customers_not_to_contact(customer_ids):
            return db.session.scalars(
                select(Patient.customer_id).where(
                    Patient.customer_id.in_(customer_ids), Patient.deceased.is_(True)
                )
            )
    """


@hookspec
def trellis_customers_in_care(user: User) -> Select[Any] | list[Select[Any]] | None:
    """Selects of the ids of customers ``user`` may see beyond their role's
    scope, because the plugin's records put those customers in their care —
    or ``None``.

    Called by ``core.api.scoped`` each time it restricts a query over
    customers for a user whose scope is "own" or "team" (one who sees every
    customer is not asked), so every customer list, page, search and export
    widens alike. Return a select of one column of customer ids (not a list
    of ids: it is nested in the query), or a list of such selects, one for
    each reason a customer is in care — rather than their ``UNION``. Core
    ORs each into the query by itself: ``customer.id IN (<select>)`` in a
    list, and where it reads a few customers (a customer's page, a look-up)
    ``EXISTS (… WHERE <your column> = customer.id)``, which reads that
    customer's rows through your index on the customer column — a union
    would be built whole for each look-up. Keep each select indexed by its
    filter (for lists) and by its customer column (for look-ups); it widens
    customers only — the plugin's own records stay behind their own scoped
    queries.

    Answer ``None`` for a user who cannot have customers in the plugin's
    care — ask a permission only such users hold, not one every manager
    has: a select, even one that finds nothing, is OR-ed into every customer
    query of that user (list, search, counts) and costs them its price on
    each; with ``None`` their queries stay the scope alone.

    Example::

        @hookimpl
        def trellis_customers_in_care(user):
            if not user.can("clinic.care"):
                return None
            return [
                select(Visit.customer_id).where(Visit.doctor_id == user.id),
                select(Referral.customer_id).where(Referral.to_user_id == user.id),
            ]
    """
