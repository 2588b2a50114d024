"""The approval engine's services, through a probe plugin that declares
customers approvable ("test.customer") with the hook any plugin uses:
each approver kind × approve / reject / delegate / withdraw, conditions
choosing the flow, sequential steps, "any" and "all".

The probe and its fixtures are imported by the other ``test_approvals_*`` files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import Approvable, Customer, Team, customer_for, db, hookimpl
from core.approvals import approve, delegate, reject, save_flow, submit, withdraw
from core.approvals.requests import is_locked
from core.errors import ConflictError, ForbiddenError, StateError
from core.models import ApprovalTask
from core.testing import plugin_module

RECORD = "test.customer"


class Probe:
    """What the probe plugin heard: ``on_decided`` calls and events."""

    def __init__(self) -> None:
        self.decided: list[tuple[int, str]] = []
        self.events: list[tuple[str, int, str | None]] = []
        self.fail_on_decided = False


def _load(record_id: int, user):
    if user is None:
        return db.session.get(Customer, record_id)
    return customer_for(record_id, user)


def probe_module(probe: Probe):
    def on_decided(customer, outcome):
        if probe.fail_on_decided:
            raise RuntimeError("the plugin failed")
        probe.decided.append((customer.id, outcome))
        customer.notes = f"approval {outcome}"  # the record's own state, same transaction

    def approvables():
        return [
            Approvable(
                RECORD,
                Customer,
                "测试客户",
                fields={"id": "number", "grade": "choice", "city": "text", "share": "percent"},
                field_labels={"id": "编号", "grade": "客户级别", "city": "城市", "share": "份额"},
                customer_id=lambda c: c.id,
                title=lambda c: c.name,
                url=lambda c: f"/customers/{c.id}",
                on_decided=on_decided,
                load=_load,
            )
        ]

    @hookimpl
    def trellis_approval_submitted(request):
        probe.events.append(("submitted", request.id, None))

    @hookimpl
    def trellis_approval_decided(request, outcome):
        probe.events.append(("decided", request.id, outcome))

    return plugin_module(
        "probe",
        trellis_approvables=approvables,
        trellis_approval_submitted=trellis_approval_submitted,
        trellis_approval_decided=trellis_approval_decided,
    )


@pytest.fixture
def probe(app, register_plugin) -> Probe:
    found = Probe()
    register_plugin(probe_module(found))
    return found


@pytest.fixture
def people(probe, make_user):
    """An admin, a finance role holder, a team East with its manager and two
    reps, and a colleague in no team."""
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    from core.models import Role

    db.session.add(Role(name="finance", permissions=["customer.read"], scope="all"))
    db.session.commit()
    return {
        "admin": make_user(role="admin", name="Ada Admin"),
        "finance": make_user(role="finance", name="Fay Finance"),
        "manager": make_user(role="manager", team=east, name="Max Manager"),
        "rep": make_user(role="sales", team=east, name="Rita Rep"),
        "rep2": make_user(role="sales", team=east, name="Ron Rep"),
        "other": make_user(role="sales", name="Olga Other"),
    }


def flow(people, *steps, condition=None, priority=100, name="Flow", actor=None):
    return save_flow(
        {
            "record_type": RECORD,
            "name": name,
            "priority": priority,
            "condition": condition,
            "steps": list(steps),
        },
        None,
        actor or people["admin"],
    )


def step(kind, *, role=None, users=(), mode="any"):
    return {"approver_kind": kind, "role": role, "user_ids": [u.id for u in users], "mode": mode}


@pytest.fixture
def owned(people, make_customer):
    """A customer of the rep's, made by the rep."""

    def make(**fields):
        rep = people["rep"]
        return make_customer(actor=rep, owner_id=rep.id, **fields)

    return make


def waiting(request) -> list[int]:
    return sorted(
        db.session.scalars(
            select(ApprovalTask.approver_id).where(
                ApprovalTask.request_id == request.id, ApprovalTask.status == "waiting"
            )
        )
    )


# --------------------------------------------------------------- each approver kind


KINDS = {
    "role": lambda p: step("role", role="finance"),
    "team_manager": lambda p: step("team_manager"),
    "user": lambda p: step("user", users=[p["finance"]]),
    "users": lambda p: step("users", users=[p["finance"], p["other"]]),
}
APPROVER = {"role": "finance", "team_manager": "manager", "user": "finance", "users": "other"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_approver_kind_approves_and_the_record_hears_it(kind, people, owned, probe):
    flow(people, KINDS[kind](people))
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    assert request.status == "pending" and is_locked(RECORD, customer.id)
    approver = people[APPROVER[kind]]
    assert approver.id in waiting(request)
    approve(request, approver, "fine")
    assert request.status == "approved" and request.decided_at is not None
    assert probe.decided == [(customer.id, "approved")]
    assert db.session.get(Customer, customer.id).notes == "approval approved"
    assert not is_locked(RECORD, customer.id)
    assert ("decided", request.id, "approved") in probe.events


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_approver_kind_rejects_with_a_comment(kind, people, owned, probe):
    flow(people, KINDS[kind](people), step("user", users=[people["admin"]]))
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    reject(request, people[APPROVER[kind]], "too cheap")
    assert request.status == "rejected" and probe.decided == [(customer.id, "rejected")]
    task = db.session.scalar(select(ApprovalTask).where(ApprovalTask.status == "rejected"))
    assert task.comment == "too cheap"
    assert waiting(request) == []  # the second step never started
    assert not is_locked(RECORD, customer.id)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_approver_kind_delegates_and_the_delegate_decides(kind, people, owned, probe):
    flow(people, KINDS[kind](people))
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    approver = people[APPROVER[kind]]
    delegate(request, approver, people["admin"].id, "on holiday")
    assert people["admin"].id in waiting(request) and approver.id not in waiting(request)
    with pytest.raises(ConflictError):  # the delegated task is no longer theirs to decide
        approve(request, approver)
    approve(request, people["admin"])
    assert request.status == "approved"
    handed = db.session.scalar(
        select(ApprovalTask).where(ApprovalTask.approver_id == people["admin"].id)
    )
    assert handed.delegated_from_id == approver.id


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_approver_kind_submitter_withdraws(kind, people, owned, probe):
    flow(people, KINDS[kind](people))
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    with pytest.raises(ForbiddenError):
        withdraw(request, people[APPROVER[kind]])
    withdraw(request, people["rep"])
    assert request.status == "withdrawn" and probe.decided == [(customer.id, "withdrawn")]
    assert waiting(request) == [] and not is_locked(RECORD, customer.id)
    with pytest.raises(ConflictError):
        withdraw(request, people["rep"])


# ------------------------------------------------------------------ flows and steps


def test_no_matching_flow_approves_at_once(people, owned, probe):
    customer = owned()
    request = submit(RECORD, customer.id, people["rep"])
    assert request.status == "approved" and request.flow_id is None
    assert probe.decided == [(customer.id, "approved")]
    assert [e[0] for e in probe.events] == ["submitted", "decided"]


def test_conditions_choose_the_flow_by_priority(people, owned, probe):
    big = flow(
        people,
        step("user", users=[people["admin"]]),
        condition={"field": "grade", "op": "in", "value": ["A", "B"]},
        priority=1,
        name="Big",
    )
    normal = flow(people, step("team_manager"), priority=50, name="Normal")
    flow(
        people,
        step("user", users=[people["finance"]]),
        condition={"field": "city", "op": "eq", "value": "Xi'an"},
        priority=10,
        name="Xi'an",
    )
    assert submit(RECORD, owned(grade="A").id, people["rep"]).flow_id == big.id
    assert submit(RECORD, owned(grade="C").id, people["rep"]).flow_id == normal.id
    xian = submit(RECORD, owned(city="Xi'an").id, people["rep"])
    assert xian.flow.name == "Xi'an" and waiting(xian) == [people["finance"].id]


def test_a_number_condition_compares_numbers(people, owned, probe):
    first = owned()
    flow(people, step("team_manager"), condition={"field": "id", "op": "gt", "value": first.id})
    assert submit(RECORD, first.id, people["rep"]).status == "approved"  # no flow: id not above
    assert submit(RECORD, owned().id, people["rep"]).status == "pending"


def test_an_inactive_flow_is_not_chosen(people, owned, probe):
    made = flow(people, step("team_manager"))
    made.active = False
    db.session.commit()
    assert submit(RECORD, owned().id, people["rep"]).status == "approved"


def test_steps_run_one_after_the_other(people, owned, probe):
    flow(people, step("team_manager"), step("role", role="finance"))
    request = submit(RECORD, owned().id, people["rep"])
    assert waiting(request) == [people["manager"].id]
    with pytest.raises(ForbiddenError):  # finance's step has not started
        approve(request, people["finance"])
    approve(request, people["manager"])
    assert request.status == "pending" and request.position == 1
    assert waiting(request) == [people["finance"].id]
    approve(request, people["finance"])
    assert request.status == "approved"


def test_mode_any_one_approval_completes_the_step(people, owned, probe):
    flow(people, step("users", users=[people["finance"], people["other"]], mode="any"))
    request = submit(RECORD, owned().id, people["rep"])
    approve(request, people["other"])
    assert request.status == "approved"
    statuses = dict(
        db.session.execute(
            select(ApprovalTask.approver_id, ApprovalTask.status).where(
                ApprovalTask.request_id == request.id
            )
        ).all()
    )
    assert statuses == {people["other"].id: "approved", people["finance"].id: "skipped"}


def test_mode_all_needs_every_approver(people, owned, probe):
    flow(people, step("users", users=[people["finance"], people["other"]], mode="all"))
    request = submit(RECORD, owned().id, people["rep"])
    approve(request, people["other"])
    assert request.status == "pending" and waiting(request) == [people["finance"].id]
    approve(request, people["finance"])
    assert request.status == "approved"


def test_the_submitter_does_not_approve_their_own_record_through_a_role(
    people, make_customer, probe
):
    flow(people, step("role", role="finance"))
    customer = make_customer(actor=people["finance"], owner_id=people["finance"].id)
    with pytest.raises(StateError) as err:
        submit(RECORD, customer.id, people["finance"])
    assert "steps" in err.value.errors
    assert not is_locked(RECORD, customer.id)
