"""core.messaging.mailer: many messages over one SMTP connection, with the
headers bulk mail needs, and every failure told apart (bounce, deferred) —
against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest

from core.api import Mailer, MailError
from plugins.marketing.tests.smtp import smtp_server  # noqa: F401  # the fixture

#: a body longer than SMTP's 1,000-character line: it must go out in lines
LONG = "<p>" + "word " * 400 + "</p>"


def test_one_connection_carries_many_messages_with_their_headers_and_parts(
    app,
    smtp_server,  # noqa: F811
):
    headers = {
        "List-Unsubscribe": "<https://crm.example.com/m/u/abc>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    with Mailer(smtp_server.url, "News <news@example.com>") as mailer:
        ids = [
            mailer.send(
                f"c{n}@example.com",
                f"Hello {n}",
                text="Hi",
                html=f"<p>Hi</p>{LONG}",
                headers=headers,
            )
            for n in range(3)
        ]
    assert smtp_server.to() == ["c0@example.com", "c1@example.com", "c2@example.com"]
    assert len(set(smtp_server.peers)) == 1  # one connection
    first = smtp_server.messages[0]
    assert first["Message-ID"] == ids[0] and ids[0].endswith("@example.com>")
    assert len(set(ids)) == 3
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Unsubscribe"] == "<https://crm.example.com/m/u/abc>"
    assert first["From"] == "News <news@example.com>"
    parts = {part.get_content_type(): part.get_content() for part in first.iter_parts()}
    assert parts["text/plain"].strip() == "Hi"
    assert parts["text/html"].strip() == f"<p>Hi</p>{LONG}".strip()


def test_a_5xx_is_a_bounce_and_the_connection_goes_on(app, smtp_server):  # noqa: F811
    smtp_server.bounce = {"gone@example.com"}
    with Mailer(smtp_server.url) as mailer:
        with pytest.raises(MailError) as refused:
            mailer.send("gone@example.com", "S", text="T")
        mailer.send("here@example.com", "S", text="T")
    assert refused.value.kind == "bounce" and refused.value.code == 550
    assert smtp_server.to() == ["here@example.com"]


def test_a_4xx_and_a_server_away_are_deferred(app, smtp_server):  # noqa: F811
    smtp_server.defer_after = 0
    with Mailer(smtp_server.url) as mailer:
        with pytest.raises(MailError) as deferred:
            mailer.send("a@example.com", "S", text="T")
    assert deferred.value.kind == "deferred" and deferred.value.code == 421
    smtp_server.stop()
    with pytest.raises(MailError) as away:
        Mailer(smtp_server.url).open()
    assert away.value.kind == "deferred"
    assert smtp_server.messages == []


def test_without_an_smtp_url_nothing_opens(app):
    with pytest.raises(MailError) as missing:
        Mailer("").open()
    assert missing.value.kind == "deferred" and "TRELLIS_SMTP_URL" in str(missing.value)


def test_words_beyond_ascii_arrive_intact(app, smtp_server):  # noqa: F811
    with Mailer(smtp_server.url, "春季展会 <fair@example.com>") as mailer:
        mailer.send(
            "wang@example.com",
            "诚邀您参加春季展会",
            text="尊敬的王先生",
            html="<p>尊敬的王先生</p>",
        )
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "诚邀您参加春季展会"
    assert mail["From"].addresses[0].display_name == "春季展会"
    assert mail.get_body(("plain",)).get_content().strip() == "尊敬的王先生"
