"""Text messages out: one SMS gateway interface, a Twilio adapter and a log
adapter, chosen by ``TRELLIS_SMS_URL``.

A gateway sends one text to one E.164 number and returns the provider's
message id, or raises an :class:`SmsError` whose ``kind`` tells the caller
what it may do next (the same words as :class:`~core.messaging.mailer.MailError`):

- ``deferred``: certainly not sent (no connection, too many requests, the
  provider down or refusing our credentials): try again later;
- ``failed``: refused for good, not for the number's sake (a message the
  provider will never take): do not try this message again;
- ``rejected``: the number itself is refused (not a valid mobile, opted
  out at the provider) — an SMS "bounce": do not send to it again;
- ``unknown``: the request may have reached the provider (the connection
  broke after it was sent, a 5xx answer): a sender that must never send
  twice counts it as sent-or-failed, not as to-be-retried.

The URL forms::

    twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com/?from=%2B15005550006
    twilio+http://ACCOUNT_SID:AUTH_TOKEN@127.0.0.1:8080/?from=…   (plain HTTP: a test server)
    log://                                                          (the log adapter)

``from`` is the sending number, an alphanumeric sender id, or a Messaging
Service SID (``MG…``); ``account`` the account SID when the user name is an
API key (``SK…``). Unset, the **log** adapter writes each text to the
application log and counts it sent — a development instance's gateway.

The Twilio adapter uses Twilio's own library (``twilio``), pointed at the
URL's host through its documented custom ``http_client``, so tests run it
against a local server that answers like Twilio's Messages resource.

:func:`sms_parts` counts a text as the network does (GSM-7: 160 characters
in one part, 153 per part beyond; UCS-2, e.g. any Chinese: 70 and 67), and
:func:`sms_number` says whether a stored phone can take a text at all.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from flask import current_app

from core.normalize import normalize_phone

log = logging.getLogger("trellis.sms")
#: seconds the provider has to answer
TIMEOUT = 15
SCHEMES = {"twilio": "https", "twilio+http": "http", "log": ""}
EXAMPLE = "twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com/?from=%2B15005550006"
#: Twilio's error codes that refuse the number itself: invalid (21211, 21217),
#: unreachable or not a mobile (21214, 21612, 21614), opted out (21610)
REJECTED_CODES = frozenset({21211, 21214, 21217, 21610, 21612, 21614})
#: HTTP answers that certainly sent nothing: our credentials or account
#: refused, too many requests, the service unavailable
DEFERRED_STATUSES = frozenset({401, 403, 404, 429, 503})

# GSM 03.38: the default alphabet (one septet each) and its extension table
# (an escape and the character: two septets each)
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
#: the number types a text can reach (US numbers do not say which they are)
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
#: (one part, each part of a longer message) per encoding
PART_SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


class SmsError(Exception):
    """A text not sent: ``kind`` is ``deferred``, ``failed``, ``rejected`` or
    ``unknown`` (see the module); ``code`` the provider's error code, if any."""

    def __init__(self, kind: str, reason: str, code: int | None = None):
        super().__init__(f"{code} {reason}" if code else reason)
        self.kind, self.reason, self.code = kind, reason, code

    @property
    def final(self) -> bool:
        """Whether trying the same text again is pointless (failed, rejected)."""
        return self.kind in ("failed", "rejected")


class SmsGateway(Protocol):
    """What sends a text: ``name`` (``twilio``, ``log``) and :meth:`send`."""

    name: str

    def send(self, to: str, text: str) -> str:
        """Send ``text`` to ``to`` (E.164); the provider's message id."""
        ...


@dataclass(frozen=True)
class SmsParts:
    """How the network counts a text: its ``encoding``, its ``length`` in
    that encoding's units and the ``parts`` (messages) it takes."""

    encoding: str
    length: int
    parts: int


def sms_parts(text: str) -> SmsParts:
    """Count ``text`` as it will be sent (GSM-7 if every character is in the
    GSM alphabet, else UCS-2, where a character beyond the BMP takes two)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        encoding, length = "GSM-7", sum(2 if c in GSM_EXTENDED else 1 for c in text)
    else:
        encoding, length = "UCS-2", len(text.encode("utf-16-le")) // 2
    single, each = PART_SIZES[encoding]
    parts = 0 if not length else 1 if length <= single else math.ceil(length / each)
    return SmsParts(encoding, length, parts)


def sms_number(phone: str | None) -> str | None:
    """``phone`` in E.164 if it is a valid number that can take a text (a
    mobile, or a number that may be one, as in the US), else None."""
    try:
        e164 = normalize_phone(phone or "")
    except ValueError:
        return None
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return e164 if kind in mobile else None


def parse_sms_url(url: str) -> dict[str, Any]:
    """The parts of a ``TRELLIS_SMS_URL``: ``scheme``, ``origin``, ``username``,
    ``password``, ``sender``, ``account``; ValueError with a one-line reason
    that never repeats the token."""
    parts = urlsplit(str(url))
    scheme = parts.scheme if "://" in str(url) else ""
    if scheme not in SCHEMES:
        raise ValueError(
            f"{scheme or 'no'} scheme; use twilio://, twilio+http:// or log:// (e.g. {EXAMPLE})"
        )
    if scheme == "log":
        return {"scheme": "log"}
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if not parts.username or not parts.password:
        raise ValueError(f"the account SID and auth token are missing (e.g. {EXAMPLE})")
    if not parts.hostname:
        raise ValueError(f"no host (e.g. {EXAMPLE})")
    if not query.get("from"):
        raise ValueError(
            f"no from= sending number or Messaging Service SID (e.g. {EXAMPLE}; write + as %2B)"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number") from None
    host = parts.hostname + (f":{port}" if port else "")
    return {
        "scheme": scheme,
        "origin": f"{SCHEMES[scheme]}://{host}",
        "username": unquote(parts.username),
        "password": unquote(parts.password),
        "sender": query["from"].strip(),
        "account": query.get("account") or None,
    }


class LogGateway:
    """The development gateway: writes the text to the log, counts it sent."""

    name = "log"

    def send(self, to: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        log.info("sms %s to %s: %s", message_id, to, text)
        return message_id


class TwilioGateway:
    """Twilio's Messages API through the ``twilio`` library (see the module)."""

    name = "twilio"

    def __init__(self, url: str, timeout: float = TIMEOUT):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        settings = parse_sms_url(url)
        origin = settings["origin"]

        class Rehosted(TwilioHttpClient):
            """Twilio's HTTP client, sending to the URL's host."""

            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                parts = urlsplit(url)
                there = origin + parts.path + (f"?{parts.query}" if parts.query else "")
                return super().request(method, there, *args, **kwargs)

        self.client = Client(
            settings["username"],
            settings["password"],
            account_sid=settings["account"],
            http_client=Rehosted(timeout=timeout),
        )
        sender = settings["sender"]
        self.sender = (
            {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        )

    def send(self, to: str, text: str) -> str:
        from requests import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(to=to, body=text, **self.sender)
        except TwilioRestException as exc:
            raise _refusal(exc.status, exc.code, exc.msg) from exc
        except RequestException as exc:
            kind = "deferred" if _not_sent(exc) else "unknown"
            raise SmsError(kind, f"{type(exc).__name__}: {exc}") from exc
        except TwilioException as exc:  # e.g. an answer that is not JSON
            raise SmsError("unknown", f"{type(exc).__name__}: {exc}") from exc
        return str(message.sid)


def _refusal(status: int, code: int | None, text: Any) -> SmsError:
    """What an HTTP error answer of Twilio's means (see the module)."""
    reason = f"HTTP {status}: {' '.join(str(text or '').split())}"[:400]
    if code in REJECTED_CODES:
        return SmsError("rejected", reason, code)
    if status in DEFERRED_STATUSES:
        return SmsError("deferred", reason, code)
    return SmsError("failed" if 400 <= status < 500 else "unknown", reason, code)


def _not_sent(exc: Exception) -> bool:
    """Whether a ``requests`` failure happened before the request was sent
    (no connection, no TLS): then nothing reached the provider."""
    from requests.exceptions import ConnectTimeout, SSLError
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    if isinstance(exc, (ConnectTimeout, SSLError)):
        return True
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, MaxRetryError) and isinstance(inner.reason, NewConnectionError)


@lru_cache(maxsize=4)
def _gateway(url: str) -> SmsGateway:
    if parse_sms_url(url)["scheme"] == "log":
        return LogGateway()
    return TwilioGateway(url)


def sms_gateway(url: str | None = None) -> SmsGateway:
    """The gateway of ``url`` (default ``TRELLIS_SMS_URL``; unset: the log
    gateway). Gateways are kept per URL, so their connections are reused."""
    url = url or current_app.config.get("TRELLIS_SMS_URL") or "log://"
    return _gateway(url)
