"""A demo e-mail template and a demo SMS template, each in both languages,
and a draft campaign of each to the key accounts (the e-mail one A/B-tests
a second subject on a fifth of them): ready for a test send
once an SMTP server (or SMS provider) is set up (the demo sends nothing by
itself)."""

from __future__ import annotations

from core.api import User, db

from ..models import Campaign, CampaignTemplate, Segment

TEMPLATE = {
    "name": "Spring fair invitation / 春季展会邀请",
    "subject_en": "{{ customer.name }}, you are invited to our spring fair",
    "body_en": (
        "<p>Dear {{ contact.name }},</p><p>We would be glad to welcome you at our spring fair."
        "</p><p>{{ owner.name }}</p>"
        '<p><small><a href="{{ unsubscribe_url }}">Unsubscribe</a></small></p>'
    ),
    "subject_zh_CN": "{{ customer.name }}，诚邀您参加春季展会",
    "body_zh_CN": (
        "<p>尊敬的{{ contact.name }}：</p><p>诚邀您莅临我们的春季展会。</p>"
        "<p>{{ owner.name }}</p>"
        '<p><small><a href="{{ unsubscribe_url }}">退订</a></small></p>'
    ),
}
NAMES = {"en": "Spring fair invitation", "zh_CN": "春季展会邀请"}
SMS_TEMPLATE = {
    "name": "Spring fair reminder (SMS) / 春季展会短信提醒",
    "channel": "sms",
    "text_en": "{{ customer.name }}: our spring fair opens on Friday. We look forward to "
    "seeing you! {{ owner.name }}",
    "text_zh_CN": "【春季展会】{{ customer.name }}，我们的春季展会周五开幕，"
    "期待您的光临！{{ owner.name }}",
}
SMS_NAMES = {"en": "Spring fair SMS reminder", "zh_CN": "春季展会短信提醒"}
#: the e-mail campaign's A/B test: a second subject, in the campaign's language
SUBJECT_B = {
    "en": "Free tasting at our spring fair, {{ customer.name }}",
    "zh_CN": "{{ customer.name }}，春季展会免费品鉴等您来",
}


def load_demo_campaign(locale: str, segment: Segment, owner: User | None) -> None:
    language = "zh_CN" if locale.startswith("zh") else "en"
    for content, names in ((TEMPLATE, NAMES), (SMS_TEMPLATE, SMS_NAMES)):
        template = CampaignTemplate(**content, owner_id=owner.id if owner else None)
        db.session.add(template)
        db.session.flush()
        db.session.add(
            Campaign(
                name=names[language],
                segment_id=segment.id,
                template_id=template.id,
                language=language,
                channel=template.channel,
                status="draft",
                **(
                    {"subject_b": SUBJECT_B[language], "test_percent": 20, "test_hours": 4}
                    if template.channel == "email"
                    else {}
                ),
                owner_id=owner.id if owner else None,
                team_id=owner.team_id if owner else None,
            )
        )
    db.session.flush()
