"""Bulk e-mail over one SMTP connection: what a campaign sends through.

Core's ``smtp`` sender (:mod:`.senders`) opens a connection per message,
which is right for a reminder now and then and far too slow for a campaign.
A :class:`Mailer` opens one connection to the server of
``TRELLIS_SMTP_URL`` (the same URL forms: ``smtp://`` with STARTTLS,
``smtps://`` over TLS, ``smtp+plain://`` neither) and sends many messages
through it, each with a ``Message-ID``, a text and an optional HTML part,
and the headers the caller adds (``List-Unsubscribe`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` of RFC 8058)::

    with Mailer() as mailer:
        for row in batch:
            message_id = mailer.send(row.email, subject, text=text, html=html,
                                     headers={"List-Unsubscribe": f"<{url}>"})

Every failure is a :class:`MailError` whose ``kind`` tells the caller what
it may do next:

- ``bounce``: the server refused the mailbox for good (550–554): do not
  try this address again;
- ``failed``: another permanent answer (5xx) to this message — not the
  address's fault, but sending it again would fail again;
- ``deferred``: the message was certainly not handed over (no server, a
  4xx answer, the connection lost before the message's data was sent):
  try again later;
- ``unknown``: the connection broke while the data was being handed over;
  the server may or may not have taken it. A sender that must never send
  twice counts it as sent-or-failed, not as to-be-retried.

After a ``deferred`` or ``unknown`` error the connection is not to be
trusted: leave the ``with`` block and open a new one later.
"""

from __future__ import annotations

import smtplib
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from types import TracebackType
from urllib.parse import unquote, urlsplit

from flask import current_app

#: seconds an SMTP server has to answer
TIMEOUT = 15
SCHEMES = {"smtp": 587, "smtps": 465, "smtp+plain": 25}
#: how a message is written onto the wire: SMTP's CRLF line ends
SMTP_LINES = compat32.clone(linesep="\r\n")


def _header(value: str) -> str | Header:
    """A header value: as it is in ASCII, encoded (RFC 2047) otherwise."""
    return value if value.isascii() else Header(value, "utf-8")


class MailError(Exception):
    """A message not sent: ``kind`` is ``bounce``, ``failed``, ``deferred``
    or ``unknown`` (see the module); ``code`` the server's answer, if any."""

    def __init__(self, kind: str, reason: str, code: int | None = None):
        super().__init__(f"{code} {reason}" if code else reason)
        self.kind, self.reason, self.code = kind, reason, code


#: the permanent answers about the mailbox itself (no such user, mailbox full,
#: not accepted for policy reasons): a bounce. Other 5xx answers are about the
#: conversation (a syntax error, a command out of order): this message failed.
BOUNCES = (550, 551, 552, 553, 554)


def _answer(code: int, text: bytes | str) -> MailError:
    reason = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if code in BOUNCES:
        return MailError("bounce", reason, code)
    return MailError("failed" if 500 <= code < 600 else "deferred", reason, code)


class Mailer:
    """One connection to the SMTP server for many messages (see the module).

    ``url`` and ``sender`` default to ``TRELLIS_SMTP_URL`` and
    ``TRELLIS_MAIL_FROM``; without a URL, opening is a ``deferred`` error."""

    def __init__(self, url: str | None = None, sender: str | None = None, timeout: float = TIMEOUT):
        config = current_app.config
        self.url = url or config.get("TRELLIS_SMTP_URL") or ""
        parts = urlsplit(self.url)
        self.sender = sender or config.get("TRELLIS_MAIL_FROM") or f"trellis@{parts.hostname}"
        name, address = parseaddr(self.sender)
        self.domain = address.rpartition("@")[2] or None
        self.from_header = formataddr((name, address), "utf-8") if name else address
        self.timeout = timeout
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect (and say STARTTLS and log in, as the URL asks)."""
        parts = urlsplit(self.url)
        if parts.scheme not in SCHEMES:
            raise MailError("deferred", "no SMTP server is set up (TRELLIS_SMTP_URL)")
        host, port = parts.hostname or "localhost", parts.port or SCHEMES[parts.scheme]
        try:
            if parts.scheme == "smtps":
                self.server = smtplib.SMTP_SSL(host, port, timeout=self.timeout)
            else:
                self.server = smtplib.SMTP(host, port, timeout=self.timeout)
            if parts.scheme == "smtp":
                self.server.starttls()
            if parts.username:
                self.server.login(unquote(parts.username), unquote(parts.password or ""))
            self.server.ehlo_or_helo_if_needed()
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise MailError("deferred", str(exc.smtp_error), exc.smtp_code) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError("deferred", f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Say QUIT if the server still listens; forget the connection."""
        server, self.server = self.server, None
        if server is None:
            return
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()

    def _reset(self) -> None:
        """Forget a refused message's envelope (or the connection, if that fails)."""
        try:
            if self.server is not None:
                self.server.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def compose(
        self,
        to: str,
        subject: str,
        *,
        text: str,
        html: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Message:
        """The message as it will be sent (its ``Message-ID`` set). Built with
        the ``compat32`` MIME classes: the modern ``EmailMessage`` parses every
        header it is given, which cost a campaign a third of its time."""
        body = MIMEText(text, "plain", "utf-8")
        if html is not None:
            mail: Message = MIMEMultipart("alternative")
            mail.attach(body)
            mail.attach(MIMEText(html, "html", "utf-8"))
        else:
            mail = body
        mail["From"] = self.from_header
        mail["To"] = to
        # compat32 takes a Header where typeshed says str
        mail["Subject"] = _header(subject)  # type: ignore[assignment]
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.domain)
        for name, value in (headers or {}).items():
            mail[name] = _header(value)  # type: ignore[assignment]
        return mail

    def send(
        self,
        to: str,
        subject: str,
        *,
        text: str,
        html: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Hand one message to the server; its ``Message-ID``, or a :class:`MailError`."""
        if self.server is None:
            self.open()
        server = self.server
        assert server is not None
        mail = self.compose(to, subject, text=text, html=html, headers=headers)
        data = mail.as_bytes(policy=SMTP_LINES)
        try:  # the envelope first: a failure here certainly sent nothing
            code, answer = server.mail(self.sender)
            if code != 250:
                server.rset()
                raise _answer(code, answer)
            code, answer = server.rcpt(to)
            if code not in (250, 251):
                server.rset()
                raise _answer(code, answer)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError("deferred", f"{type(exc).__name__}: {exc}") from exc
        try:
            code, answer = server.data(data)
        except smtplib.SMTPDataError as exc:  # the server answered: it did not take it
            self._reset()
            raise _answer(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError("unknown", f"{type(exc).__name__}: {exc}") from exc
        if code != 250:  # answered after the data: it did not take it
            self._reset()
            raise _answer(code, answer)
        return str(mail["Message-ID"])
