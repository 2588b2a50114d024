"""Agents and their licences: written, read and changed through the API,
every refusal named; new business is credited only while the licence holds."""

from __future__ import annotations

from datetime import date

import pytest

from core.api import ValidationError, db
from plugins.insurance.models import Agent
from plugins.insurance.services.agents import can_credit, check_credit

API = "/api/v1/insurance/agents"


@pytest.fixture
def admin(make_user, as_user):
    return as_user(make_user(role="admin"))


def test_an_agent_is_written_read_and_changed(admin, make_user):
    seller, leader = make_user(name="Li Na"), make_user()
    made = admin.post(
        API,
        json={
            "user_id": seller.id,
            "code": "A-001",
            "upline_user_id": leader.id,
            "licence_no": "0201-2026-01",
            "licence_expires_on": "2027-06-30",
        },
    )
    assert made.status_code == 201, made.json
    assert made.json["name"] == "Li Na" and made.json["rank"] == "agent"
    got = admin.get(f"{API}/{made.json['id']}")
    assert got.json["licence_expires_on"] == "2027-06-30"
    changed = admin.patch(
        f"{API}/{made.json['id']}", json={"rank": "team_leader", "version": made.json["version"]}
    )
    assert changed.status_code == 200 and changed.json["rank"] == "team_leader"
    stale = admin.patch(
        f"{API}/{made.json['id']}", json={"rank": "agent", "version": made.json["version"]}
    )
    assert stale.status_code == 409
    assert admin.get(f"{API}?q=li").json["total"] == 1
    assert admin.get(f"{API}?rank=agent").json["total"] == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "A-2"}, 422, "user_id"),
        ({"user_id": "{user}"}, 422, "code"),
        ({"user_id": "{user}", "code": "A-2", "rank": "boss"}, 422, "rank"),
        (
            {"user_id": "{user}", "code": "A-2", "licence_expires_on": "soon"},
            422,
            "licence_expires_on",
        ),
        ({"user_id": "{user}", "code": "A-2", "upline_user_id": "{user}"}, 422, "upline_user_id"),
        ({"user_id": 999999, "code": "A-2"}, 404, "user_id"),
        ({"user_id": "{user}", "code": "A-2", "upline_user_id": 999999}, 404, "upline_user_id"),
        ({"user_id": "{user}", "code": "A-1"}, 409, "code"),
        ({"user_id": "{agent}", "code": "A-2"}, 409, "user_id"),
    ],
)
def test_a_bad_agent_is_refused_naming_the_field(admin, make_user, body, status, field):
    first, user = make_user(), make_user()
    assert admin.post(API, json={"user_id": first.id, "code": "A-1"}).status_code == 201
    ids = {"{user}": user.id, "{agent}": first.id}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    answer = admin.post(API, json=body)
    assert answer.status_code == status, answer.json
    assert field in answer.json["errors"]
    assert db.session.query(Agent).count() == 1


def test_only_admins_write_agents_and_readers_need_policy_read(make_user, as_user, admin):
    user = make_user()
    made = admin.post(API, json={"user_id": user.id, "code": "A-1"}).json
    manager, seller = as_user(make_user(role="manager")), as_user(make_user(role="sales"))
    assert manager.get(API).status_code == 200
    assert manager.patch(f"{API}/{made['id']}", json={"code": "X"}).status_code == 403
    assert manager.post(API, json={"user_id": user.id, "code": "B"}).status_code == 403
    assert seller.get(f"{API}/{made['id']}").status_code == 403
    assert manager.get(f"{API}/999999").status_code == 404


def test_an_expired_licence_cannot_be_credited_new_business(make_user):
    valid, lapsed, inactive, bare = (make_user() for _ in range(4))
    db.session.add_all(
        [
            Agent(user_id=valid.id, code="V", licence_expires_on=date(2026, 6, 30)),
            Agent(user_id=lapsed.id, code="L", licence_expires_on=date(2026, 2, 28)),
            Agent(user_id=inactive.id, code="I", licence_expires_on=date(2030, 1, 1), active=False),
            Agent(user_id=bare.id, code="B"),
        ]
    )
    db.session.commit()
    assert can_credit(valid.id, date(2026, 6, 30))  # the expiry day itself
    assert not can_credit(valid.id, date(2026, 7, 1))
    assert not can_credit(lapsed.id, date(2026, 3, 1))
    assert not can_credit(inactive.id, date(2026, 3, 1))
    assert not can_credit(bare.id, date(2026, 3, 1))
    assert not can_credit(make_user().id, date(2026, 3, 1))  # not an agent
    assert not can_credit(None, date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        check_credit(lapsed.id, date(2026, 3, 1))
    assert list(refused.value.errors) == ["agent_id"]
    check_credit(valid.id, date(2026, 3, 1))  # no error
