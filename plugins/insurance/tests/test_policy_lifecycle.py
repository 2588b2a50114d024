"""A policy's moves through the API and the services: each audited and on
the timeline; system and illegal moves refused, stale versions 409; scope
(a rep never sees another rep's policy); the moves offered; every state ×
action of the table. Quotes, bind and issue, endorsements: the
test_policy_quotes, test_policy_issue and test_policy_endorsements files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core.api import Activity, db
from plugins.insurance.services.policies import issuing
from plugins.insurance.services.states import POLICY, SYSTEM_POLICY_ACTIONS
from plugins.insurance.services.terms import today

from .factories import make_policy
from .policy_fixtures import API, book, make_quote, move, quote_body  # noqa: F401


def test_every_move_is_audited_and_on_the_timeline(book):
    policy = make_quote(book)
    issuing.bind(policy, book.ann)
    issuing.issue(policy, book.meg)
    actions = db.session.scalars(
        text(
            "SELECT action FROM audit_entry WHERE entity = 'insurance_policy'"
            " AND entity_id = :i ORDER BY id"
        ),
        {"i": policy.id},
    ).all()
    assert actions == ["create", "bind", "issue"]
    entries = db.session.scalars(
        select(Activity.subject)
        .where(
            Activity.customer_id == book.harbour.id,
            Activity.kind == "policy",
            Activity.link_type == "insurance_policy",
            Activity.link_id == policy.id,
        )
        .order_by(Activity.id)
    ).all()
    assert len(entries) == 3 and policy.number in entries[-1]


# --- moves, scope, the table --------------------------------------------------------------


def test_system_moves_are_refused_and_illegal_ones_are_409(as_user, book):
    policy = make_quote(book)
    client = as_user(book.meg)
    for action in sorted(SYSTEM_POLICY_ACTIONS):
        answer = move(client, policy, action)
        assert answer.status_code == 422 and "action" in answer.json["errors"], action
    illegal = move(client, policy, "issue")
    assert illegal.status_code == 409
    assert illegal.json["allowed_actions"] == ["quote", "revise", "bind", "cancel"]
    stale = client.post(
        f"{API}/policies/{policy.id}/transitions", json={"action": "bind", "version": 999}
    )
    assert stale.status_code == 409
    db.session.refresh(policy)
    assert policy.status == "quoted"


def test_a_rep_can_neither_see_nor_move_another_reps_policy(as_user, book):
    theirs = make_quote(book, actor=book.bob, customer_id=book.elsewhere.id)
    client = as_user(book.ann)
    assert client.get(f"{API}/policies/{theirs.id}").status_code == 404
    assert client.get(f"{API}/policies/{theirs.id}/transitions").status_code == 404
    assert move(client, theirs, "bind").status_code == 404
    assert client.patch(f"{API}/policies/{theirs.id}", json={"version": 1}).status_code == 404
    refused = client.post(f"{API}/quotes", json=quote_body(book, customer_id=book.elsewhere.id))
    assert refused.status_code == 404 and "customer_id" in refused.json["errors"]
    db.session.refresh(theirs)
    assert theirs.status == "quoted"


def test_the_moves_offered_follow_the_state_and_the_permissions(as_user, book):
    policy = make_quote(book)
    offered = as_user(book.ann).get(f"{API}/policies/{policy.id}/transitions").json
    assert [m["action"] for m in offered["moves"]] == ["quote", "revise", "bind", "cancel"]
    issuing.bind(policy, book.ann)
    ann = [
        m["action"]
        for m in as_user(book.ann).get(f"{API}/policies/{policy.id}/transitions").json["moves"]
    ]
    meg = [
        m["action"]
        for m in as_user(book.meg).get(f"{API}/policies/{policy.id}/transitions").json["moves"]
    ]
    assert ann == ["revise", "cancel"] and meg == ["revise", "issue", "cancel"]


@pytest.mark.parametrize("state", list(POLICY.states))
def test_every_state_and_action_through_the_api(as_user, book, state):
    """Per state, each action: the system's are 422 ``action``, those the
    table refuses 409 naming what is allowed, the others get past the
    table (done, or refused for their own input — never 409 illegal)."""
    client = as_user(book.meg)
    for action in POLICY.transitions:
        policy = make_policy(
            book.harbour,
            book.ann,
            None,
            today(),
            today() + timedelta(364),
            status=state,
            quote_valid_until=today() + timedelta(30),
            team_id=book.ann.team_id,
        )
        db.session.commit()
        answer = move(client, policy, action)
        allowed = state in POLICY.transitions[action][0]
        if action in SYSTEM_POLICY_ACTIONS:
            assert answer.status_code == 422 and "action" in answer.json["errors"], action
        elif not allowed:
            assert answer.status_code == 409, (state, action, answer.json)
            assert answer.json["allowed_actions"] == POLICY.allowed(state)
        else:
            assert answer.status_code != 409, (state, action, answer.json)
            assert answer.status_code in (200, 422), (state, action, answer.json)
