"""The service dispatch plugin's events: other plugins subscribe with ``@hookimpl``.

Each fires after the transaction that made the change has committed.
"""

from core.api import eventspec


@eventspec
def trellis_service_dispatch_work_order_created(order):
    """A work order was opened. ``order`` is the new ``service_dispatch_work_order`` row."""


@eventspec
def trellis_service_dispatch_work_order_assigned(order, engineer):
    """``order`` was assigned (or re-assigned) to ``engineer`` (a ``User``);
    ``order.override_note`` says why when the dispatcher overrode a skill or
    region mismatch."""


@eventspec
def trellis_service_dispatch_work_order_completed(order):
    """The engineer completed ``order``; its report (diagnosis, work done,
    labour, charges, who confirmed) is filled in."""


@eventspec
def trellis_service_dispatch_work_order_closed(order):
    """``order`` was closed after completion (a reopen may follow)."""


@eventspec
def trellis_service_dispatch_revisit_low_score(order, revisit):
    """The customer gave ``order`` a low score at its revisit (回访) and the
    revisit plan says to escalate rather than reopen: ``order`` is now urgent
    with ``escalated_at`` set; ``revisit`` holds the score and the comment."""


@eventspec
def trellis_service_dispatch_attachments_purged(stored_names):
    """A purged customer's order attachments are gone from the database;
    ``stored_names`` are their files in the instance's attachment folder. The
    plugin's own subscriber deletes the files (after the commit, so a purge
    that is rolled back keeps them); a backup plugin may want to know too."""
