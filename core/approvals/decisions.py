"""An approver's decisions: approve, reject (with a comment), or hand the
task to a delegate. Only a waiting task of one's own can be decided (else
403); a task decided already is a 409, and so is losing a race to another
approver of the same request (see :func:`core.approvals.requests.claim`)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from core.approvals.journal import finish, journal
from core.approvals.requests import claim, ensure_pending, kind_of, load_record, open_step
from core.errors import (
    ConflictError,
    ForbiddenError,
    MissingReferenceError,
    StateError,
    ValidationError,
)
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import ApprovalRequest, ApprovalTask, User, utcnow

MAX_COMMENT = 2000


def my_task(request: ApprovalRequest, actor: User) -> ApprovalTask:
    """``actor``'s waiting task in the request's current step: 409 when
    they decided (or handed on) theirs in this request already, else 403."""
    ensure_pending(request)
    tasks = db.session.scalars(
        select(ApprovalTask).where(
            ApprovalTask.request_id == request.id, ApprovalTask.approver_id == actor.id
        )
    ).all()
    waiting = next(
        (t for t in tasks if t.status == "waiting" and t.position == request.position), None
    )
    if waiting is not None:
        return waiting
    if tasks:
        raise ConflictError(
            _("You have already decided on this step."),
            kind="approval-decided",
            title=_("Already decided"),
        )
    raise ForbiddenError(_("This approval step is not yours to decide."))


def _comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError({"comment": [_("at most %(n)d characters", n=MAX_COMMENT)]})
    return text or None


def _settle(task: ApprovalTask, status: str, comment: str | None) -> None:
    """Decide ``task`` if it still waits (a conditional UPDATE), else 409."""
    result = db.session.execute(
        update(ApprovalTask)
        .where(ApprovalTask.id == task.id, ApprovalTask.status == "waiting")
        .values(status=status, comment=comment, decided_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        raise ConflictError(
            _("You have already decided on this step."),
            kind="approval-decided",
            title=_("Already decided"),
        )


def approve(request: ApprovalRequest, actor: User, comment: str | None = None) -> ApprovalRequest:
    """Approve your task. The step is done at the first approval ("any") or
    the last one ("all"); then the next step starts, or, after the last, the
    request is approved and the record's ``on_decided`` runs."""
    text = _comment(comment)
    task = my_task(request, actor)
    record = load_record(kind_of(request.record_type), request.record_id, None)
    with transaction():
        claim(request)
        _settle(task, "approved", text)
        journal(actor, request, record, "approve", comment=text, task=task)
        step = request.steps[request.position]
        waiting = db.session.scalar(
            select(func.count())
            .select_from(ApprovalTask)
            .where(
                ApprovalTask.request_id == request.id,
                ApprovalTask.position == request.position,
                ApprovalTask.status == "waiting",
            )
        )
        if step["mode"] == "any" or not waiting:
            db.session.execute(
                update(ApprovalTask)
                .where(ApprovalTask.request_id == request.id, ApprovalTask.status == "waiting")
                .values(status="skipped", decided_at=utcnow())
                .execution_options(synchronize_session="fetch")
            )
            if request.position + 1 < len(request.steps):
                open_step(request, record, request.position + 1)
            else:
                finish(request, record, "approved", actor)
    return request


def reject(request: ApprovalRequest, actor: User, comment: str | None = None) -> ApprovalRequest:
    """Reject: the request ends rejected at once, whatever the step's mode."""
    text = _comment(comment)
    task = my_task(request, actor)
    record = load_record(kind_of(request.record_type), request.record_id, None)
    with transaction():
        claim(request)
        _settle(task, "rejected", text)
        journal(actor, request, record, "reject", comment=text, task=task)
        finish(request, record, "rejected", actor)
    return request


def delegate(
    request: ApprovalRequest, actor: User, user_id: object, comment: str | None = None
) -> ApprovalRequest:
    """Hand your waiting task to another active user, who decides in your place."""
    text = _comment(comment)
    task = my_task(request, actor)
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ValidationError({"user_id": [_("expected the id of an active user")]})
    to = db.session.get(User, user_id)
    if to is None or not to.is_active:
        raise MissingReferenceError({"user_id": [_("no active user with this id")]})
    if to.id == actor.id:
        raise ValidationError({"user_id": [_("choose someone other than yourself")]})
    taken = db.session.scalar(
        select(ApprovalTask.id).where(
            ApprovalTask.request_id == request.id,
            ApprovalTask.position == request.position,
            ApprovalTask.approver_id == to.id,
            ApprovalTask.status == "waiting",
        )
    )
    if taken:
        raise StateError({"user_id": [_("this user already approves this step")]})
    record = load_record(kind_of(request.record_type), request.record_id, None)
    with transaction():
        claim(request)
        _settle(task, "delegated", text)
        db.session.add(
            ApprovalTask(
                request_id=request.id,
                position=request.position,
                approver_id=to.id,
                delegated_from_id=actor.id,
            )
        )
        db.session.flush()
        journal(actor, request, record, "delegate", comment=text, task=task, to=to)
    return request
