"""What the campaign API reads and answers (templates, campaigns, their
recipients and results, test sends, unsubscribes)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from core.api import ListArgs, NotBlank, normalize_phone, translator

from ..models.campaign import (
    CAMPAIGN,
    CHANNELS,
    DEFAULT_RATE,
    LANGUAGES,
    MAX_RATE,
    TEST_HOURS,
    TEST_PERCENT,
    WINNER_BY,
)
from ..models.recipient import RECIPIENT_STATES, SUPPRESSION_REASONS
from .attribution import MarketingAttributionOut

_, _l = translator("marketing")

#: the longest body a template may have (characters)
MAX_BODY = 100_000
#: the longest SMS text a template may have (characters; the parts count refuses sooner)
MAX_TEXT = 1_000
#: what a recipient list may be filtered by: a delivery state, or what the recipient did
RECIPIENT_FILTERS = (*RECIPIENT_STATES, "opened", "clicked", "unsubscribed")


def _text(length: int):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=length))


class MarketingTemplateInput(Schema):
    """A template: its name, its ``channel`` (``email``, the default, or
    ``sms``; fixed once saved) and, per language (``en``, ``zh_CN``), an
    e-mail's subject and HTML body or an SMS's text (``text_en``,
    ``text_zh_CN``: at most 5 SMS parts with the opt-out line), with merge
    fields (``{{ customer.name }}`` …)."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    channel = fields.String(load_default="email", validate=validate.OneOf(list(CHANNELS)))
    subject_en = _text(200)
    body_en = _text(MAX_BODY)
    subject_zh_CN = _text(200)
    body_zh_CN = _text(MAX_BODY)
    text_en = _text(MAX_TEXT)
    text_zh_CN = _text(MAX_TEXT)

    @validates_schema
    def _a_language(self, data, partial=None, **kwargs):
        if partial:
            return
        sms = data.get("channel") == "sms"
        for key in ("subject_", "body_", "text_"):
            for language in LANGUAGES:
                if (data.get(f"{key}{language}") or "").strip() and sms != (key == "text_"):
                    message = (
                        _("An SMS template has no subject or body.")
                        if sms
                        else _("An e-mail template has no SMS text.")
                    )
                    raise ValidationError(message, f"{key}{language}")
        if sms:
            if not any((data.get(f"text_{language}") or "").strip() for language in LANGUAGES):
                raise ValidationError(_("Write the text in at least one language."), "text_en")
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
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    subject_en = fields.String(allow_none=True)
    body_en = fields.String(allow_none=True)
    subject_zh_CN = fields.String(allow_none=True)
    body_zh_CN = fields.String(allow_none=True)
    text_en = fields.String(allow_none=True)
    text_zh_CN = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingCampaignInput(Schema):
    """A campaign: a segment, a template and the language it is sent in,
    its ``channel`` (``email`` or ``sms``: the template's when not given; a
    template of another channel is refused), when (``send_at``, for
    scheduling) and how fast (``rate``: messages a minute). An e-mail
    campaign may A/B-test a second subject (``subject_b``) on
    ``test_percent`` (10–50, or 0: no test) of its recipients for
    ``test_hours``, the winner by ``winner_by`` going to the rest."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NotBlank()])
    segment_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    template_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    survey_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "the survey the template's {{ survey_url }} invites to"},
    )
    language = fields.String(load_default="en", validate=validate.OneOf(list(LANGUAGES)))
    channel = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(list(CHANNELS))
    )
    send_at = fields.AwareDateTime(load_default=None, allow_none=True)
    rate = fields.Integer(load_default=DEFAULT_RATE, validate=validate.Range(1, MAX_RATE))
    subject_b = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "an A/B test's second subject, with merge fields"},
    )
    test_percent = fields.Integer(
        load_default=0,
        validate=validate.Range(0, TEST_PERCENT[1]),
        metadata={"description": "the recipients the A/B test takes, in per cent (0: no test)"},
    )
    test_hours = fields.Integer(load_default=4, validate=validate.Range(*TEST_HOURS))
    winner_by = fields.String(load_default="open", validate=validate.OneOf(list(WINNER_BY)))


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
    survey_id = fields.Integer(allow_none=True)
    language = fields.String()
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    status = fields.String(metadata={"enum": list(CAMPAIGN.states)})
    send_at = fields.DateTime(allow_none=True)
    rate = fields.Integer()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    subject_b = fields.String(allow_none=True)
    test_percent = fields.Integer()
    test_hours = fields.Integer()
    winner_by = fields.String(metadata={"enum": list(WINNER_BY)})
    winner = fields.String(allow_none=True, metadata={"enum": ["a", "b"]})
    winner_at = fields.DateTime(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MarketingCampaignArgs(ListArgs):
    """``q``: part of the name; ``status``."""

    status = fields.String(validate=validate.OneOf(list(CAMPAIGN.states)))


class MarketingVariantOut(Schema):
    """One subject of an A/B test: its messages sent, opened, clicked, and rates."""

    sent = fields.Integer()
    opened = fields.Integer()
    clicked = fields.Integer()
    open_rate = fields.Float(allow_none=True)
    click_rate = fields.Float(allow_none=True)


class MarketingResultsOut(Schema):
    """A campaign's figures: recipients per state, opens, clicks,
    unsubscribes and their rates (over the messages sent), the money
    attributed to it, and an A/B test's figures per subject (``variants``:
    ``a``, the template's, and ``b``; null without a test)."""

    recipients = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    opened = fields.Integer()
    clicked = fields.Integer()
    unsubscribed = fields.Integer()
    open_rate = fields.Float(allow_none=True)
    click_rate = fields.Float(allow_none=True)
    attributed = fields.Nested(MarketingAttributionOut)
    variants = fields.Dict(
        keys=fields.String(), values=fields.Nested(MarketingVariantOut), allow_none=True
    )


class MarketingRecipientArgs(ListArgs):
    """``status``: a delivery state, or ``opened``/``clicked``/``unsubscribed``;
    ``q``: part of the address (or the number, of an SMS campaign)."""

    status = fields.String(validate=validate.OneOf(RECIPIENT_FILTERS))


class MarketingRecipientOut(Schema):
    id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True, metadata={"description": "an e-mail campaign's"})
    phone = fields.String(allow_none=True, metadata={"description": "an SMS campaign's (E.164)"})
    status = fields.String(metadata={"enum": list(RECIPIENT_STATES)})
    error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    opened_at = fields.DateTime(allow_none=True)
    clicked_at = fields.DateTime(allow_none=True)
    unsubscribed_at = fields.DateTime(allow_none=True)


class MarketingTestInput(Schema):
    """A test send: ``to``, the mobile number an SMS campaign's test goes to
    (an e-mail campaign's goes to the caller's own address)."""

    to = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class MarketingTestOut(Schema):
    to = fields.String()
    message_id = fields.String()


class MarketingUnsubscribeInput(Schema):
    """An address — or a mobile ``phone``, for SMS — to suppress, and why
    (an unsubscribe by letter or phone, a "TD" reply, a complaint)."""

    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    reason = fields.String(
        load_default="unsubscribed", validate=validate.OneOf(list(SUPPRESSION_REASONS))
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def _one_address(self, data, **kwargs):
        if bool(data.get("email")) == bool(data.get("phone")):
            raise ValidationError(_("Give an e-mail address or a phone number."), "email")
        if data.get("phone"):
            try:
                normalize_phone(data["phone"])
            except ValueError as exc:
                raise ValidationError(str(exc), "phone") from None

    @post_load
    def _e164(self, data, **kwargs):
        if data.get("phone"):
            data["phone"] = normalize_phone(data["phone"])
        return data


class MarketingUnsubscribeOut(Schema):
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    reason = fields.String()
    consent_withdrawn = fields.Integer()
