"""What the approval engine refuses — bad flows naming the field, not-yours
(403), twice and races (409), a failing plugin, the lock — and what it
leaves behind: timeline, audit log, reminders through the follow-up engine."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from test_approvals import RECORD, flow, owned, people, probe, step, waiting  # noqa: F401  (fixtures)

from core.api import db, ensure_unlocked
from core.approvals import approve, delegate, reject, save_flow, submit
from core.approvals.requests import claim
from core.errors import ConflictError, ForbiddenError, StateError, ValidationError
from core.events import transaction
from core.models import Activity, ApprovalRequest, AuditEntry

# ---------------------------------------------------------------------- bad input


def test_a_role_without_active_members_is_refused_when_the_flow_is_saved(people, probe):
    from core.models import Role

    db.session.add(Role(name="auditors", permissions=[], scope="own"))
    db.session.commit()
    with pytest.raises(StateError) as err:
        flow(people, step("team_manager"), step("role", role="auditors"))
    assert list(err.value.errors) == ["steps.1.role"]
    people["finance"].active = False
    db.session.commit()
    with pytest.raises(StateError) as err:
        flow(people, step("role", role="finance"))
    assert list(err.value.errors) == ["steps.0.role"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"steps": []}, "steps"),
        ({"record_type": "nope"}, "record_type"),
        ({"condition": {"field": "amount", "op": "gt", "value": 5}}, "condition.field"),
        ({"condition": {"field": "share", "op": "gt", "value": 150}}, "condition.value"),
        ({"condition": {"field": "grade", "op": "gt", "value": "A"}}, "condition.op"),
        ({"condition": {"field": "grade", "op": "in", "value": "A"}}, "condition.value"),
        ({"steps": [{"approver_kind": "role"}]}, "steps.0.role"),
        ({"steps": [{"approver_kind": "role", "role": "ghost"}]}, "steps.0.role"),
        ({"steps": [{"approver_kind": "user", "user_ids": []}]}, "steps.0.user_ids"),
        ({"steps": [{"approver_kind": "wizard"}]}, "steps"),
    ],
)
def test_a_bad_flow_is_refused_naming_the_field(payload, field, people, probe):
    base = {"record_type": RECORD, "name": "F", "steps": [step("team_manager")]}
    with pytest.raises(ValidationError) as err:
        save_flow({**base, **payload}, None, people["admin"])
    assert field in err.value.errors


def test_an_inactive_user_as_approver_is_refused(people, probe):
    people["other"].active = False
    db.session.commit()
    with pytest.raises(StateError) as err:
        flow(people, step("users", users=[people["finance"], people["other"]]))
    assert list(err.value.errors) == ["steps.0.user_ids"]


def test_not_yours_is_403_and_twice_is_409(people, owned, probe):
    flow(people, step("users", users=[people["finance"], people["other"]], mode="all"))
    request = submit(RECORD, owned().id, people["rep"])
    with pytest.raises(ForbiddenError):
        approve(request, people["rep2"])
    with pytest.raises(ForbiddenError):
        reject(request, people["rep2"])
    approve(request, people["finance"])
    with pytest.raises(ConflictError):
        approve(request, people["finance"])
    approve(request, people["other"])
    with pytest.raises(ConflictError):  # decided: nothing more to decide
        reject(request, people["other"])


def test_a_stale_decider_loses_with_409_and_nothing_changes(people, owned, probe):
    """Two approvers read the request at version 1; the first decides; the
    second's conditional UPDATE finds version 2 and is refused."""
    flow(people, step("users", users=[people["finance"], people["other"]], mode="any"))
    request = submit(RECORD, owned().id, people["rep"])
    stale = SimpleNamespace(id=request.id, version=request.version)  # the second's read
    approve(request, people["finance"])
    with pytest.raises(ConflictError) as err:
        with transaction():
            claim(stale)
    assert err.value.kind == "approval-race"
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).status == "approved"


def test_a_failing_on_decided_undoes_the_decision(people, owned, probe):
    flow(people, step("team_manager"))
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    probe.fail_on_decided = True
    with pytest.raises(RuntimeError):
        approve(request, people["manager"])
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).status == "pending"
    assert waiting(db.session.get(ApprovalRequest, request.id)) == [people["manager"].id]


def test_a_record_waiting_is_locked_against_edits(people, owned, probe):
    flow(people, step("team_manager"))
    customer = owned()
    ensure_unlocked(customer)  # not submitted: free
    submit(RECORD, customer.id, people["rep"])
    with pytest.raises(ConflictError) as err:
        ensure_unlocked(customer)
    assert err.value.kind == "approval-pending" and customer.name in str(err.value)
    with pytest.raises(StateError) as again:
        submit(RECORD, customer.id, people["rep"])
    assert list(again.value.errors) == ["record_id"]


def test_a_record_out_of_the_submitters_scope_cannot_be_submitted(people, make_customer, probe):
    from core.errors import MissingReferenceError

    theirs = make_customer(owner_id=people["other"].id)
    with pytest.raises(MissingReferenceError) as err:
        submit(RECORD, theirs.id, people["rep"])
    assert list(err.value.errors) == ["record_id"]


def test_delegating_to_nobody_or_oneself_is_refused(people, owned, probe):
    from core.errors import MissingReferenceError

    flow(people, step("team_manager"))
    request = submit(RECORD, owned().id, people["rep"])
    with pytest.raises(MissingReferenceError):
        delegate(request, people["manager"], 999_999)
    with pytest.raises(ValidationError) as err:
        delegate(request, people["manager"], people["manager"].id)
    assert list(err.value.errors) == ["user_id"]
    with pytest.raises(ForbiddenError):
        delegate(request, people["rep2"], people["admin"].id)


# ---------------------------------------------------------- timeline and audit log


def test_every_decision_is_on_the_timeline_and_in_the_audit_log(people, owned, probe):
    flow(people, step("team_manager"), step("user", users=[people["finance"]]))
    customer = owned(name="Acme Tea")
    request = submit(RECORD, customer.id, people["rep"])
    delegate(request, people["manager"], people["rep2"].id)
    approve(request, people["rep2"], "ok")
    reject(request, people["finance"], "no budget")
    notes = db.session.scalars(
        select(Activity.subject)
        .where(Activity.customer_id == customer.id, Activity.link_type == "customer")
        .order_by(Activity.id)
    ).all()
    assert notes == [
        "Submitted for approval: Acme Tea",
        "Approval handed to Ron Rep: Acme Tea",
        "Approved: Acme Tea",
        "Rejected: Acme Tea",
    ]
    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.user_id)
        .where(AuditEntry.entity == "approval_request", AuditEntry.entity_id == request.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [a for a, _ in actions] == ["submit", "delegate", "approve", "reject", "rejected"]
    assert actions[1][1] == people["manager"].id and actions[3][1] == people["finance"].id


# ---------------------------------------------------------------------- reminders


def test_an_approver_waiting_too_long_is_reminded_once(people, owned, probe):
    from datetime import timedelta

    from core.followups import run_due
    from core.models import FollowUpPlan, utcnow

    flow(people, step("team_manager"))
    plan = db.session.scalar(select(FollowUpPlan).where(FollowUpPlan.rule == "approval_reminders"))
    assert plan is not None and plan.params == {"hours": 24}
    customer = owned(name="Slow Co")
    request = submit(RECORD, customer.id, people["rep"])
    assert run_due(utcnow() + timedelta(hours=23)).created == 0
    later = utcnow() + timedelta(hours=25)
    assert run_due(later).created == 1
    assert run_due(later).created == 0  # once per approval task
    task = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id))
    assert task.owner_id == people["manager"].id and task.link_id == request.id
    assert task.subject == "Waiting for your approval: Slow Co" and task.customer_id == customer.id
