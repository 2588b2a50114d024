"""Who delivers a message: the senders of each channel.

A :class:`MessageSender` is a channel (``sms``, ``email``), a name and a
``send(message)`` callable that delivers one :class:`~core.models.Message`
or raises (its error is recorded and the message tried again). Plugins
contribute senders through the ``trellis_message_senders`` hook — an SMS
gateway, a WeChat bridge — and core ships two:

- ``smtp``: e-mail over SMTP when ``TRELLIS_SMTP_URL`` is set
  (``smtp://user:password@host:587`` with STARTTLS, ``smtps://…:465`` over
  TLS, ``smtp+plain://host:25`` neither), from ``TRELLIS_MAIL_FROM``;
- ``sms``: texts through the gateway of ``TRELLIS_SMS_URL`` when it is set
  (:mod:`.sms`: Twilio; a refused number or text is not tried again);
- ``log``: for every channel, the last resort of a development or demo
  instance — it writes the message to the application log and counts it
  sent (Settings → Outbox shows it too).

For each channel the sender with the lowest ``order`` is used (ties by name).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

from core.declarations import MessageSender
from core.models import Message
from core.registry import current_registry

from .sms import sms_gateway

log = logging.getLogger("trellis.messages")
#: seconds an SMTP server has to answer
SMTP_TIMEOUT = 15
SMTP_SCHEMES = {"smtp": 587, "smtps": 465, "smtp+plain": 25}


def log_sender(message: Message) -> None:
    """Write the message to the application log (the development sender)."""
    log.info(
        "message %s %s to %s [%s]: %s%s",
        message.id,
        message.channel,
        message.to,
        message.purpose,
        f"{message.subject} — " if message.subject else "",
        message.body,
    )


def smtp_sender(message: Message) -> None:
    """Send an e-mail through the server of ``TRELLIS_SMTP_URL``."""
    url = urlsplit(current_app.config["TRELLIS_SMTP_URL"])
    mail = EmailMessage()
    mail["From"] = current_app.config["TRELLIS_MAIL_FROM"] or f"trellis@{url.hostname}"
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    mail.set_content(message.body)
    port = url.port or SMTP_SCHEMES[url.scheme]
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT)
    else:
        server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    with server:
        if url.scheme == "smtp":
            server.starttls()
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        server.send_message(mail)


def sms_sender(message: Message) -> None:
    """Send a text through the gateway of ``TRELLIS_SMS_URL`` (an
    :class:`~.sms.SmsError` when it is not sent)."""
    sms_gateway().send(message.to, message.body)


def core_senders() -> list[MessageSender]:
    found = [MessageSender(channel, "log", log_sender, order=1000) for channel in ("sms", "email")]
    if current_app.config.get("TRELLIS_SMTP_URL"):
        found.append(MessageSender("email", "smtp", smtp_sender, order=100))
    url = current_app.config.get("TRELLIS_SMS_URL")
    if url and not url.startswith("log:"):  # log://: the log sender below already is
        found.append(MessageSender("sms", "twilio", sms_sender, order=100))
    return found


def senders() -> list[MessageSender]:
    """Every sender: core's and the plugins' (``trellis_message_senders``)."""
    return core_senders() + current_registry().collect("trellis_message_senders")


def sender_for(channel: str) -> MessageSender | None:
    """The sender that delivers ``channel``'s messages (None: no sender)."""
    mine = [s for s in senders() if s.channel == channel]
    return min(mine, key=lambda s: (s.order, s.name)) if mine else None
