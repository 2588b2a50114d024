"""Public tracking links (``core.api.new_tracking_token``, ``tracking_match``,
``tracked_record``): a token is handed out once and only its sha256 kept;
the record is found by the hash of the token presented, and a forged,
truncated, overlong or hash-for-token link is a 404.

Core's API tokens keep their secret's sha256 the same way (``digest``), so
they stand in for a plugin's tracked record here; a throw-away plugin
``probe`` serves the public page a plugin would."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Blueprint
from sqlalchemy import select

from core.api import (
    Activity,
    NotFoundError,
    db,
    new_tracking_token,
    public,
    tracked_record,
    tracking_match,
    utcnow,
)
from core.models import ApiToken
from core.services.tokens import create_token
from core.testing import plugin_module


@pytest.fixture
def kept(make_user):
    """A record that keeps the hash of a token handed out, and that token."""
    token, hashed = new_tracking_token()
    row, _secret = create_token(make_user(), "tracked", None)
    row.digest = hashed
    db.session.commit()
    return row, token


def forgeries(token: str) -> list[str]:
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [
        altered,
        token[:-1],
        token + "x",
        "x",
        "",
        "a" * 200,
        hashlib.sha256(token.encode()).hexdigest(),
    ]


def test_a_token_is_new_each_time_and_only_its_hash_is_kept():
    tokens = {new_tracking_token() for _ in range(20)}
    assert len({token for token, _hash in tokens}) == 20
    for token, hashed in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
        assert hashed == hashlib.sha256(token.encode()).hexdigest() != token


def test_the_record_is_found_by_its_token_and_by_nothing_else(kept):
    row, token = kept
    assert tracked_record(ApiToken, token, column="digest") is row
    found = db.session.scalars(select(ApiToken.id).where(tracking_match(ApiToken.digest, token)))
    assert list(found) == [row.id]
    for bad in forgeries(token):
        with pytest.raises(NotFoundError):
            tracked_record(ApiToken, bad, column="digest")
        assert (
            db.session.scalar(select(ApiToken).where(tracking_match(ApiToken.digest, bad))) is None
        )


def test_a_forged_link_to_a_public_page_is_a_404(kept, register_plugin):
    row, token = kept
    bp = Blueprint("probe", __name__, url_prefix="/probe")

    @bp.route("/track/<token>")
    @public("60 per minute")
    def track(token: str):
        return f"tracking {tracked_record(ApiToken, token, column='digest').name}"

    app = register_plugin(plugin_module("probe", trellis_blueprints=lambda: [bp]))
    client = app.test_client()  # signed out
    answer = client.get(f"/probe/track/{token}")
    assert answer.status_code == 200 and answer.text == "tracking tracked"
    for bad in forgeries(token)[:4] + forgeries(token)[5:]:
        assert client.get(f"/probe/track/{bad}").status_code == 404, bad


def test_a_record_in_the_recycle_bin_is_not_tracked(make_activity):
    # an activity's dedupe key (a String(120)) holds the hash here: a soft-deletable record
    token, hashed = new_tracking_token()
    activity = make_activity()
    activity.dedupe_key = hashed
    db.session.commit()
    assert tracked_record(Activity, token, column="dedupe_key") is activity
    activity.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(NotFoundError):
        tracked_record(Activity, token, column="dedupe_key")
