"""Submitting a record for approval, withdrawing it, and the lock that keeps
a record unchanged while it waits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from core.access import customer_live, sees_all
from core.approvals.flows import active_holders, approvable, choose_flow
from core.approvals.journal import finish, journal
from core.declarations import Approvable
from core.errors import (
    ConflictError,
    ForbiddenError,
    MissingReferenceError,
    NotFoundError,
    StateError,
    ValidationError,
)
from core.events import emit, transaction
from core.extensions import db
from core.i18n import _
from core.models import ApprovalRequest, ApprovalTask, DataScope, Team, User, utcnow
from core.registry import current_registry

MANAGE = "admin.approvals"


def kind_of(record_type: str) -> Approvable:
    kind = approvable(record_type)
    if kind is None:
        raise ValidationError({"record_type": [_("no record type %(type)s", type=record_type)]})
    return kind


def load_record(kind: Approvable, record_id: int, user: User | None) -> Any:
    """The record if ``user`` may see it, through the plugin's own ``load``."""
    record = kind.load(record_id, user) if kind.load else db.session.get(kind.model, record_id)
    if record is None:
        raise MissingReferenceError({"record_id": [_("no record with this id")]})
    return record


def is_locked(record_type: str, record_id: int) -> bool:
    """Whether the record waits for approval (its edits are refused meanwhile)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ApprovalRequest.record_type == record_type,
                    ApprovalRequest.record_id == record_id,
                    ApprovalRequest.status == "pending",
                )
            )
        )
    )


def ensure_unlocked(record: Any, record_type: str | None = None) -> None:
    """Refuse (``ConflictError``, HTTP 409 ``approval-pending``) to change a
    record that waits for approval. Plugins call it first in their update
    services; ``record_type`` is found from the record's class when omitted."""
    kinds = current_registry().approvables
    if record_type is None:
        record_type = next(
            (k.record_type for k in kinds.values() if isinstance(record, k.model)), None
        )
    if record_type is None or not is_locked(record_type, record.id):
        return
    raise ConflictError(
        _(
            "%(record)s waits for approval: it cannot be changed until the approval is decided "
            "or withdrawn.",
            record=kinds[record_type].title(record),
        ),
        kind="approval-pending",
        title=_("Waiting for approval"),
        record_type=record_type,
        record_id=record.id,
    )


def submit(record_type: str, record_id: int, actor: User) -> ApprovalRequest:
    """Submit a record: the first matching active flow (by priority) starts
    with its first step's tasks, and the record is locked; with no flow the
    request is approved at once (``on_decided`` runs, "approved")."""
    kind = kind_of(record_type)
    record = load_record(kind, record_id, actor)
    if is_locked(record_type, record_id):
        raise StateError({"record_id": [_("this record already waits for approval")]})
    flow = choose_flow(record_type, record)
    now = utcnow()
    try:
        with transaction():
            request = ApprovalRequest(
                record_type=record_type,
                record_id=record_id,
                flow_id=flow.id if flow else None,
                customer_id=kind.customer_id(record),
                title=str(kind.title(record))[:200],
                steps=[
                    {
                        "position": s.position,
                        "kind": s.approver_kind,
                        "role": s.role_name,
                        "user_ids": list(s.user_ids or []),
                        "mode": s.mode,
                    }
                    for s in (flow.steps if flow else [])
                ],
                position=0,
                submitted_by_id=actor.id,
                submitted_at=now,
                status="pending",
                version=1,
            )
            db.session.add(request)
            db.session.flush()
            journal(actor, request, record, "submit")
            emit("approval_submitted", request=request)
            if flow is None:
                finish(request, record, "approved", actor)
            else:
                open_step(request, record, 0)
    except IntegrityError:  # a concurrent submit of the same record won
        raise StateError({"record_id": [_("this record already waits for approval")]}) from None
    return request


def open_step(request: ApprovalRequest, record: Any, index: int) -> None:
    """Start step ``index``: one waiting task per approver."""
    step = request.steps[index]
    request.position = index
    approvers = resolve(step, request, record)
    if not approvers:
        raise StateError({"steps": [_("step %(n)d has no active approver", n=index + 1)]})
    for user_id in approvers:
        db.session.add(ApprovalTask(request_id=request.id, position=index, approver_id=user_id))
    db.session.flush()


def resolve(step: dict, request: ApprovalRequest, record: Any) -> list[int]:
    """The ids of the active users who approve ``step``. The submitter does
    not approve their own record through a role or as team manager."""
    submitter = request.submitted_by_id
    if step["kind"] == "role":
        return [u for u in active_holders(step["role"] or "") if u != submitter]
    if step["kind"] == "team_manager":
        return team_managers(getattr(record, "owner_id", None) or submitter, submitter)
    ids = step["user_ids"] or []
    return list(
        db.session.scalars(
            select(User.id)
            .where(User.id.in_(ids), User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def team_managers(owner_id: int | None, submitter: int | None) -> list[int]:
    """The managers of the owner's team: its active members whose role sees
    the team (scope "team"); none there, the parent team's, and so up."""
    owner = db.session.get(User, owner_id) if owner_id else None
    team_id = owner.team_id if owner else None
    seen: set[int] = set()
    while team_id is not None and team_id not in seen:
        seen.add(team_id)
        found = [
            u.id
            for u in db.session.scalars(
                select(User)
                .where(User.team_id == team_id, User.active.is_(True), User.deleted_at.is_(None))
                .order_by(User.id)
            )
            if u.role is not None and u.role.scope == DataScope.team and u.id != submitter
        ]
        if found:
            return found
        team = db.session.get(Team, team_id)
        team_id = team.parent_id if team else None
    return []


def claim(request: ApprovalRequest) -> None:
    """Bump the request's version if nobody else has since it was read: of
    two deciders at once one wins, the other gets a 409 (a conditional
    UPDATE, so the database itself decides)."""
    result = db.session.execute(
        update(ApprovalRequest)
        .where(
            ApprovalRequest.id == request.id,
            ApprovalRequest.version == request.version,
            ApprovalRequest.status == "pending",
        )
        .values(version=ApprovalRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        raise ConflictError(
            _("Someone else decided on this approval at the same moment; open it again."),
            kind="approval-race",
            title=_("Decided by someone else"),
        )
    request.version += 1
    db.session.flush()


def withdraw(request: ApprovalRequest, actor: User) -> ApprovalRequest:
    """The submitter takes the record back while it waits; it is unlocked."""
    if request.submitted_by_id != actor.id:
        raise ForbiddenError(_("Only the submitter may withdraw this approval."))
    ensure_pending(request)
    kind = kind_of(request.record_type)
    record = load_record(kind, request.record_id, None)
    with transaction():
        claim(request)
        journal(actor, request, record, "withdraw")
        finish(request, record, "withdrawn", actor)
    return request


def ensure_pending(request: ApprovalRequest) -> None:
    if request.status != "pending":
        raise ConflictError(
            _("This approval is already decided (%(status)s).", status=request.status),
            kind="approval-decided",
            title=_("Already decided"),
        )


def visible_requests(user: User) -> Select:
    """The requests ``user`` may see: every one for a user who holds
    ``admin.approvals`` and sees every record (scope "all"), else those
    they submitted or have a task in — a request's title names its record."""
    query = select(ApprovalRequest).where(live())
    if user.can(MANAGE) and sees_all(user):
        return query
    mine = exists().where(
        ApprovalTask.request_id == ApprovalRequest.id, ApprovalTask.approver_id == user.id
    )
    return query.where(or_(ApprovalRequest.submitted_by_id == user.id, mine))


def live() -> Any:
    """A condition: the request's customer (if any) is not in the recycle bin."""
    return ApprovalRequest.customer_id.is_(None) | customer_live(ApprovalRequest.customer_id)


def get_request(request_id: int, user: User) -> ApprovalRequest:
    request = db.session.scalar(visible_requests(user).where(ApprovalRequest.id == request_id))
    if request is None:
        raise NotFoundError(_("approval %(id)s not found", id=request_id))
    return request


def inbox_query(user: User) -> Select:
    """``user``'s waiting tasks, oldest first; those of a record whose
    customer is in the recycle bin wait there with it."""
    return (
        select(ApprovalTask)
        .join(ApprovalRequest, ApprovalTask.request_id == ApprovalRequest.id)
        .where(ApprovalTask.approver_id == user.id, ApprovalTask.status == "waiting", live())
        .order_by(ApprovalTask.created_at, ApprovalTask.id)
        # each row shows its request and who submitted it: read with the tasks,
        # not one statement per task (241 for a full inbox page at the bench's size)
        .options(contains_eager(ApprovalTask.request).joinedload(ApprovalRequest.submitted_by))
    )
