"""Templates (e-mail and SMS): a library every user who may see campaigns
shares; changed by their author (or someone who sees every record). A
template's merge fields are checked on every save
(:func:`.merge.check_template`), an SMS text's length too
(:func:`.texts.check_lengths`); its channel is fixed once saved."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.api import (
    ForbiddenError,
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    db,
    load,
    sees_all,
    snapshot,
    text_contains,
    transaction,
    translator,
    utcnow,
)

from ...models import CampaignTemplate
from ...schemas.campaign import MarketingTemplateChange, MarketingTemplateInput
from .merge import check_template
from .texts import check_lengths

_, _l = translator("marketing")
#: what a template holds, as its schema reads it
CONTENT = (
    "name",
    "channel",
    "subject_en",
    "body_en",
    "subject_zh_CN",
    "body_zh_CN",
    "text_en",
    "text_zh_CN",
)


def search_templates(args: dict) -> Select:
    query = select(CampaignTemplate).where(CampaignTemplate.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(text_contains(CampaignTemplate.name, args["q"]))
    return query


def visible_template(template_id: int) -> CampaignTemplate:
    template = db.session.scalar(search_templates({}).where(CampaignTemplate.id == template_id))
    if template is None:
        raise NotFoundError(_("template %(id)s not found", id=template_id))
    return template


def may_change(template: CampaignTemplate, user: User | None) -> bool:
    return user is None or sees_all(user) or template.owner_id == user.id


def _cleaned(data: dict) -> dict:
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip() or (None if key != "name" else "")
    return data


def create_template(payload: dict, actor: User | None) -> CampaignTemplate:
    data = _cleaned(load(MarketingTemplateInput(), payload))
    check_template(data)
    check_lengths(data)
    with transaction():
        template = CampaignTemplate(**data, owner_id=actor.id if actor else None)
        db.session.add(template)
        db.session.flush()
        audit(actor, template, "create", None, snapshot(template))
    return template


def update_template(
    template: CampaignTemplate, payload: dict, actor: User | None, version: int | None = None
) -> CampaignTemplate:
    if not may_change(template, actor):
        raise ForbiddenError(_("Only the template's author may change it."))
    data = _cleaned(load(MarketingTemplateChange(), payload, partial=True))
    version = data.pop("version", version)
    if data.get("channel", template.channel) != template.channel:
        raise ValidationError({"channel": [_("A template's channel cannot be changed.")]})
    check_template(data)
    check_lengths(data)
    check_version(template, version)
    whole = {key: data.get(key, getattr(template, key)) for key in CONTENT}
    load(MarketingTemplateInput(), whole)  # the template as it would be: still sendable
    with transaction():
        before = snapshot(template)
        for key, value in data.items():
            setattr(template, key, value)
        audit(actor, template, "update", before, snapshot(template))
    return template


def delete_template(
    template: CampaignTemplate, actor: User | None, version: int | None = None
) -> None:
    if not may_change(template, actor):
        raise ForbiddenError(_("Only the template's author may change it."))
    check_version(template, version)
    with transaction():
        before = snapshot(template)
        template.deleted_at = utcnow()
        audit(actor, template, "delete", before, snapshot(template))
