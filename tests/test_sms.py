"""Texts through the SMS gateway (core.messaging.sms): the Twilio adapter
against a real local server answering like Twilio's Messages resource
(what arrived: To, From, Body, basic auth), what each refusal means, the
log adapter, the outbox's SMS sender, the setting's check and the parts
count of GSM-7 and UCS-2 texts."""

from __future__ import annotations

import logging

import pytest

from core.api import SmsError, db, send_message, sms_gateway, sms_number, sms_parts, transaction
from core.errors import ConfigError
from core.messaging import sender_for
from core.models import Message
from core.testing.servers import TWILIO_ACCOUNT, TWILIO_FROM, TWILIO_TOKEN, trellis_sms_server  # noqa: F401


@pytest.fixture
def sms_app(make_app, trellis_sms_server):  # noqa: F811
    return make_app(TRELLIS_SMS_URL=trellis_sms_server.url)


def test_twilio_gets_the_text_with_the_accounts_credentials_and_gives_its_sid(
    sms_app,
    trellis_sms_server,  # noqa: F811
):
    sid = sms_gateway().send("+8613800138000", "您好 Hello")
    assert sid.startswith("SM") and len(sid) == 34
    [message] = trellis_sms_server.messages
    assert message["To"] == "+8613800138000" and message["From"] == TWILIO_FROM
    assert message["Body"] == "您好 Hello" and message["sid"] == sid
    assert message["auth"] == f"{TWILIO_ACCOUNT}:{TWILIO_TOKEN}"


def test_a_messaging_service_sid_is_sent_as_such(make_app, trellis_sms_server):  # noqa: F811
    url = trellis_sms_server.url.replace("%2B15005550006", "MG" + "1" * 32)
    make_app(TRELLIS_SMS_URL=url)
    sms_gateway().send("+14155552671", "Hi")
    [message] = trellis_sms_server.requests
    assert message["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in message


@pytest.mark.parametrize(
    ("answer", "kind"), [(429, "deferred"), (503, "deferred"), (500, "unknown"), (422, "failed")]
)
def test_each_refusal_says_what_the_caller_may_do(
    sms_app,
    trellis_sms_server,
    answer,
    kind,  # noqa: F811
):
    trellis_sms_server.answers = [answer]
    with pytest.raises(SmsError) as refused:
        sms_gateway().send("+8613800138000", "Hi")
    assert refused.value.kind == kind and str(answer) in str(refused.value)
    assert trellis_sms_server.messages == []


def test_an_invalid_number_is_rejected_with_twilios_code(sms_app, trellis_sms_server):  # noqa: F811
    trellis_sms_server.reject = {"+8613800138001"}
    with pytest.raises(SmsError) as refused:
        sms_gateway().send("+8613800138001", "Hi")
    assert (refused.value.kind, refused.value.code) == ("rejected", 21211)
    assert refused.value.final and "not a valid phone number" in str(refused.value)


def test_wrong_credentials_and_no_server_certainly_sent_nothing(make_app, trellis_sms_server):  # noqa: F811
    make_app(TRELLIS_SMS_URL=trellis_sms_server.url.replace("test-token", "wrong"))
    with pytest.raises(SmsError) as refused:
        sms_gateway().send("+8613800138000", "Hi")
    assert (refused.value.kind, refused.value.code) == ("deferred", 20003)
    trellis_sms_server.stop()
    make_app(TRELLIS_SMS_URL=trellis_sms_server.url)
    with pytest.raises(SmsError) as down:
        sms_gateway().send("+8613800138000", "Hi")
    assert down.value.kind == "deferred" and not down.value.final


def test_the_outbox_sends_texts_through_twilio_and_a_rejected_number_is_not_retried(
    sms_app,
    trellis_sms_server,  # noqa: F811
):
    assert sender_for("sms").name == "twilio" and sender_for("email").name == "log"
    with transaction():
        sent = send_message("sms", "+86 138 0013 8000", "Your code", purpose="booking")
    trellis_sms_server.reject = {"+8613800138001"}
    with transaction():
        refused = send_message("sms", "+8613800138001", "Your code", purpose="booking")
    db.session.expire_all()
    sent, refused = db.session.get(Message, sent.id), db.session.get(Message, refused.id)
    assert (sent.status, sent.sender) == ("sent", "twilio")
    assert trellis_sms_server.to() == ["+8613800138000"]
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "21211" in refused.error


def test_without_a_url_texts_go_to_the_log_and_count_as_sent(app, caplog):
    caplog.set_level(logging.INFO, logger="trellis.sms")
    assert sms_gateway().send("+8613800138000", "Hello").startswith("log-")
    assert "+8613800138000" in caplog.text and "Hello" in caplog.text
    assert sender_for("sms").name == "log"


@pytest.mark.parametrize(
    "url",
    [
        "http://AC1:secret@api.twilio.com/?from=%2B15005550006",
        "twilio://api.twilio.com/?from=%2B15005550006",
        "twilio://AC1:secret@api.twilio.com/",
    ],
)
def test_a_wrong_sms_url_stops_start_up_without_showing_the_token(make_app, url):
    with pytest.raises(ConfigError) as refused:
        make_app(TRELLIS_SMS_URL=url)
    assert str(refused.value).startswith("TRELLIS_SMS_URL: ")
    assert "secret" not in str(refused.value) and "\n" not in str(refused.value)


def test_parts_are_counted_as_the_network_counts_them():
    assert (sms_parts("a" * 160).encoding, sms_parts("a" * 160).parts) == ("GSM-7", 1)
    assert sms_parts("a" * 161).parts == 2 and sms_parts("a" * 306).parts == 2
    assert sms_parts("a" * 307).parts == 3
    assert sms_parts("€" * 80).length == 160 and sms_parts("€" * 81).parts == 2
    chinese = sms_parts("您" * 70)
    assert (chinese.encoding, chinese.length, chinese.parts) == ("UCS-2", 70, 1)
    assert sms_parts("您" * 71).parts == 2 and sms_parts("您" * 135).parts == 3
    assert sms_parts("").parts == 0


def test_only_a_number_that_can_take_a_text_is_an_sms_number(app):
    assert sms_number("138 0013 8000") == "+8613800138000"
    assert sms_number("+86 10 6552 9988") is None  # a Beijing fixed line
    assert sms_number("+1 415 555 2671") == "+14155552671"  # fixed line or mobile
    assert sms_number("12") is None and sms_number(None) is None
