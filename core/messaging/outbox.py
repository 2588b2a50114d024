"""Sending a message: the ``message`` row is written in the caller's
transaction, and delivered by a job once that commits.

:func:`send_message` adds the row (status ``queued``) to the caller's unit
of work and queues the ``core.deliver_message`` job with it
(:func:`~core.jobs.enqueue_after_commit`: through the job outbox when a
queue runs, right after the commit in immediate mode; not at all on a
rollback). :func:`deliver` claims one
try of a queued message — an ``UPDATE … WHERE attempts = n``, so two
deliveries never send it twice — and hands it to the channel's sender
(:mod:`.senders`): ``sent``, or after :data:`MAX_ATTEMPTS` failures
``failed`` with the sender's error. The periodic ``core.resend_messages``
picks up what is still queued a while later (a failed try, a lost job).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from core.declarations import Job
from core.errors import ValidationError
from core.extensions import db
from core.i18n import _, _l
from core.jobs import enqueue_after_commit
from core.models import Message, utcnow
from core.models.messages import MESSAGE_CHANNELS
from core.normalize import normalize_phone

from .senders import sender_for

log = logging.getLogger(__name__)
DELIVER = "core.deliver_message"
#: tries before a message is ``failed``
MAX_ATTEMPTS = 3
#: a queued message untouched this long is tried again by the periodic job
RETRY_AFTER = timedelta(minutes=2)
#: messages the periodic job tries per run
BATCH = 200
#: how often the periodic job looks for waiting messages (off the other jobs' minutes)
RESEND_EVERY = 7


def normalised_recipient(channel: str, to: str) -> str:
    """``to`` as the channel keeps it: a phone in E.164, an address in lower case."""
    if channel not in MESSAGE_CHANNELS:
        raise ValidationError({"channel": [_("Unknown channel: %(name)s", name=channel)]})
    to = (to or "").strip()
    if channel == "sms":
        try:
            return normalize_phone(to)
        except ValueError as exc:
            raise ValidationError({"to": [str(exc)]}) from None
    if "@" not in to or len(to) > 254 or any(c.isspace() for c in to):
        raise ValidationError({"to": [_("Enter a valid e-mail address.")]})
    return to.lower()


def send_message(
    channel: str,
    to: str,
    body: str,
    *,
    purpose: str,
    subject: str | None = None,
    customer_id: int | None = None,
    source: str = "core",
) -> Message:
    """Queue a message and deliver it once the caller's transaction commits.

    ``channel`` is ``sms`` or ``email``; ``to`` a phone (normalised to
    E.164) or an e-mail address; ``purpose`` says why (``otp``, ``booking``,
    ``reminder`` …; one-time codes use ``otp`` and are shown masked);
    ``source`` who sends it (the plugin's name). A wrong channel or
    recipient is a :class:`ValidationError` naming ``channel`` or ``to``.
    Call it inside your ``with transaction():`` (or commit the session
    after it): a rolled-back transaction sends nothing."""
    message = Message(
        channel=channel,
        to=normalised_recipient(channel, to),
        subject=(subject or "")[:200] or None,
        body=body,
        customer_id=customer_id,
        purpose=purpose[:32],
        source=source[:60],
        status="queued",
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    enqueue_after_commit(DELIVER, message_id=message.id)
    return message


def deliver(message_id: int) -> str:
    """Try to send message ``message_id`` once (the job); what happened."""
    message = db.session.get(Message, message_id)
    if message is None or message.status != "queued":
        return "nothing to send"
    tried = message.attempts
    claimed = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == "queued", Message.attempts == tried)
        .values(attempts=tried + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        return "taken by another delivery"
    db.session.refresh(message)
    sender = sender_for(message.channel)
    try:
        if sender is None:
            raise LookupError(f"no sender for channel {message.channel!r}")
        sender.send(message)
    except Exception as exc:  # noqa: BLE001 - any sender's failure is recorded, not raised
        db.session.rollback()
        message = db.session.get(Message, message_id, populate_existing=True)
        assert message is not None
        message.error = f"{type(exc).__name__}: {exc}"[:500]
        # a sender's error that is final (an SmsError refusing the number) is not retried
        if message.attempts >= MAX_ATTEMPTS or getattr(exc, "final", False):
            message.status = "failed"
        db.session.commit()
        log.warning("message %s: %s failed: %s", message_id, message.channel, message.error)
        return f"failed: {message.error}"
    message.status, message.sent_at, message.sender, message.error = (
        "sent",
        utcnow(),
        sender.name,
        None,
    )
    db.session.commit()
    return f"sent by {sender.name}"


def resend_waiting(now: Any = None) -> str:
    """The periodic job: try again every message queued and untouched for
    :data:`RETRY_AFTER` (a failed try, a job that never ran)."""
    cutoff = (now or utcnow()) - RETRY_AFTER
    ids = list(
        db.session.scalars(
            select(Message.id)
            .where(Message.status == "queued", Message.updated_at <= cutoff)
            .order_by(Message.id)
            .limit(BATCH)
        )
    )
    outcomes = [deliver(message_id) for message_id in ids]
    sent = sum(o.startswith("sent") for o in outcomes)
    return f"{sent} of {len(ids)} waiting messages sent"


def shown_body(message: Message) -> str:
    """The body as the Outbox page shows it: a one-time code's digits masked."""
    if message.purpose != "otp":
        return message.body
    return "".join("•" if c.isdigit() else c for c in message.body)


#: the jobs of messaging (the app factory registers them with core's)
MESSAGE_JOBS = [
    Job(DELIVER, _l("Send a message"), deliver),
    Job(
        "core.resend_messages",
        _l("Send the messages still waiting"),
        resend_waiting,
        every_minutes=RESEND_EVERY,
    ),
]
