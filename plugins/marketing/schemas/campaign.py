"""What the campaign API reads and answers (templates, campaigns, their
recipients and results, test sends, unsubscribes)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.api import ListArgs, NotBlank, translator

from ..models.campaign import CAMPAIGN, DEFAULT_RATE, LANGUAGES, MAX_RATE
from ..models.recipient import RECIPIENT_STATES, SUPPRESSION_REASONS

_, _l = translator("marketing")

#: the longest body a template may have (characters)
MAX_BODY = 100_000
#: what a recipient list may be filtered by: a delivery state, or what the recipient did
RECIPIENT_FILTERS = (*RECIPIENT_STATES, "opened", "clicked", "unsubscribed")


def _text(length: int):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=length))


class MarketingTemplateInput(Schema):
    """A template: its name and, per language (``en``, ``zh_CN``), a subject
    and an HTML body with merge fields (``{{ customer.name }}`` …)."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    subject_en = _text(200)
    body_en = _text(MAX_BODY)
    subject_zh_CN = _text(200)
    body_zh_CN = _text(MAX_BODY)

    @validates_schema
    def _a_language(self, data, partial=None, **kwargs):
        if partial:
            return
        for language in LANGUAGES:
            subject, body = data.get(f"subject_{language}"), data.get(f"body_{language}")
            if bool((subject or "").strip()) != bool((body or "").strip()):
                key = f"body_{language}" if subject else f"subject_{language}"
                raise ValidationError(_("Write both the subject and the body."), key)
        if not any((data.get(f"body_{language}") or "").strip() for language in LANGUAGES):
            raise ValidationError(_("Write the e-mail in at least one language."), "body_en")


class MarketingTemplateChange(MarketingTemplateInput):
    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1))


class MarketingTemplateOut(Schema):
    id = fields.Integer()
    name = fields.String()
    subject_en = fields.String(allow_none=True)
    body_en = fields.String(allow_none=True)
    subject_zh_CN = fields.String(allow_none=True)
    body_zh_CN = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingCampaignInput(Schema):
    """A campaign: a segment, a template and the language it is sent in,
    when (``send_at``, for scheduling) and how fast (``rate``: messages a
    minute)."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    segment_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    template_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    language = fields.String(load_default="en", validate=validate.OneOf(list(LANGUAGES)))
    send_at = fields.AwareDateTime(load_default=None, allow_none=True)
    rate = fields.Integer(load_default=DEFAULT_RATE, validate=validate.Range(1, MAX_RATE))


class MarketingCampaignChange(MarketingCampaignInput):
    version = fields.Integer(strict=True, validate=validate.Range(0, 2**31 - 1))


class MarketingScheduleInput(Schema):
    """When to start sending (in the future)."""

    send_at = fields.AwareDateTime(required=True)


class MarketingCampaignOut(Schema):
    id = fields.Integer()
    name = fields.String()
    segment_id = fields.Integer()
    template_id = fields.Integer()
    language = fields.String()
    status = fields.String(metadata={"enum": list(CAMPAIGN.states)})
    send_at = fields.DateTime(allow_none=True)
    rate = fields.Integer()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingCampaignArgs(ListArgs):
    """``q``: part of the name; ``status``."""

    status = fields.String(validate=validate.OneOf(list(CAMPAIGN.states)))


class MarketingResultsOut(Schema):
    """A campaign's figures: recipients per state, opens, clicks,
    unsubscribes and their rates (over the messages sent). The revenue of
    deals won from a campaign is not counted yet."""

    recipients = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    opened = fields.Integer()
    clicked = fields.Integer()
    unsubscribed = fields.Integer()
    open_rate = fields.Float(allow_none=True)
    click_rate = fields.Float(allow_none=True)


class MarketingRecipientArgs(ListArgs):
    """``status``: a delivery state, or ``opened``/``clicked``/``unsubscribed``;
    ``q``: part of the address."""

    status = fields.String(validate=validate.OneOf(RECIPIENT_FILTERS))


class MarketingRecipientOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    email = fields.String()
    status = fields.String(metadata={"enum": list(RECIPIENT_STATES)})
    error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    opened_at = fields.DateTime(allow_none=True)
    clicked_at = fields.DateTime(allow_none=True)
    unsubscribed_at = fields.DateTime(allow_none=True)


class MarketingTestOut(Schema):
    to = fields.String()
    message_id = fields.String()


class MarketingUnsubscribeInput(Schema):
    """An address to suppress, and why (an unsubscribe by letter or phone, a complaint)."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    reason = fields.String(
        load_default="unsubscribed", validate=validate.OneOf(list(SUPPRESSION_REASONS))
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class MarketingUnsubscribeOut(Schema):
    email = fields.String()
    reason = fields.String()
    consent_withdrawn = fields.Integer()
