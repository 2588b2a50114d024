"""One-time codes: six digits sent to a phone (or an address) to prove the
visitor holds it — a public booking page's real-name check, a sign-in.

:func:`issue_code` makes the one live code of a (purpose, key) — a new one
replaces the last — keeps only its HMAC (keyed with the instance's secret,
so a leaked table gives no code away), and sends it through
:func:`~core.messaging.send_message` (purpose ``otp``: the Outbox shows it
masked). Asking is throttled per (purpose, key): once a minute, five times
an hour. :func:`check_code` consumes the code in the caller's transaction
(a booking that then fails leaves it usable); a wrong code counts a try in a
transaction of its own, so rolling the caller back does not forgive it, and
after :data:`MAX_TRIES` the code is dead. Every refusal is a
``ValidationError`` naming ``code``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import OneTimeCode, utcnow
from core.throttle import allow

from .outbox import send_message

DIGITS = 6
#: how long a code works
LIFE = timedelta(minutes=10)
#: wrong tries before a code is dead
MAX_TRIES = 5
#: how often one (purpose, key) may be sent a code
ISSUE_LIMIT = "1 per minute;5 per hour"


def code_hash(purpose: str, key: str, code: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{purpose}|{key}|{code}".encode(), hashlib.sha256).hexdigest()


def _row(purpose: str, key: str) -> OneTimeCode | None:
    return db.session.scalar(
        select(OneTimeCode).where(OneTimeCode.purpose == purpose, OneTimeCode.key == key)
    )


def issue_code(
    purpose: str,
    key: str,
    channel: str,
    to: str,
    *,
    customer_id: int | None = None,
    source: str = "core",
) -> None:
    """Send a fresh code for (``purpose``, ``key``) to ``to`` by ``channel``;
    the last code of that pair stops working. Asked again within a minute
    (or a sixth time in an hour): a ``ValidationError`` naming ``code``."""
    if not allow(ISSUE_LIMIT, "otp", purpose, key):
        raise ValidationError(
            {"code": [_("A code was sent a moment ago. Wait a minute before asking again.")]}
        )
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    minutes = int(LIFE.total_seconds() // 60)
    with transaction():
        row = _row(purpose, key) or OneTimeCode(purpose=purpose, key=key)
        row.code_hash = code_hash(purpose, key, code)
        row.expires_at, row.attempts, row.used_at = utcnow() + LIFE, 0, None
        db.session.add(row)
        body = _(
            "Your verification code is %(code)s. It works for %(minutes)d minutes; "
            "do not tell it to anyone.",
            code=code,
            minutes=minutes,
        )
        send_message(channel, to, body, purpose="otp", customer_id=customer_id, source=source)


def check_code(purpose: str, key: str, code: str | None) -> None:
    """Check and use up the code given for (``purpose``, ``key``), in the
    caller's transaction. Wrong, used, expired, never sent, or tried too
    often: a ``ValidationError`` naming ``code`` (a wrong try is counted
    even when the caller rolls back)."""
    code = (code or "").strip()
    row = _row(purpose, key)
    now = utcnow()
    if row is None:
        raise ValidationError({"code": [_("No code was sent for this. Ask for a code first.")]})
    if row.used_at is not None:
        raise ValidationError({"code": [_("This code was already used. Ask for a new one.")]})
    if row.expires_at <= now:
        raise ValidationError({"code": [_("This code has expired. Ask for a new one.")]})
    if row.attempts >= MAX_TRIES:
        raise ValidationError({"code": [_("Too many wrong tries. Ask for a new code.")]})
    if not hmac.compare_digest(row.code_hash, code_hash(purpose, key, code)):
        _count_wrong_try(row.id)
        raise ValidationError({"code": [_("This code is not right. Check it and try again.")]})
    with transaction():
        row.used_at = now


def _count_wrong_try(code_id: int) -> None:
    """One more wrong try, committed on a connection of its own."""
    with db.engine.begin() as conn:
        conn.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == code_id)
            .values(attempts=OneTimeCode.attempts + 1)
        )
