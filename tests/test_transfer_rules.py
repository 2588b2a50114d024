"""Transfer (转移): moving a record out of its owner's hands — another owner
or another team — needs ``customer.transfer``, through every door (the API,
the pages, the services), and the change is audited with the owner and team
before and after. Without the permission the answer is a 403 that names the
field and the permission, and nothing is written (issue 16, item 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import ForbiddenError
from core.extensions import db
from core.models import Activity, AuditEntry, Customer, DataScope, Role, Team, utcnow
from core.services.activities import log_activity
from core.services.customers import merge_customers, update_customer


def audit_count(customer_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity == "customer", AuditEntry.entity_id == customer_id)
    )


def fresh(customer_id: int) -> Customer:
    db.session.expire_all()
    return db.session.get(Customer, customer_id)


@pytest.fixture
def office(app, make_user, make_customer):
    """Team East with rep Wang, rep Li and their manager; team West; Wang's
    customer with an open task of Wang's; a role that may transfer but sees
    only its own records."""
    east, west = Team(name="East"), Team(name="West")
    db.session.add_all([east, west])
    db.session.add(
        Role(
            name="senior rep",
            permissions=["customer.read", "customer.write", "customer.transfer"],
            scope=DataScope.own,
        )
    )
    db.session.commit()
    wang = make_user(team=east, name="Wang")
    customer = make_customer(name="Acme", owner_id=wang.id)
    task = log_activity(
        {
            "kind": "task",
            "subject": "Call back",
            "customer_id": customer.id,
            "due_at": (utcnow() + timedelta(days=2)).isoformat(),
        },
        wang,
    )
    return {
        "east": east,
        "west": west,
        "wang": wang,
        "li": make_user(team=east, name="Li"),
        "manager": make_user(role="manager", team=east, name="Boss"),
        "senior": make_user(role="senior rep", team=east, name="Senior"),
        "customer": customer,
        "task": task,
    }


@pytest.mark.parametrize("field", ["owner_id", "team_id"])
def test_a_rep_cannot_move_their_own_customer_away_through_the_api(office, as_user, field):
    customer = office["customer"]
    target = office["li"].id if field == "owner_id" else office["west"].id
    entries = audit_count(customer.id)
    got = as_user(office["wang"]).patch(
        f"/api/v1/customers/{customer.id}", json={"name": "Hidden", field: target}
    )
    assert got.status_code == 403, got.json
    assert got.mimetype == "application/problem+json"
    assert "customer.transfer" in got.json["detail"] and field in got.json["detail"]
    saved = fresh(customer.id)
    assert (saved.name, saved.owner_id, saved.team_id) == (
        "Acme",
        office["wang"].id,
        office["east"].id,
    )
    assert audit_count(customer.id) == entries
    assert db.session.get(Activity, office["task"].id).owner_id == office["wang"].id
    # the manager still sees it
    seen = as_user(office["manager"]).get(f"/api/v1/customers/{customer.id}")
    assert seen.status_code == 200


def test_sending_the_same_owner_and_team_is_no_transfer(office, as_user):
    customer = office["customer"]
    got = as_user(office["wang"]).patch(
        f"/api/v1/customers/{customer.id}",
        json={"name": "Acme Ltd", "owner_id": office["wang"].id, "team_id": office["east"].id},
    )
    assert got.status_code == 200, got.json
    assert fresh(customer.id).name == "Acme Ltd"


def test_with_the_permission_the_transfer_is_made_and_audited(office, as_user):
    customer = office["customer"]
    senior = office["senior"]
    customer.owner_id = senior.id
    db.session.commit()
    got = as_user(senior).patch(
        f"/api/v1/customers/{customer.id}",
        json={"owner_id": office["li"].id, "team_id": office["west"].id},
    )
    assert got.status_code == 200, got.json
    saved = fresh(customer.id)
    assert (saved.owner_id, saved.team_id) == (office["li"].id, office["west"].id)
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "customer", AuditEntry.entity_id == customer.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.user_id == senior.id and entry.action == "update"
    assert entry.before["owner_id"] == senior.id and entry.after["owner_id"] == office["li"].id
    assert entry.before["team_id"] == office["east"].id
    assert entry.after["team_id"] == office["west"].id


def test_the_open_tasks_follow_only_an_allowed_transfer(office, as_user):
    customer, task = office["customer"], office["task"]
    refused = as_user(office["wang"]).patch(
        f"/api/v1/customers/{customer.id}", json={"owner_id": office["li"].id}
    )
    assert refused.status_code == 403
    assert db.session.get(Activity, task.id).owner_id == office["wang"].id
    allowed = as_user(office["manager"]).patch(
        f"/api/v1/customers/{customer.id}", json={"owner_id": office["li"].id}
    )
    assert allowed.status_code == 200, allowed.json
    db.session.expire_all()
    assert db.session.get(Activity, task.id).owner_id == office["li"].id


def test_the_rule_holds_for_every_caller_of_the_service(office):
    """Pages, plugins and the API all write through ``update_customer``; the
    system itself (no actor) may move records."""
    customer = office["customer"]
    with pytest.raises(ForbiddenError):
        update_customer(customer, {"team_id": office["west"].id}, office["wang"])
    assert fresh(customer.id).team_id == office["east"].id
    update_customer(fresh(customer.id), {"team_id": office["west"].id}, None)
    assert fresh(customer.id).team_id == office["west"].id


def test_the_edit_form_never_moves_a_customer(office, login_as):
    customer = office["customer"]
    client = login_as(office["wang"])
    page = client.get(f"/customers/{customer.id}/edit")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    saved = client.post(
        f"/customers/{customer.id}/edit",
        data={
            "csrf_token": csrf,
            "version": str(customer.version),
            "name": "Acme",
            "kind": "company",
            "stage": "lead",
            "owner_id": str(office["li"].id),
            "team_id": str(office["west"].id),
        },
    )
    assert saved.status_code in (200, 302)
    moved = fresh(customer.id)
    assert (moved.owner_id, moved.team_id) == (office["wang"].id, office["east"].id)


def test_the_bulk_assign_needs_the_permission(office, login_as):
    customer = office["customer"]
    client = login_as(office["wang"])
    csrf = client.get("/customers/").text.split('name="csrf_token" value="')[1].split('"')[0]
    got = client.post(
        "/customers/bulk",
        data={
            "csrf_token": csrf,
            "action": "assign",
            "ids": str(customer.id),
            "owner_id": str(office["li"].id),
        },
    )
    assert got.status_code == 403
    assert fresh(customer.id).owner_id == office["wang"].id


def test_a_rep_cannot_create_a_customer_in_another_team(office, as_user):
    got = as_user(office["wang"]).post(
        "/api/v1/customers", json={"name": "Elsewhere", "team_id": office["west"].id}
    )
    assert got.status_code == 403
    assert db.session.scalar(select(func.count()).where(Customer.name == "Elsewhere")) == 0
    mine = as_user(office["wang"]).post(
        "/api/v1/customers", json={"name": "Mine", "team_id": office["east"].id}
    )
    assert mine.status_code == 201, mine.json


def test_a_merge_that_would_change_the_owner_needs_the_permission(office, make_customer):
    db.session.add(
        Role(
            name="merger",
            permissions=["customer.read", "customer.write", "customer.merge"],
            scope=DataScope.team,
        )
    )
    db.session.commit()
    from core.services.users import create_user

    merger = create_user(
        {"email": "m@example.com", "name": "Merger", "team_id": office["east"].id},
        None,
        role="merger",
    )
    survivor = office["customer"]
    other = make_customer(name="Acme Co", owner_id=office["li"].id)
    with pytest.raises(ForbiddenError):
        merge_customers(survivor, other, merger, {"owner_id": "merged"})
    assert fresh(survivor.id).owner_id == office["wang"].id
    assert fresh(other.id).deleted_at is None
    merged = merge_customers(fresh(survivor.id), fresh(other.id), merger, {"owner_id": "survivor"})
    assert merged.owner_id == office["wang"].id


def test_delegating_a_new_task_to_a_colleague_stays_ordinary_work(office, as_user):
    """Planning a task for someone else moves nothing out of anyone's sight:
    the task sits on the rep's own customer's timeline."""
    customer = office["customer"]
    got = as_user(office["wang"]).post(
        "/api/v1/activities",
        json={
            "kind": "task",
            "subject": "Visit them",
            "customer_id": customer.id,
            "owner_id": office["li"].id,
            "due_at": (utcnow() + timedelta(days=1)).isoformat(),
        },
    )
    assert got.status_code == 201, got.json
    assert got.json["owner_id"] == office["li"].id
