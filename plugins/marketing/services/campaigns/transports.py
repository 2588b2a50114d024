"""How a campaign's messages leave: the part of sending that differs by
channel. The run (``.sending``) claims, sends and marks rows the same way
for both; a transport only writes one recipient's message and hands it over.

- :class:`EmailTransport`: one SMTP connection (core.api ``Mailer``), the
  subject and HTML body of the template, tracked links and the one-click
  unsubscribe headers;
- :class:`SmsTransport`: the SMS gateway of ``TRELLIS_SMS_URL`` (core.api
  ``sms_gateway``: Twilio, or the log), the template's text and the
  opt-out line.

Both turn their provider's refusal into :class:`NotSent`, whose ``kind``
is the run's one vocabulary: ``rejected`` (the address or number is refused
for good: an e-mail bounce, an invalid mobile), ``failed`` (this message
refused), ``deferred`` (certainly not handed over) or ``unknown`` (it may
have gone).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from core.api import Mailer, MailError, SmsError, sms_gateway

from ...models import Campaign
from . import links
from .merge import Writer
from .texts import TextWriter


class NotSent(Exception):
    """A message not handed over; ``kind`` as the module says."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind


class EmailTransport:
    channel = "email"
    #: what a rejected address is suppressed as
    rejected_reason = "bounced"

    def __init__(self, campaign: Campaign):
        template = campaign.template
        body = template.body(campaign.language)
        self.writer = Writer(template.subject(campaign.language), body)
        #: an A/B test's second subject, for its half of the test group and,
        #: once it has won, for everyone else
        self.writer_b = Writer(campaign.subject_b, body) if campaign.ab_test else self.writer
        self.winner = campaign.winner
        self.base = campaign.base_url or ""
        self.mailer: Mailer | None = None

    def __enter__(self) -> EmailTransport:
        self.mailer = Mailer()
        try:
            self.mailer.open()
        except MailError as exc:
            raise NotSent("deferred", str(exc)) from exc
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.mailer is not None:
            self.mailer.close()

    def send(self, recipient: Any, values: dict[str, Any], token: str) -> str:
        """Hand ``recipient``'s e-mail to the server; its Message-ID."""
        assert self.mailer is not None
        variant = getattr(recipient, "variant", None) or self.winner
        writer = self.writer_b if variant == "b" else self.writer
        subject, html, text = writer.write(values)
        headers = {
            "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        try:
            return self.mailer.send(
                recipient.email or "",
                subject,
                text=text,
                html=links.tracked(html, self.base, token),
                headers=headers,
            )
        except MailError as exc:
            kind = "rejected" if exc.kind == "bounce" else exc.kind
            raise NotSent(kind, str(exc)) from exc


class SmsTransport:
    channel = "sms"
    rejected_reason = "rejected"

    def __init__(self, campaign: Campaign):
        source = campaign.template.text(campaign.language)
        self.writer = TextWriter(source, campaign.language)

    def __enter__(self) -> SmsTransport:
        self.gateway = sms_gateway()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        pass

    def send(self, recipient: Any, values: dict[str, Any], token: str) -> str:
        """Hand ``recipient``'s text to the provider; its message id."""
        try:
            return self.gateway.send(recipient.phone or "", self.writer.write(values))
        except SmsError as exc:
            raise NotSent(exc.kind, str(exc)) from exc


def transport_for(campaign: Campaign) -> EmailTransport | SmsTransport:
    return SmsTransport(campaign) if campaign.channel == "sms" else EmailTransport(campaign)
