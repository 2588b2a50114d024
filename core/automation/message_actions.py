"""Core's message actions: send an e-mail or a text to the record's customer.

Both go through core's outbox (:func:`~core.messaging.send_message`): the
``message`` row is written in the run's transaction and delivered by the
channel's sender after it commits (SMTP, the SMS gateway, or the log), so a
failed run sends nothing. The recipient is the record's own first address
or phone when it has them (a contact), else its customer's first, else the
customer's primary contact's. A customer who may not be contacted
(:func:`~core.consents.may_contact`) gets nothing and the run says so:
``purpose`` ``marketing`` (the default: sent only with the customer's
consent) or ``service`` (transactional — a reminder of an appointment or a
contract end — sent unless the customer refused it).

Subject and body take merge fields: ``{{customer.name}}``,
``{{record.end_date}}``, ``{{customer.custom_fields.size}}`` — the fields of
the customer and of the rule's record; an unknown one is refused when the
rule is saved.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from core.automation.base import ActionParam, AutomationAction
from core.automation.conditions import value_of
from core.automation.record_actions import customer_of
from core.automation.records import Entity, entity_of
from core.consents import may_contact
from core.errors import ValidationError
from core.i18n import _, _l
from core.messaging import send_message
from core.models import Customer

PURPOSES = ("marketing", "service")
#: what the rule form offers for ``purpose``
PURPOSE_CHOICES = (
    ("marketing", _l("Marketing (only with consent)")),
    ("service", _l("Service (unless refused)")),
)
MERGE = re.compile(r"\{\{\s*(customer|record)\.([A-Za-z_][\w.]*)\s*\}\}")


def merge(text: str, record: Any, customer: Customer | None) -> str:
    """``text`` with each merge field replaced by its value ("" when empty)."""

    def value(match: re.Match[str]) -> str:
        source = customer if match.group(1) == "customer" else record
        found = value_of(source, match.group(2)) if source is not None else None
        if isinstance(found, (date, datetime)):
            return found.isoformat()
        return "" if found is None else str(found)

    return MERGE.sub(value, text)


def _unknown_fields(text: str, entity: Entity | None) -> list[str]:
    customer = entity_of("customer")
    known = {
        "customer": customer.fields() if customer else [],
        "record": entity.fields() if entity else [],
    }
    return [f"{s}.{f}" for s, f in MERGE.findall(text) if f not in known[s]]


def recipient(record: Any, kind: str) -> str | None:
    """The first of ``kind`` (``emails``/``phones``) of the record, its
    customer, or the customer's primary contact."""
    customer = customer_of(record)
    sources = [record] if not isinstance(record, Customer) else []
    if customer is not None:
        sources.append(customer)
        sources.extend(c for c in customer.contacts if c.deleted_at is None)
    for source in sources:
        values = getattr(source, kind, None)
        if isinstance(values, list) and values:
            return str(values[0])
    return None


class _SendAction(AutomationAction):
    channel = ""
    address = ""
    max_body = 0

    def check(self, params, entity, actor):
        errors: dict[str, list[str]] = {}
        if entity is None or (entity.type != "customer" and "customer_id" not in entity.columns()):
            errors[""] = [_("this action needs a record of a customer")]
        if params.get("purpose") not in (None, "", *PURPOSES):
            errors["purpose"] = [_("must be one of: %(options)s", options=", ".join(PURPOSES))]
        if len(str(params.get("body", ""))) > self.max_body:
            errors["body"] = [_("at most %(n)d characters", n=self.max_body)]
        if len(str(params.get("subject") or "")) > 200:
            errors["subject"] = [_("at most %(n)d characters", n=200)]
        for name in ("subject", "body"):
            unknown = _unknown_fields(str(params.get(name) or ""), entity)
            if unknown:
                errors.setdefault(name, []).append(
                    _("no such merge field: %(names)s", names=", ".join(unknown))
                )
        return errors

    def _refusal(self, params: dict[str, Any], record: Any) -> str | None:
        customer = customer_of(record)
        if customer is None:
            return _("not sent: the record belongs to no customer")
        purpose = params.get("purpose") or "marketing"
        if not may_contact([customer.id], self.channel, purpose):
            return _("not sent: %(customer)s may not be contacted", customer=customer.name)
        if recipient(record, self.address) is None:
            return _("not sent: %(customer)s has none to send to", customer=customer.name)
        return None

    def preview(self, params, record, rule):
        refused = self._refusal(params, record)
        if refused:
            return refused
        return _(
            "send %(channel)s to %(to)s: %(text)s",
            channel=self.channel,
            to=recipient(record, self.address),
            text=merge(str(params.get("subject") or params["body"]), record, customer_of(record)),
        )

    def run(self, params, record, context):
        refused = self._refusal(params, record)
        if refused:
            return refused
        customer = customer_of(record)
        assert customer is not None  # no refusal
        subject = params.get("subject")
        try:
            message = send_message(
                self.channel,
                str(recipient(record, self.address)),
                merge(str(params["body"]), record, customer),
                purpose="automation",
                subject=merge(str(subject), record, customer) if subject else None,
                customer_id=customer.id,
                source="automation",
            )
        except ValidationError as exc:  # a stored address the outbox refuses: not retried
            return _(
                "not sent: %(error)s", error=" ".join(m for ms in exc.errors.values() for m in ms)
            )
        return _("message %(id)s queued", id=message.id)


class SendEmail(_SendAction):
    """An e-mail to the record's customer, through the outbox."""

    code = "send_email"
    label = _l("Send an e-mail")
    channel, address, max_body = "email", "emails", 20000
    params = (
        ActionParam("subject", _l("Subject")),
        ActionParam("body", _l("Body"), kind="longtext"),
        ActionParam("purpose", _l("Purpose"), required=False, choices=PURPOSE_CHOICES),
    )


class SendSms(_SendAction):
    """A text to the record's customer, through the outbox and the SMS gateway."""

    code = "send_sms"
    label = _l("Send an SMS")
    channel, address, max_body = "sms", "phones", 500
    params = (
        ActionParam("body", _l("Text"), kind="longtext"),
        ActionParam("purpose", _l("Purpose"), required=False, choices=PURPOSE_CHOICES),
    )


MESSAGE_ACTIONS: list[AutomationAction] = [SendEmail(), SendSms()]
