"""API tokens expire, die with a password change or a deactivation, and
are minted only from a password sign-in session, never by another token."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import ConfigError
from core.models import ApiToken, utcnow
from core.services.directory import update_user
from core.services.tokens import create_token
from core.services.users import set_password

TOKENS = "/api/v1/me/tokens"


@pytest.fixture
def rep(make_user):
    return make_user(role="sales", name="Rep")


@pytest.fixture
def session_api(login_as):
    """``session_api(user)``: a client signed in by its session cookie, and
    the CSRF header its writes to the API must send."""

    def make(user):
        client = login_as(user)
        with client.session_transaction() as session:
            session["csrf"] = "csrf-for-tests"
        return client, {"X-CSRF-Token": "csrf-for-tests"}

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_a_token_name_that_is_not_text_is_a_422_naming_the_field(session_api, rep, db):
    client, csrf = session_api(rep)
    response = client.post(TOKENS, json={"name": 123}, headers=csrf)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == ["name"]
    assert token_count(db) == 0


def test_a_bearer_token_cannot_mint_another_token(app, rep, db):
    _token, secret = create_token(rep, "script", None)
    response = app.test_client().post(TOKENS, json={"name": "child"}, headers=bearer(secret))
    assert response.status_code == 403
    assert "sign-in session" in response.json["detail"]
    assert token_count(db) == 1


def test_a_password_session_mints_a_token_that_works(app, session_api, rep):
    client, csrf = session_api(rep)
    created = client.post(TOKENS, json={"name": "script"}, headers=csrf)
    assert created.status_code == 201, created.json
    headers = bearer(created.json["token"])
    assert app.test_client().get("/api/v1/customers", headers=headers).status_code == 200


def test_an_expired_token_authenticates_nothing(app, rep, db):
    token, secret = create_token(rep, "old", None)
    client = app.test_client()
    assert client.get("/api/v1/customers", headers=bearer(secret)).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refused = client.get("/api/v1/customers", headers=bearer(secret))
    assert refused.status_code == 401 and refused.json["type"].endswith("/bad-token")


def test_changing_a_password_revokes_every_token_of_the_user(app, rep, make_user):
    other = make_user(role="sales")
    secrets = [create_token(rep, name, None)[1] for name in ("a", "b")]
    _t, others = create_token(other, "c", None)
    set_password(rep, "a new long password", None)
    client = app.test_client()
    for secret in secrets:
        assert client.get("/api/v1/customers", headers=bearer(secret)).status_code == 401
    assert client.get("/api/v1/customers", headers=bearer(others)).status_code == 200


def test_an_admin_password_reset_revokes_the_users_tokens(app, login_as, make_user, rep):
    _token, secret = create_token(rep, "a", None)
    admin = login_as(make_user(role="admin"))
    with admin.session_transaction() as session:
        session["csrf"] = "t"
    form = {"csrf_token": "t", "version": str(rep.version), "name": "Rep"}
    form |= {"active__present": "1", "active": "1", "password": "another long one"}
    reset = admin.post(f"/admin/users/{rep.id}/edit", data=form)
    assert reset.status_code == 302, reset.text
    assert app.test_client().get("/api/v1/customers", headers=bearer(secret)).status_code == 401


def test_deactivating_a_user_revokes_their_tokens_for_good(app, rep, db):
    token, secret = create_token(rep, "a", None)
    update_user(rep, {"active": False}, None)
    update_user(rep, {"active": True}, None)  # coming back does not revive the token
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    refused = app.test_client().get("/api/v1/customers", headers=bearer(secret))
    assert refused.status_code == 401


def test_a_new_token_expires_after_the_configured_default(make_app, session_api, rep):
    make_app(TRELLIS_TOKEN_DAYS="10")
    client, csrf = session_api(rep)
    before = utcnow()
    created = client.post(TOKENS, json={"name": "script"}, headers=csrf)
    after = utcnow()
    assert created.status_code == 201, created.json
    expires = datetime.fromisoformat(created.json["expires_at"])
    assert before + timedelta(days=10) <= expires <= after + timedelta(days=10)
    listed = client.get(TOKENS).json
    assert datetime.fromisoformat(listed[0]["expires_at"]) == expires
    unnamed = client.post(TOKENS, json={"name": "s", "expires_in_days": None}, headers=csrf)
    expires = datetime.fromisoformat(unnamed.json["expires_at"])
    assert before + timedelta(days=10) <= expires <= utcnow() + timedelta(days=10)


def test_a_token_may_ask_for_a_shorter_life(session_api, rep):
    client, csrf = session_api(rep)
    before = utcnow()
    created = client.post(TOKENS, json={"name": "s", "expires_in_days": 3}, headers=csrf)
    assert created.status_code == 201, created.json
    expires = datetime.fromisoformat(created.json["expires_at"])
    assert before + timedelta(days=3) <= expires <= utcnow() + timedelta(days=3)


@pytest.mark.parametrize("days", [366, 0, -1, "30", 2.5, True, 10**30])
def test_an_expiry_outside_the_allowed_range_is_a_422_naming_the_field(session_api, rep, db, days):
    client, csrf = session_api(rep)
    response = client.post(TOKENS, json={"name": "s", "expires_in_days": days}, headers=csrf)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == ["expires_in_days"]
    assert token_count(db) == 0


def test_the_maximum_is_configurable_and_named_in_the_message(make_app, session_api, rep):
    make_app(TRELLIS_TOKEN_DAYS="7", TRELLIS_TOKEN_MAX_DAYS="30")
    client, csrf = session_api(rep)
    response = client.post(TOKENS, json={"name": "s", "expires_in_days": 31}, headers=csrf)
    assert response.status_code == 422
    assert "30" in response.json["errors"]["expires_in_days"][0]
    ok = client.post(TOKENS, json={"name": "s", "expires_in_days": 30}, headers=csrf)
    assert ok.status_code == 201, ok.json


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"TRELLIS_TOKEN_DAYS": "0"}, "TRELLIS_TOKEN_DAYS"),
        ({"TRELLIS_TOKEN_DAYS": "ninety"}, "TRELLIS_TOKEN_DAYS"),
        ({"TRELLIS_TOKEN_MAX_DAYS": "-5"}, "TRELLIS_TOKEN_MAX_DAYS"),
        ({"TRELLIS_TOKEN_DAYS": "400", "TRELLIS_TOKEN_MAX_DAYS": "365"}, "TRELLIS_TOKEN_DAYS"),
    ],
)
def test_a_wrong_token_lifetime_setting_stops_start_up_naming_it(make_app, settings, named):
    with pytest.raises(ConfigError, match=named):
        make_app(**settings)
