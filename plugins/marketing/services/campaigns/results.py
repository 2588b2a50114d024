"""A campaign's figures, counted in the database from its recipient rows.

Rates are over the messages sent (``sent``); an open is the pixel loaded or
a link clicked (the pixel is often blocked, so opens are a floor). The
money the campaign brought is :mod:`.attribution`'s.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import User, customer_live, db, text_contains

from ...models import Campaign, Recipient
from ...models.recipient import RECIPIENT_STATES
from . import abtest
from .attribution import attributed


def results(campaign: Campaign, user: User | None) -> dict:
    """The campaign's figures, its attributed money as ``user`` may see it."""
    by_status = dict.fromkeys(RECIPIENT_STATES, 0)
    rows = db.session.execute(
        select(Recipient.status, func.count(Recipient.id))
        .where(Recipient.campaign_id == campaign.id)
        .group_by(Recipient.status)
    )
    by_status.update({status: count for status, count in rows})
    opened, clicked, unsubscribed = db.session.execute(
        select(
            func.count(Recipient.opened_at),
            func.count(Recipient.clicked_at),
            func.count(Recipient.unsubscribed_at),
        ).where(Recipient.campaign_id == campaign.id)
    ).one()
    sent = by_status["sent"]
    return {
        "recipients": sum(by_status.values()),
        "by_status": by_status,
        "opened": opened,
        "clicked": clicked,
        "unsubscribed": unsubscribed,
        "open_rate": round(opened / sent, 4) if sent else None,
        "click_rate": round(clicked / sent, 4) if sent else None,
        "attributed": attributed(campaign, user),
        "variants": abtest.figures(campaign) if campaign.ab_test else None,
    }


def recipients_query(campaign: Campaign, args: dict) -> Select:
    """The campaign's recipients, filtered by ``status`` (a state, or
    ``opened``/``clicked``/``unsubscribed``) and ``q`` (part of the address);
    a customer in the recycle bin takes their rows with them until restored."""
    query = select(Recipient).where(
        Recipient.campaign_id == campaign.id, customer_live(Recipient.customer_id)
    )
    status = args.get("status")
    if status in ("opened", "clicked", "unsubscribed"):
        query = query.where(getattr(Recipient, f"{status}_at").is_not(None))
    elif status:
        query = query.where(Recipient.status == status)
    if args.get("q"):
        column = Recipient.phone if campaign.channel == "sms" else Recipient.email
        query = query.where(text_contains(column, args["q"]))
    return query
