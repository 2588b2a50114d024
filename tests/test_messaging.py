"""Messages (core.messaging): written in the caller's transaction, delivered
after the commit by the channel's sender; a rolled-back write sends nothing;
a failing sender is tried three times, then the message is failed; plugins
add senders through ``trellis_message_senders``; the Outbox page shows the
messages to who may change settings, one-time codes masked."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.api import MessageSender, ValidationError, db, send_message, transaction, utcnow
from core.messaging import deliver, resend_waiting, sender_for
from core.models import Message
from core.testing import plugin_module


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Message)) or 0


def _fresh(message: Message) -> Message:
    found = db.session.get(Message, message.id, populate_existing=True)
    assert found is not None
    return found


def test_hook_message_senders_a_plugins_sender_delivers_its_channel(register_plugin):
    got = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_message_senders=lambda: [
                MessageSender("sms", "probe-sms", lambda m: got.append((m.to, m.body)), order=50)
            ],
        )
    )
    assert sender_for("sms").name == "probe-sms" and sender_for("email").name == "log"
    with transaction():
        message = send_message("sms", "138 0013 8000", "Hello", purpose="booking", source="probe")
        assert got == []  # not before the commit
    assert got == [("+8613800138000", "Hello")]
    message = _fresh(message)
    assert (message.status, message.sender, message.attempts) == ("sent", "probe-sms", 1)
    assert message.sent_at is not None and message.source == "probe"


def test_a_rolled_back_write_sends_nothing(register_plugin):
    got = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_message_senders=lambda: [MessageSender("sms", "probe", got.append, order=1)],
        )
    )
    with pytest.raises(RuntimeError), transaction():
        send_message("sms", "+8613800138000", "Never", purpose="booking")
        raise RuntimeError("the write fails")
    assert got == [] and _count() == 0


def test_the_log_sender_writes_the_message_and_counts_it_sent(app, caplog):
    caplog.set_level(logging.INFO, logger="trellis.messages")
    with transaction():
        message = send_message(
            "email", "Wang@Example.COM", "See you", subject="Visit", purpose="reminder"
        )
    message = _fresh(message)
    assert (message.to, message.status, message.sender) == ("wang@example.com", "sent", "log")
    assert "See you" in caplog.text and "wang@example.com" in caplog.text


def test_a_failing_sender_is_tried_three_times_then_the_message_failed(register_plugin):
    def broken(message):
        raise ConnectionError("gateway down")

    register_plugin(
        plugin_module(
            "probe",
            trellis_message_senders=lambda: [MessageSender("sms", "broken", broken, order=1)],
        )
    )
    with transaction():
        message = send_message("sms", "+8613800138000", "Hi", purpose="booking")
    message = _fresh(message)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "gateway down" in message.error
    assert resend_waiting() == "0 of 0 waiting messages sent"  # tried a moment ago: not yet
    assert resend_waiting(utcnow() + timedelta(minutes=5)) == "0 of 1 waiting messages sent"
    assert deliver(message.id).startswith("failed")
    message = _fresh(message)
    assert (message.status, message.attempts) == ("failed", 3)
    assert deliver(message.id) == "nothing to send"  # a failed message is not tried again


def test_a_wrong_recipient_or_channel_is_refused_naming_the_field(app):
    with pytest.raises(ValidationError) as phone:
        send_message("sms", "12", "Hi", purpose="booking")
    with pytest.raises(ValidationError) as mail:
        send_message("email", "not an address", "Hi", purpose="booking")
    with pytest.raises(ValidationError) as channel:
        send_message("fax", "+8613800138000", "Hi", purpose="booking")
    assert "to" in phone.value.errors and "to" in mail.value.errors
    assert "channel" in channel.value.errors
    db.session.rollback()
    assert _count() == 0


def test_e_mail_goes_by_smtp_when_a_server_is_set_and_its_failure_is_kept(make_app):
    make_app(TRELLIS_SMTP_URL="smtp+plain://127.0.0.1:9", TRELLIS_MAIL_FROM="crm@example.com")
    assert sender_for("email").name == "smtp" and sender_for("sms").name == "log"
    with transaction():
        message = send_message("email", "li@example.com", "Hi", subject="Hi", purpose="booking")
    message = _fresh(message)
    assert message.status == "queued" and message.attempts == 1
    assert message.error and message.sender is None  # nobody listens on port 9


def test_a_wrong_smtp_url_stops_start_up_without_showing_the_password(make_app):
    from core.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        make_app(TRELLIS_SMTP_URL="http://user:secret@mail.example.com")
    assert "TRELLIS_SMTP_URL" in str(refused.value) and "secret" not in str(refused.value)


def test_the_outbox_page_shows_messages_to_admins_with_codes_masked(login_as, make_user):
    admin, sales = make_user(role="admin"), make_user(role="sales")
    with transaction():
        send_message("sms", "+8613800138000", "Your code is 123456.", purpose="otp")
        send_message("sms", "+8613800138001", "Clinic at 9:30 tomorrow.", purpose="reminder")
    page = login_as(admin).get("/admin/outbox/")
    assert page.status_code == 200
    assert "123456" not in page.text and "••••••" in page.text
    assert "Clinic at 9:30 tomorrow." in page.text
    only = login_as(admin).get("/admin/outbox/?purpose=reminder")
    assert "+8613800138001" in only.text and "+8613800138000" not in only.text
    assert login_as(sales).get("/admin/outbox/").status_code == 403


def test_a_failed_message_can_be_sent_again_from_the_outbox(login_as, make_user):
    admin = make_user(role="admin")
    with transaction():
        message = send_message("sms", "+8613800138000", "Hi", purpose="booking")
    db.session.execute(
        Message.__table__.update().values(status="failed", attempts=3, error="gateway down")
    )
    db.session.commit()
    client = login_as(admin)
    page = client.get("/admin/outbox/?status=failed")
    assert "gateway down" in page.text
    token = client.get("/admin/outbox/").text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(f"/admin/outbox/{message.id}/resend", data={"csrf_token": token})
    assert done.status_code == 302
    message = _fresh(message)
    assert (message.status, message.sender) == ("sent", "log")
