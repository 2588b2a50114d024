"""Approvals (审批): the record types a plugin lets admins put through
approval flows, and the events of a request's life."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs.markers import eventspec, hookspec

if TYPE_CHECKING:  # annotations only: the models import much of core
    from core.declarations import Approvable
    from core.models import ApprovalRequest


@hookspec
def trellis_approvables() -> list[Approvable]:
    """Return a list of ``core.api.Approvable``: the plugin's record types
    that can require approval.

    Called when the application is built. An admin then defines approval
    flows for each type (steps approved by a role, the owner's team manager,
    a named user or any of several; conditions on the declared ``fields``
    choosing the flow). The plugin submits a record with
    ``core.api.submit_for_approval(record_type, record_id, user)``, refuses
    edits while it waits with ``core.api.ensure_unlocked(record)`` in its
    update services, and hears the outcome in ``on_decided``, inside the
    transaction of the last decision. A type declared twice stops start-up.

    Example::

        @hookimpl
        def trellis_approvables():
            return [
                Approvable(
                    "sales.quote",
                    Quote,
                    _l("Quote"),
                    fields={"total": "number", "discount": "percent"},
                    customer_id=lambda quote: quote.customer_id,
                    title=lambda quote: quote.number,
                    url=lambda quote: url_for("sales.quote", quote_id=quote.id),
                    on_decided=lambda quote, outcome: setattr(quote, "state", outcome),
                )
            ]
    """


@eventspec
def trellis_approval_submitted(request: ApprovalRequest) -> None:
    """A record was submitted for approval; ``request.status`` is
    ``"pending"``, or ``"approved"`` when no flow applied to it."""


@eventspec
def trellis_approval_decided(request: ApprovalRequest, outcome: str) -> None:
    """A request ended: ``outcome`` is ``"approved"``, ``"rejected"`` or
    ``"withdrawn"`` (the record's ``on_decided`` has already run)."""
