"""Automation's message and workload actions: an e-mail with merge fields
reaching a real local SMTP server through core's outbox, a text reaching
the Twilio-like gateway, marketing sent only with the customer's consent
(service sent unless refused), assignment to the team member with the
fewest open tasks — and their parameters refused naming
``actions.N.params.<name>``, nothing written."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from core.api import db, record_consent
from core.automation import save_rule
from core.errors import ValidationError
from core.models import AutomationRule, AutomationRun, Message
from core.services.activities import log_activity
from core.services.customers import create_customer, update_customer
from core.services.users import create_team
from core.testing.servers import free_port, trellis_sms_server  # noqa: F401

CREATED = {"kind": "event", "event": "customer_created"}
MAIL = {
    "type": "send_email",
    "params": {
        "subject": "Welcome, {{customer.name}}",
        "body": "Dear {{ customer.name }}, your grade is {{customer.grade}}.",
        "purpose": "service",
    },
}


class Inbox:
    """A real SMTP server on a free local port, keeping what it is sent."""

    def __init__(self) -> None:
        self.messages: list = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.url = f"smtp+plain://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox():
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.com", name="Ada Admin")


def rule(admin, actions, trigger=CREATED):
    return save_rule({"name": "Rule", "trigger": trigger, "actions": actions}, None, admin)


def results() -> list[list[dict]]:
    db.session.expire_all()
    return [r.results for r in db.session.scalars(select(AutomationRun).order_by(AutomationRun.id))]


def test_an_e_mail_with_merge_fields_reaches_the_smtp_server(make_app, inbox, make_user):
    make_app(TRELLIS_SMTP_URL=inbox.url, TRELLIS_MAIL_FROM="crm@example.com")
    admin = make_user(role="admin", email="ada@example.com")
    rule(admin, [MAIL])
    customer = create_customer(
        {"name": "Acme 华东", "grade": "A", "emails": ["Li@Example.com"]}, admin
    ).customer
    [message] = db.session.scalars(select(Message)).all()
    assert (message.channel, message.to, message.status) == ("email", "li@example.com", "sent")
    assert message.customer_id == customer.id and message.source == "automation"
    [mail] = inbox.messages
    assert mail["To"] == "li@example.com" and mail["Subject"] == "Welcome, Acme 华东"
    assert mail.get_content().strip() == "Dear Acme 华东, your grade is A."
    [[result]] = results()
    assert result == {"type": "send_email", "ok": True, "detail": f"message {message.id} queued"}


def test_a_text_reaches_the_sms_gateway(make_app, trellis_sms_server, make_user):  # noqa: F811
    make_app(TRELLIS_SMS_URL=trellis_sms_server.url)
    admin = make_user(role="admin", email="ada@example.com")
    text = {"type": "send_sms", "params": {"body": "{{customer.name}}: 欢迎", "purpose": "service"}}
    rule(admin, [text])
    create_customer({"name": "Acme", "phones": ["+86 138 0013 8000"]}, admin)
    [sent] = trellis_sms_server.messages
    assert sent["To"] == "+8613800138000" and sent["Body"] == "Acme: 欢迎"
    assert db.session.scalar(select(Message.status)) == "sent"


def test_marketing_goes_only_to_a_customer_who_consented(admin):
    text = {"type": "send_sms", "params": {"body": "Offer"}}  # purpose: marketing by default
    rule(admin, [text], {"kind": "field_changed", "field": "grade"})
    customer = create_customer({"name": "Acme", "phones": ["+8613800138000"]}, admin).customer
    update_customer(customer, {"grade": "B"}, admin)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert results()[0][0]["detail"] == "not sent: Acme may not be contacted"
    record_consent(
        customer,
        {"channel": "sms", "purpose": "marketing", "status": "granted"},
        admin,
        already_confirmed=True,
    )
    update_customer(customer, {"grade": "A"}, admin)
    [message] = db.session.scalars(select(Message)).all()
    assert message.to == "+8613800138000" and message.body == "Offer"


def test_a_customer_without_an_address_gets_nothing_and_the_run_says_so(admin):
    rule(admin, [MAIL])
    create_customer({"name": "Quiet"}, admin)
    assert results() == [
        [{"type": "send_email", "ok": True, "detail": "not sent: Quiet has none to send to"}]
    ]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_workload_gives_the_record_to_the_member_with_fewest_open_tasks(admin, make_user):
    east = create_team("Sales East", admin)
    busy = make_user(name="Busy", team_id=east.id)
    free = make_user(name="Free", team_id=east.id)
    idle_but_away = make_user(name="Away", team_id=east.id)
    idle_but_away.active = False
    db.session.commit()
    for title in ("one", "two"):
        log_activity({"kind": "task", "subject": title, "owner_id": busy.id}, admin)
    done = log_activity({"kind": "task", "subject": "done", "owner_id": free.id}, admin)
    done.done_at = done.created_at
    log_activity({"kind": "task", "subject": "open", "owner_id": free.id}, admin)
    db.session.commit()
    assign = {"type": "assign_owner", "params": {"team_id": east.id, "method": "workload"}}
    task = {"type": "create_task", "params": {"title": "Call"}}
    rule(admin, [assign, task])
    first = create_customer({"name": "First"}, admin).customer
    second = create_customer({"name": "Second"}, admin).customer
    db.session.expire_all()
    # free: 1 open task (the done one does not count) against busy's 2; then 2 each → lower id
    assert (first.owner_id, second.owner_id) == (free.id, busy.id)


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"type": "send_email", "params": {"subject": "Hi"}}, "actions.0.params.body"),
        ({"type": "send_sms", "params": {"body": "x" * 501}}, "actions.0.params.body"),
        (
            {"type": "send_sms", "params": {"body": "Hi", "purpose": "spam"}},
            "actions.0.params.purpose",
        ),
        (
            {"type": "send_email", "params": {"subject": "{{customer.colour}}", "body": "Hi"}},
            "actions.0.params.subject",
        ),
        (
            {"type": "assign_owner", "params": {"team_id": 1, "method": "random"}},
            "actions.0.params.method",
        ),
    ],
)
def test_a_wrong_parameter_is_refused_naming_it(admin, action, field):
    if action["type"] == "assign_owner":
        action["params"]["team_id"] = create_team("East", admin).id
    with pytest.raises(ValidationError) as refused:
        rule(admin, [action])
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AutomationRule)) == 0


def test_a_message_needs_a_record_of_a_customer(admin):
    with pytest.raises(ValidationError) as refused:
        rule(admin, [MAIL], {"kind": "schedule", "cron": "0 9 * * 1"})
    assert "actions.0.type" in refused.value.errors
