"""What every step of an approval leaves behind: an entry on the customer's
timeline, an audit entry; and the end of a request, which tells the record."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import update

from core.declarations import Approvable
from core.events import emit
from core.extensions import db
from core.i18n import _
from core.models import ApprovalRequest, ApprovalTask, User, utcnow
from core.registry import current_registry
from core.services.activities import log_activity
from core.services.base import audit


def _subject(action: str, title: str, to: User | None) -> str:
    if action == "submit":
        return _("Submitted for approval: %(title)s", title=title)
    if action == "approve":
        return _("Approved: %(title)s", title=title)
    if action == "reject":
        return _("Rejected: %(title)s", title=title)
    if action == "delegate":
        return _("Approval handed to %(name)s: %(title)s", name=to.name if to else "", title=title)
    return _("Approval withdrawn: %(title)s", title=title)


def journal(
    actor: User | None,
    request: ApprovalRequest,
    record: Any,
    action: str,
    *,
    comment: str | None = None,
    task: ApprovalTask | None = None,
    to: User | None = None,
) -> None:
    """An activity on the record's customer's timeline (when it has one) and
    an audit entry of the request, in the current transaction."""
    kind: Approvable = current_registry().approvables[request.record_type]
    customer_id = kind.customer_id(record)
    if customer_id:
        log_activity(
            {
                "kind": "note",
                "subject": _subject(action, request.title, to)[:200],
                "body": comment or None,
                "customer_id": customer_id,
                # the record's table, as every timeline link is: the plugin
                # that owns it says who may see the entry (its title names
                # the record) and where it links
                "link_type": cast(Any, kind.model).__tablename__,
                "link_id": request.record_id,
            },
            actor,
        )
    details: dict[str, Any] = {
        "status": request.status,
        "position": request.position,
        "record_type": request.record_type,
        "record_id": request.record_id,
    }
    if task is not None:
        details["task_id"] = task.id
    if comment:
        details["comment"] = comment
    if to is not None:
        details["to_user_id"] = to.id
    audit(actor, request, action, None, details)


def finish(request: ApprovalRequest, record: Any, outcome: str, actor: User | None) -> None:
    """End ``request`` with ``outcome``: waiting tasks are skipped, the
    record's ``on_decided`` runs in this transaction, the event follows the commit."""
    db.session.execute(
        update(ApprovalTask)
        .where(ApprovalTask.request_id == request.id, ApprovalTask.status == "waiting")
        .values(status="skipped", decided_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    request.status = outcome
    request.decided_at = utcnow()
    db.session.flush()
    current_registry().approvables[request.record_type].on_decided(record, outcome)
    audit(actor, request, outcome, None, {"status": outcome})
    emit("approval_decided", request=request, outcome=outcome)
