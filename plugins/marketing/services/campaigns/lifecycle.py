"""Campaigns: who sees which, saving one, a test send, and its moves
(schedule, send now, pause, cancel — the table is ``models.campaign.CAMPAIGN``).

A campaign is seen through core's scoped query (its owner; their team's
manager; whoever sees every record). A draft may be changed; once
scheduled its content is fixed — pause it first. Scheduling and sending
an e-mail campaign need an SMTP server (``TRELLIS_SMTP_URL``): without one
they are refused rather than queued to fail. An SMS campaign goes through
``TRELLIS_SMS_URL``'s provider — in development, without one, to the log;
in production it is refused.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import Select, select

from core.api import (
    Mailer,
    MailError,
    NotFoundError,
    SmsError,
    StateError,
    UnavailableError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    enqueue,
    load,
    refuse,
    scoped,
    sms_gateway,
    sms_number,
    snapshot,
    text_contains,
    transaction,
    translator,
    utcnow,
)

from ...models import Campaign
from ...models.campaign import CAMPAIGN, TEST_PERCENT
from ...schemas.campaign import (
    MarketingCampaignChange,
    MarketingCampaignInput,
    MarketingScheduleInput,
)
from .. import segments
from . import sending
from .merge import Writer, check_template, merge_values
from .surveys import check_survey
from .templates import visible_template
from .texts import TextWriter

_, _l = translator("marketing")
#: the job that sends one campaign now (the periodic one is ``marketing.send_campaigns``)
SEND_JOB = "marketing.send_campaign"


def visible_campaigns(user: User | None) -> Select:
    return scoped(select(Campaign), Campaign, user)


def search_campaigns(user: User | None, args: dict) -> Select:
    query = visible_campaigns(user)
    if args.get("q"):
        query = query.where(text_contains(Campaign.name, args["q"]))
    if args.get("status"):
        query = query.where(Campaign.status == args["status"])
    return query


def visible_campaign(campaign_id: int, user: User | None) -> Campaign:
    campaign = db.session.scalar(visible_campaigns(user).where(Campaign.id == campaign_id))
    if campaign is None:
        raise NotFoundError(_("campaign %(id)s not found", id=campaign_id))
    return campaign


def _checked(data: dict, actor: User | None) -> dict:
    """The segment and template exist for ``actor`` (a 404 naming the id's
    field otherwise); the template is written in the campaign's language (a
    422 naming ``language``) for its channel (the template's when not given;
    another is a 422 naming ``template_id``)."""
    invalid: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    if "segment_id" in data:
        try:
            segments.visible_segment(data["segment_id"], actor)
        except NotFoundError:
            missing["segment_id"] = [_("Unknown segment.")]
    if "template_id" in data:
        try:
            template = visible_template(data["template_id"])
        except NotFoundError:
            missing["template_id"] = [_("Unknown template.")]
        else:
            data["channel"] = data.get("channel") or template.channel
            if data["channel"] != template.channel:
                invalid["template_id"] = [_("The template is not written for this channel.")]
            elif not template.written_in(data.get("language", "en")):
                invalid["language"] = [_("The template has no text in this language.")]
    refuse(invalid, missing=missing)
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    return data


#: what an A/B test is made of (checked together: :func:`_check_ab`)
AB_KEYS = ("subject_b", "test_percent", "channel")


def _check_ab(values: dict) -> None:
    """An A/B test has both a second subject and its share (10–50 per
    cent), on an e-mail campaign; the subject's merge fields are known. A
    422 naming the field otherwise."""
    subject = (values.get("subject_b") or "").strip()
    percent = values.get("test_percent") or 0
    values_b = {"subject_b": subject} if "subject_b" in values else {}
    if percent and values.get("channel") == "sms":
        refuse({"test_percent": [_("An SMS has no subject to test.")]})
    if percent and not subject:
        refuse({"subject_b": [_("Write the second subject to test.")]})
    if subject and not percent:
        refuse({"test_percent": [_("Choose how many recipients the test takes.")]})
    if percent and percent < TEST_PERCENT[0]:
        refuse(
            {
                "test_percent": [
                    _(
                        "A test takes from %(least)s to %(most)s in a hundred recipients.",
                        least=TEST_PERCENT[0],
                        most=TEST_PERCENT[1],
                    )
                ]
            }
        )
    check_template(values_b)
    if "subject_b" in values:
        values["subject_b"] = subject or None


def create_campaign(payload: dict, actor: User | None) -> Campaign:
    data = _checked(load(MarketingCampaignInput(), payload), actor)
    _check_ab(data)
    check_survey(visible_template(data["template_id"]), data.get("survey_id"))
    with transaction():
        campaign = Campaign(
            **data,
            status="draft",
            owner_id=actor.id if actor else None,
            team_id=actor.team_id if actor else None,
        )
        db.session.add(campaign)
        db.session.flush()
        audit(actor, campaign, "create", None, snapshot(campaign))
    return campaign


def update_campaign(
    campaign: Campaign, payload: dict, actor: User | None, version: int | None = None
) -> Campaign:
    """Change a draft (or a paused campaign not started yet)."""
    if campaign.status not in ("draft", "paused") or campaign.started_at is not None:
        raise StateError(
            {"status": [_("Only a campaign that has not started sending can be changed.")]}
        )
    data = load(MarketingCampaignChange(), payload, partial=True)
    version = data.pop("version", version)
    whole = {"language": campaign.language, "template_id": campaign.template_id, **data}
    if {"language", "template_id", "channel"} & set(data):
        data["channel"] = _checked(whole, actor)["channel"]  # a new template's, if not given
    else:
        _checked(data, actor)
    if {"template_id", "survey_id"} & set(data):
        template = visible_template(data.get("template_id", campaign.template_id))
        check_survey(template, data["survey_id"] if "survey_id" in data else campaign.survey_id)
    if set(AB_KEYS) & set(data):
        whole = {key: getattr(campaign, key) for key in AB_KEYS} | data
        _check_ab(whole)
        data.update({key: whole[key] for key in data if key in whole})
    check_version(campaign, version)
    with transaction():
        before = snapshot(campaign)
        for key, value in data.items():
            setattr(campaign, key, value.strip() if key == "name" else value)
        audit(actor, campaign, "update", before, snapshot(campaign))
    return campaign


def delete_campaign(campaign: Campaign, actor: User | None, version: int | None = None) -> None:
    """Into the bin — not while it is sending (pause it first)."""
    if campaign.status in ("sending", "scheduled"):
        raise StateError({"status": [_("Pause the campaign before deleting it.")]})
    check_version(campaign, version)
    with transaction():
        before = snapshot(campaign)
        campaign.deleted_at = utcnow()
        audit(actor, campaign, "delete", before, snapshot(campaign))


def _need_transport(campaign: Campaign) -> None:
    """Refuse (503) a campaign its channel cannot send now."""
    config = current_app.config
    if campaign.channel == "sms":
        if not config.get("TRELLIS_SMS_URL") and config.get("TRELLIS_ENV") == "production":
            raise UnavailableError(
                _("No SMS provider is set up (TRELLIS_SMS_URL): texts cannot be sent.")
            )
    elif not config.get("TRELLIS_SMTP_URL"):
        raise UnavailableError(
            _("No SMTP server is set up (TRELLIS_SMTP_URL): e-mail cannot be sent.")
        )


def _move(campaign: Campaign, action: str, actor: User | None, **values) -> Campaign:
    target = CAMPAIGN.move(campaign.status, action)
    with transaction():
        before = snapshot(campaign)
        campaign.status = target
        for key, value in values.items():
            setattr(campaign, key, value)
        audit(actor, campaign, action, before, snapshot(campaign))
    return campaign


def schedule(campaign: Campaign, payload: dict, actor: User | None, base_url: str) -> Campaign:
    """Send at ``send_at`` (in the future); the periodic job starts it."""
    data = load(MarketingScheduleInput(), payload)
    send_at: datetime = data["send_at"]
    if send_at <= utcnow():
        raise ValidationError({"send_at": [_("Choose a time in the future.")]})
    CAMPAIGN.move(campaign.status, "schedule")
    _need_transport(campaign)
    return _move(campaign, "schedule", actor, send_at=send_at, base_url=base_url[:300])


def send_now(campaign: Campaign, actor: User | None, base_url: str) -> Campaign:
    """Start sending now: recipients decided, the sending job queued."""
    CAMPAIGN.move(campaign.status, "send")
    _need_transport(campaign)
    if not campaign.base_url:
        with transaction():
            campaign.base_url = base_url[:300]
    before = snapshot(campaign)
    sending.start(campaign)
    with transaction():
        audit(actor, campaign, "send", before, snapshot(campaign))
    enqueue(SEND_JOB, campaign_id=campaign.id)
    db.session.refresh(campaign)
    return campaign


def pause(campaign: Campaign, actor: User | None) -> Campaign:
    return _move(campaign, "pause", actor)


def cancel(campaign: Campaign, actor: User | None) -> Campaign:
    return _move(campaign, "cancel", actor)


def send_test(campaign: Campaign, actor: User, base_url: str, to: str | None = None) -> dict:
    """The campaign's message, written for its first recipient-to-be (or a
    sample), sent now to ``actor``'s own address only — once per subject of
    an A/B test — or, for an SMS campaign, to the mobile number ``to`` the
    actor gives (users have no phone in Trellis; a 422 naming ``to`` without
    a mobile number). Its unsubscribe link leads nowhere (a test has no
    recipient)."""
    _need_transport(campaign)
    number = sms_number(to) if campaign.channel == "sms" else None
    if campaign.channel == "sms" and number is None:
        raise ValidationError({"to": [_("Enter the mobile number to send the test to.")]})
    first = None
    try:
        first = db.session.scalar(segments.members_query(campaign.segment, actor).limit(1))
    except ValidationError:
        first = None
    customer = first.name if first else _("Sample customer")
    contact = first.contacts[0].name if first and first.contacts else None
    owner = first.owner.name if first and first.owner else actor.name
    unsubscribe = f"{base_url.rstrip('/')}/m/u/test"
    values = merge_values(customer, contact, owner, unsubscribe)
    template = campaign.template
    if number is not None:
        text = TextWriter(template.text(campaign.language), campaign.language).write(values)
        try:
            message_id = sms_gateway().send(number, _("[Test] %(subject)s", subject=text))
        except SmsError as exc:
            message = _("The test SMS was not sent: %(error)s", error=str(exc))
            raise UnavailableError(message) from exc
        return {"to": number, "message_id": message_id}
    body = template.body(campaign.language)
    subjects = [template.subject(campaign.language)]
    if campaign.ab_test:  # an A/B test's both subjects, one message each
        subjects.append(campaign.subject_b or "")
    try:
        with Mailer() as mailer:
            for source in subjects:
                subject, html, text = Writer(source, body).write(values)
                message_id = mailer.send(
                    actor.email, _("[Test] %(subject)s", subject=subject), text=text, html=html
                )
    except MailError as exc:
        message = _("The test e-mail was not sent: %(error)s", error=str(exc))
        raise UnavailableError(message) from exc
    return {"to": actor.email, "message_id": message_id}
