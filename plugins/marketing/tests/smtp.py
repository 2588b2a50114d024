"""A real SMTP server for the tests: aiosmtpd's ``Controller`` on a free
local port, keeping every message it takes.

``smtp_server`` (a fixture; import it into a test module) gives an
:class:`Inbox`: ``url`` (for ``TRELLIS_SMTP_URL``), ``messages`` (parsed
``email.message.Message`` objects), ``peers`` (the client ends of the
connections that sent them), and the misbehaviours a test switches on —
``bounce`` (addresses answered ``550``, a hard bounce), ``defer_after``
(after that many messages every DATA is answered ``421``: a server going
away mid-campaign), and :meth:`Inbox.stop` / :meth:`Inbox.start` (refuse
connections altogether, then come back on the same port).
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp+plain://127.0.0.1:{self.port}"
        self.messages: list[EmailMessage] = []
        self.peers: list[tuple] = []
        self.bounce: set[str] = set()
        self.defer_after: int | None = None
        self.controller: Controller | None = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.bounce:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.defer_after is not None and len(self.messages) >= self.defer_after:
            return "421 4.3.2 Service going away, try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.peers.append(session.peer)
        return "250 2.0.0 Accepted"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self) -> list[str]:
        """Every message's To, in the order they came."""
        return [str(m["To"]) for m in self.messages]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def mail_app(app, make_app, smtp_server):
    """An app sending through ``smtp_server`` (made after the plain ``app``,
    so it is the newest: ``as_user`` and the services use it)."""
    return make_app(TRELLIS_SMTP_URL=smtp_server.url, TRELLIS_MAIL_FROM="news@example.com")


def consenting(customer, status: str = "granted"):
    """Record ``customer``'s marketing e-mail consent (a grant as already
    confirmed: the double opt-in is core's, tested there)."""
    from core.api import record_consent

    payload = {"channel": "email", "purpose": "marketing", "status": status, "source": "form"}
    record_consent(customer, payload, None, already_confirmed=True)
    return customer


TEMPLATE = {
    "name": "Spring",
    "subject_en": "Hello {{ customer.name }}",
    "body_en": (
        '<p>Dear {{ contact.name }}, see <a href="https://shop.example.com/spring">our offer</a>.'
        '</p><p>{{ owner.name }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
    ),
    "subject_zh_CN": "{{ customer.name }}，您好",
    "body_zh_CN": '<p>{{ contact.name }}您好</p><a href="{{ unsubscribe_url }}">退订</a>',
}


def campaign_of(api, conditions, **fields):
    """A segment of ``conditions``, the template above and a draft campaign
    of them, saved through the API as ``api``'s user; the campaign's JSON."""
    segment = api.post("/api/v1/marketing/segments", json={"name": "S", "conditions": conditions})
    assert segment.status_code == 201, segment.json
    template = api.post("/api/v1/marketing/templates", json=TEMPLATE)
    assert template.status_code == 201, template.json
    body = {
        "name": "Spring sale",
        "segment_id": segment.json["id"],
        "template_id": template.json["id"],
        **fields,
    }
    created = api.post("/api/v1/marketing/campaigns", json=body)
    assert created.status_code == 201, created.json
    return created.json
