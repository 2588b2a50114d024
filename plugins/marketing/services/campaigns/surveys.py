"""A survey sent by campaign: a campaign names a survey and its template
links to it with ``{{ survey_url }}``; each recipient's message carries an
invitation of their own (occasion ``campaign:<id>``), made when their
message is written.

The invitation rides on the campaign's consent: the message is a marketing
e-mail its recipient agreed to, so no separate research consent is asked
(a survey sent on its own, from the survey's page, asks for that). A
message that is retried — the server was away, it certainly did not go —
gets a new token on the same invitation: the old link was never sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api import Customer, NotFoundError, db, new_tracking_token, refuse, translator, utcnow

from ...models import Campaign, CampaignTemplate, SurveyInvitation
from ..surveys.definitions import get_survey
from .merge import fields_named

_, _l = translator("marketing")


def occasion(campaign: Campaign) -> str:
    return f"campaign:{campaign.id}"


def links_survey(template: CampaignTemplate) -> bool:
    """Whether any text of ``template`` names ``{{ survey_url }}``."""
    sources = [
        getattr(template, name, None)
        for name in (
            "subject_en",
            "body_en",
            "subject_zh_CN",
            "body_zh_CN",
            "text_en",
            "text_zh_CN",
        )
    ]
    return any("survey_url" in fields_named(s) for s in sources if s)


def check_survey(template: CampaignTemplate | None, survey_id: int | None) -> None:
    """A campaign's survey is a live, open survey and its template links to
    it — and a template that links to a survey has one to link to; each
    refusal names ``survey_id`` (404 for an unknown survey, else 422)."""
    if survey_id is not None:
        try:
            survey = get_survey(survey_id)
        except NotFoundError:
            refuse({}, missing={"survey_id": [_("Unknown survey.")]})
            return
        if survey.status != "active":
            refuse(state={"survey_id": [_("This survey is closed.")]})
    if template is None:
        return
    linked = links_survey(template)
    if linked and survey_id is None:
        refuse({"survey_id": [_("The template links to a survey: choose which.")]})
    if survey_id is not None and not linked:
        refuse({"survey_id": [_("The template has no {{ survey_url }} link to the survey.")]})


def survey_url(campaign: Any, recipient: Any, language: str) -> str | None:
    """The link to ``recipient``'s invitation to the campaign's survey
    (``campaign`` and ``recipient``: the rows or what sending read of them)
    (made or given a new token now, in the caller's transaction); None when
    the campaign names no survey."""
    if campaign.survey_id is None or recipient.customer_id is None:
        return None
    token, token_hash = new_tracking_token()
    invitation = db.session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.survey_id == campaign.survey_id,
            SurveyInvitation.customer_id == recipient.customer_id,
            SurveyInvitation.occasion == occasion(campaign),
        )
    )
    if invitation is None:
        customer = db.session.get(Customer, recipient.customer_id)
        invitation = SurveyInvitation(
            survey_id=campaign.survey_id,
            customer_id=recipient.customer_id,
            occasion=occasion(campaign),
            owner_id=customer.owner_id if customer else None,
            team_id=customer.team_id if customer else None,
            language=language,
            channel=campaign.channel,
            created_by_id=campaign.owner_id,
        )
        db.session.add(invitation)
    invitation.token_hash = token_hash
    invitation.sent_to = recipient.address
    invitation.sent_at = utcnow()
    db.session.flush()
    return f"{(campaign.base_url or '').rstrip('/')}/m/s/{token}"
