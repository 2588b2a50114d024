"""Records for tests, made through core's services exactly as the app makes
them (users, customers, contacts, activities), the follow-up job, and the
scope-leak check every list endpoint should pass."""

from __future__ import annotations

import itertools

import pytest


@pytest.fixture
def trellis_make_user(trellis_app):
    """``trellis_make_user(role="sales", team=None, **fields)`` through the user service."""
    from core.services.users import create_user, ensure_default_roles

    seq = itertools.count(1)

    def factory(role: str = "sales", team=None, **fields):
        ensure_default_roles()
        n = next(seq)
        payload = {
            "email": f"user{n}@example.com",
            "name": f"User {n}",
            "password": "correct horse battery",
            **fields,
        }
        if team is not None:
            payload["team_id"] = team.id
        return create_user(payload, None, role=role)

    return factory


@pytest.fixture
def trellis_make_customer(trellis_app):
    """``trellis_make_customer(actor=None, **fields)`` through the customer service."""
    from core.services.customers import create_customer

    seq = itertools.count(1)

    def factory(actor=None, **fields):
        payload = {"name": f"Customer {next(seq)}", **fields}
        return create_customer(payload, actor).customer

    return factory


@pytest.fixture
def trellis_make_contact(trellis_app, trellis_make_customer):
    """``trellis_make_contact(customer=None, actor=None, **fields)`` (a new customer by default)."""
    from core.services.contacts import create_contact

    def factory(customer=None, actor=None, **fields):
        customer = customer or trellis_make_customer()
        return create_contact({"customer_id": customer.id, "name": "Contact", **fields}, actor)

    return factory


@pytest.fixture
def trellis_make_activity(trellis_app, trellis_make_customer):
    """``trellis_make_activity(customer=None, actor=None, **fields)``: a call on the timeline."""
    from core.services.activities import log_activity

    def factory(customer=None, actor=None, **fields):
        customer = customer or trellis_make_customer()
        return log_activity(
            {"kind": "call", "subject": "Call", "customer_id": customer.id, **fields}, actor
        )

    return factory


@pytest.fixture
def trellis_load_demo(trellis_app):
    """``trellis_load_demo(locale, admin)``: the demo as ``trellis init --demo``
    loads it — every enabled plugin synced (its permissions granted to their
    roles), then each plugin's demo records in ``locale``."""
    from core.demo import load_demo
    from core.extensions import db
    from core.instance import sync_plugins

    def load(locale: str, admin):
        sync_plugins()
        load_demo(locale, admin)
        db.session.commit()

    return load


@pytest.fixture
def trellis_run_due(trellis_app):
    """``trellis_run_due(now=None)`` runs the follow-up job as ``trellis jobs run-due`` does."""
    from core.followups import run_due as _run_due

    return _run_due


@pytest.fixture
def trellis_scope_leak_check(trellis_app, trellis_make_user):
    """``trellis_scope_leak_check(create, marker, api_list=..., api_detail=..., pages=...,
    permissions=[...])`` proves a resource leaks nothing across scopes.

    ``create(owner)`` makes one record owned by ``owner`` (committed) and
    returns it; ``marker(record)`` is text that identifies it on a page.
    Two reps in different teams each get one record; a manager of the first
    team comes third. The check asserts, through the API and the pages, that
    a rep sees only their own record, the other's detail is a 404 (not a
    403), and the manager sees their team's record but not the other team's.
    """
    from core.models import DataScope, Role
    from core.services.tokens import create_token
    from core.services.users import create_team

    def check(create, marker, *, api_list=None, api_detail=None, pages=(), permissions=()):
        from core.extensions import db

        db.session.add_all(
            [
                Role(name="leak_rep", scope=DataScope.own, permissions=list(permissions)),
                Role(name="leak_lead", scope=DataScope.team, permissions=list(permissions)),
            ]
        )
        db.session.commit()
        east, west = create_team("Leak east", None), create_team("Leak west", None)
        mine_owner = trellis_make_user(role="leak_rep", team=east)
        other_owner = trellis_make_user(role="leak_rep", team=west)
        lead = trellis_make_user(role="leak_lead", team=east)
        mine, theirs = create(mine_owner), create(other_owner)

        def sees(user, record) -> bool:
            _token, secret = create_token(user, "leak-check", None)
            client = trellis_app.test_client()
            headers = {"Authorization": f"Bearer {secret}"}
            seen = []
            if api_list:
                listed = client.get(api_list, headers=headers)
                assert listed.status_code == 200, (api_list, listed.json)
                seen.append(record.id in [item["id"] for item in listed.json["items"]])
            if api_detail:
                detail = client.get(api_detail.format(id=record.id), headers=headers)
                assert detail.status_code in (200, 404), (api_detail, detail.status_code)
                seen.append(detail.status_code == 200)
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
            for page in pages:
                response = client.get(page.format(id=record.id))
                assert response.status_code in (200, 404), (page, response.status_code)
                seen.append(response.status_code == 200 and marker(record) in response.text)
            assert len(set(seen)) == 1, f"paths disagree for {user.email}: {seen}"
            return seen[0]

        for user, record, expected in [
            (mine_owner, mine, True),
            (mine_owner, theirs, False),
            (other_owner, theirs, True),
            (other_owner, mine, False),
            (lead, mine, True),
            (lead, theirs, False),
        ]:
            assert sees(user, record) == expected, (
                f"{user.email} ({user.role.name}, team {user.team_id}) "
                f"{'should see' if expected else 'must not see'} record {record.id}"
            )

    return check
