"""One-time codes: six digits sent as an ``otp`` message, kept hashed; the
right code is used up once; a wrong, used, expired or over-tried code is
refused naming ``code``, and a wrong try counts even when the caller rolls
back; asking again within a minute is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import ValidationError, check_code, db, issue_code, transaction, utcnow
from core.messaging.codes import MAX_TRIES
from core.models import Message, OneTimeCode

PHONE = "+8613800138000"


def _sent_code() -> str:
    message = db.session.scalars(select(Message).order_by(Message.id.desc()).limit(1)).one()
    assert message.purpose == "otp" and message.to == PHONE and message.status == "sent"
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def _refused(code: str | None, key: str = PHONE) -> str:
    with pytest.raises(ValidationError) as refused:
        check_code("probe", key, code)
    db.session.rollback()
    return " ".join(refused.value.errors["code"])


def _row() -> OneTimeCode:
    row = db.session.scalar(select(OneTimeCode).execution_options(populate_existing=True))
    assert row is not None
    return row


def test_the_right_code_works_once_and_is_kept_only_hashed(app):
    issue_code("probe", PHONE, "sms", PHONE)
    code = _sent_code()
    assert code not in _row().code_hash and len(_row().code_hash) == 64
    check_code("probe", PHONE, code)
    assert _row().used_at is not None
    assert "already used" in _refused(code)


def test_a_wrong_code_counts_a_try_even_when_the_caller_rolls_back(app):
    issue_code("probe", PHONE, "sms", PHONE)
    code = _sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationError), transaction():
        check_code("probe", PHONE, wrong)
    assert _row().attempts == 1
    for _ in range(MAX_TRIES - 1):
        assert "not right" in _refused(wrong)
    assert "Too many wrong tries" in _refused(code)  # even the right one, now
    assert _row().used_at is None


def test_an_expired_code_a_code_never_sent_and_another_key_are_refused(app):
    issue_code("probe", PHONE, "sms", PHONE)
    code = _sent_code()
    assert "Ask for a code first" in _refused(code, key="+8613900139000")
    db.session.execute(
        OneTimeCode.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert "expired" in _refused(code)


def test_a_code_used_in_a_rolled_back_transaction_still_works(app):
    issue_code("probe", PHONE, "sms", PHONE)
    code = _sent_code()
    with pytest.raises(RuntimeError), transaction():
        check_code("probe", PHONE, code)
        raise RuntimeError("the booking failed")
    check_code("probe", PHONE, code)
    assert _row().used_at is not None


def test_asking_again_within_a_minute_is_refused_and_a_new_code_replaces_the_last(app):
    issue_code("probe", PHONE, "sms", PHONE)
    first = _sent_code()
    with pytest.raises(ValidationError) as refused:
        issue_code("probe", PHONE, "sms", PHONE)
    assert "code" in refused.value.errors
    issue_code("other", PHONE, "sms", PHONE)  # another purpose counts apart
    assert db.session.scalar(select(OneTimeCode).where(OneTimeCode.purpose == "probe")) is not None
    app.extensions["trellis_limiter"].storage.reset()  # a minute later
    issue_code("probe", PHONE, "sms", PHONE)
    second = _sent_code()
    if second != first:
        assert "not right" in _refused(first)
    check_code("probe", PHONE, second)
