"""``/api/v1/marketing``: e-mail and SMS templates (``templates``), campaigns
(``campaigns``; ``…/test``, ``…/schedule``, ``…/send``, ``…/pause``,
``…/cancel``, ``…/results``, ``…/recipients``) and suppressing an address
(``unsubscribe``).

Reading takes ``marketing.campaign.read``; saving templates and campaigns
``marketing.campaign.write``; scheduling, sending, pausing, cancelling and
suppressing ``marketing.campaign.send``. A campaign is seen through core's
scoped query (its owner, their team's manager, whoever sees everything).
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Campaign, CampaignTemplate, Recipient
from ..schemas import MarketingSegmentArgs
from ..schemas.campaign import (
    MarketingCampaignArgs,
    MarketingCampaignChange,
    MarketingCampaignInput,
    MarketingCampaignOut,
    MarketingRecipientArgs,
    MarketingRecipientOut,
    MarketingResultsOut,
    MarketingScheduleInput,
    MarketingTemplateChange,
    MarketingTemplateInput,
    MarketingTemplateOut,
    MarketingTestInput,
    MarketingTestOut,
    MarketingUnsubscribeInput,
    MarketingUnsubscribeOut,
)
from ..services.campaigns import lifecycle, results, templates, tracking
from . import bp

TEMPLATE_SORTABLE = {"name": CampaignTemplate.name, "updated_at": CampaignTemplate.updated_at}
CAMPAIGN_SORTABLE = {
    "name": Campaign.name,
    "send_at": Campaign.send_at,
    "created_at": Campaign.created_at,
    "updated_at": Campaign.updated_at,
}
RECIPIENT_SORTABLE = {
    "email": Recipient.email,
    "phone": Recipient.phone,
    "sent_at": Recipient.sent_at,
    "id": Recipient.id,
}
STALE = {"409": {"description": "the version sent is not the current one"}}
MOVE = {"409": {"description": "not possible in the campaign's state"}}
NO_SMTP = {"503": {"description": "no SMTP server is set up"}}
#: what JSON Schema cannot say of a template, answered 422 naming the column
TEMPLATE_RULES = field_rules(
    (
        ("subject_en", "body_en", "subject_zh_CN", "body_zh_CN", "text_en", "text_zh_CN"),
        "a subject, a body and an SMS text name only the merge fields customer.name,"
        " contact.name, owner.name and unsubscribe_url, in Jinja syntax; an e-mail template"
        " has a subject and a body in a language or neither, an SMS template only texts;"
        " at least one language has them; an SMS text takes at most 5 SMS parts with the"
        " opt-out line",
    ),
    (("channel",), "a template's channel cannot be changed"),
)
CAMPAIGN_RULES = field_rules(
    (("language", "template_id"), "the template has a subject and a body in the language"),
    (("template_id", "channel"), "the template is written for the campaign's channel"),
)


def _body(schema):
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


@bp.route("/templates", methods=["GET"])
@bp.arguments(sorted_by(MarketingSegmentArgs, TEMPLATE_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingTemplateOut, "MarketingTemplatePage"))
def list_templates(args):
    """The e-mail templates (``q``: part of the name)."""
    require("marketing.campaign.read")
    return paginate(templates.search_templates(args), args, TEMPLATE_SORTABLE, "name")


@bp.route("/templates", methods=["POST"])
@bp.doc(**_body(MarketingTemplateInput), **TEMPLATE_RULES)
@bp.response(201, MarketingTemplateOut)
def create_template():
    """A new template; an unknown merge field is a 422 naming the column."""
    require("marketing.campaign.write")
    return templates.create_template(json_body(), current_user)


@bp.route("/templates/<int:email_template_id>", methods=["GET"])
@bp.response(200, MarketingTemplateOut)
def get_template(email_template_id: int):
    require("marketing.campaign.read")
    return templates.visible_template(email_template_id)


@bp.route("/templates/<int:email_template_id>", methods=["PATCH"])
@bp.doc(responses=STALE, **_body(MarketingTemplateChange), **TEMPLATE_RULES)
@bp.response(200, MarketingTemplateOut)
def update_template(email_template_id: int):
    require("marketing.campaign.write")
    template = templates.visible_template(email_template_id)
    payload = dict(json_body())
    version = expected_version(payload)
    return templates.update_template(template, payload, current_user, version)


@bp.route("/templates/<int:email_template_id>", methods=["DELETE"])
@bp.doc(responses=STALE)
@bp.response(204)
def delete_template(email_template_id: int):
    require("marketing.campaign.write")
    template = templates.visible_template(email_template_id)
    templates.delete_template(template, current_user, expected_version({}))


@bp.route("/campaigns", methods=["GET"])
@bp.arguments(
    sorted_by(MarketingCampaignArgs, CAMPAIGN_SORTABLE), location="query", as_kwargs=False
)
@bp.response(200, page_schema(MarketingCampaignOut, "MarketingCampaignPage"))
def list_campaigns(args):
    """The campaigns the caller may see (``q``: part of the name; ``status``)."""
    require("marketing.campaign.read")
    query = lifecycle.search_campaigns(current_user, args)
    return paginate(query, args, CAMPAIGN_SORTABLE, "-created_at")


@bp.route("/campaigns", methods=["POST"])
@bp.doc(**_body(MarketingCampaignInput), **CAMPAIGN_RULES)
@bp.response(201, MarketingCampaignOut)
def create_campaign():
    """A draft campaign of a segment the caller sees and a template."""
    require("marketing.campaign.write")
    return lifecycle.create_campaign(json_body(), current_user)


@bp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@bp.response(200, MarketingCampaignOut)
def get_campaign(campaign_id: int):
    require("marketing.campaign.read")
    return lifecycle.visible_campaign(campaign_id, current_user)


@bp.route("/campaigns/<int:campaign_id>", methods=["PATCH"])
@bp.doc(responses={**STALE, **MOVE}, **_body(MarketingCampaignChange), **CAMPAIGN_RULES)
@bp.response(200, MarketingCampaignOut)
def update_campaign(campaign_id: int):
    """Change a campaign that has not started sending."""
    require("marketing.campaign.write")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return lifecycle.update_campaign(campaign, payload, current_user, version)


@bp.route("/campaigns/<int:campaign_id>", methods=["DELETE"])
@bp.doc(responses={**STALE, **MOVE})
@bp.response(204)
def delete_campaign(campaign_id: int):
    require("marketing.campaign.write")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    lifecycle.delete_campaign(campaign, current_user, expected_version({}))


@bp.route("/campaigns/<int:campaign_id>/test", methods=["POST"])
@bp.doc(
    responses=NO_SMTP,
    **_body(MarketingTestInput),
    **field_rules((("to",), "an SMS campaign's test goes to a valid mobile number")),
)
@bp.response(200, MarketingTestOut)
def test_campaign(campaign_id: int):
    """Send the campaign's e-mail now to the caller's own address only; an
    SMS campaign's text to the mobile number ``to`` of the body."""
    require("marketing.campaign.write")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    body = request.get_json(silent=True)
    to = body.get("to") if isinstance(body, dict) and isinstance(body.get("to"), str) else None
    return lifecycle.send_test(campaign, current_user, request.url_root, to)


@bp.route("/campaigns/<int:campaign_id>/schedule", methods=["POST"])
@bp.doc(responses={**MOVE, **NO_SMTP}, **_body(MarketingScheduleInput))
@bp.response(200, MarketingCampaignOut)
def schedule_campaign(campaign_id: int):
    """Start sending at ``send_at`` (recipients are decided then)."""
    require("marketing.campaign.send")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    return lifecycle.schedule(campaign, json_body(), current_user, request.url_root)


@bp.route("/campaigns/<int:campaign_id>/send", methods=["POST"])
@bp.doc(responses={**MOVE, **NO_SMTP})
@bp.response(200, MarketingCampaignOut)
def send_campaign(campaign_id: int):
    """Start sending now: the recipients are decided and a worker sends."""
    require("marketing.campaign.send")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    return lifecycle.send_now(campaign, current_user, request.url_root)


@bp.route("/campaigns/<int:campaign_id>/pause", methods=["POST"])
@bp.doc(responses=MOVE)
@bp.response(200, MarketingCampaignOut)
def pause_campaign(campaign_id: int):
    """Stop sending (or hold a scheduled start); ``send`` resumes."""
    require("marketing.campaign.send")
    return lifecycle.pause(lifecycle.visible_campaign(campaign_id, current_user), current_user)


@bp.route("/campaigns/<int:campaign_id>/cancel", methods=["POST"])
@bp.doc(responses=MOVE)
@bp.response(200, MarketingCampaignOut)
def cancel_campaign(campaign_id: int):
    require("marketing.campaign.send")
    return lifecycle.cancel(lifecycle.visible_campaign(campaign_id, current_user), current_user)


@bp.route("/campaigns/<int:campaign_id>/results", methods=["GET"])
@bp.response(200, MarketingResultsOut)
def campaign_results(campaign_id: int):
    """Recipients per state, opens, clicks, unsubscribes and their rates."""
    require("marketing.campaign.read")
    return results.results(lifecycle.visible_campaign(campaign_id, current_user), current_user)


@bp.route("/campaigns/<int:campaign_id>/recipients", methods=["GET"])
@bp.arguments(
    sorted_by(MarketingRecipientArgs, RECIPIENT_SORTABLE), location="query", as_kwargs=False
)
@bp.response(200, page_schema(MarketingRecipientOut, "MarketingRecipientPage"))
def list_recipients(args, campaign_id: int):
    """The campaign's recipients (``status``; ``q``: part of the address)."""
    require("marketing.campaign.read")
    campaign = lifecycle.visible_campaign(campaign_id, current_user)
    return paginate(results.recipients_query(campaign, args), args, RECIPIENT_SORTABLE, "id")


@bp.route("/unsubscribe", methods=["POST"])
@bp.doc(
    **_body(MarketingUnsubscribeInput),
    **field_rules(
        (("email", "phone"), "exactly one of an e-mail address and a phone number"),
        (("phone",), "a valid phone number"),
    ),
)
@bp.response(200, MarketingUnsubscribeOut)
def unsubscribe():
    """Suppress an address or a mobile number (an unsubscribe by phone or
    letter, a "TD" reply, a complaint): no campaign sends to it again."""
    require("marketing.campaign.send")
    return tracking.suppress_address(json_body(), current_user)
