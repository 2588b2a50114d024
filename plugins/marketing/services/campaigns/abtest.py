"""An A/B test of an e-mail campaign's subject, as Mailchimp and HubSpot run
one: a test group of ``test_percent`` of the recipients, drawn at random, is
split in half — one half gets the template's subject (``a``), the other the
campaign's ``subject_b`` (``b``) — and the rest are ``held``. Once
``test_hours`` have passed since sending started and the test group is all
sent, the subject with the better open rate (or click rate: ``winner_by``)
wins — a tie goes to the template's own — and the held recipients are queued
to get it (their ``variant`` stays empty, so the figures per subject are the
test group's alone). The draw is seeded by the campaign's id, so it is the same on every
machine and in every test run.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update

from core.api import db, transaction, utcnow

from ...models import Campaign, Recipient

#: ids changed per UPDATE statement
CHUNK = 500


def split(campaign: Campaign) -> dict[str, int]:
    """Draw the test group of ``campaign``'s recipient rows (in the caller's
    transaction): half ``a``, half ``b``, the rest ``held``; how many of each."""
    if not campaign.ab_test:
        return {}
    ids = list(
        db.session.scalars(
            select(Recipient.id)
            .where(Recipient.campaign_id == campaign.id, Recipient.status == "queued")
            .order_by(Recipient.id)
        )
    )
    random.Random(campaign.id).shuffle(ids)
    half = max(1, round(len(ids) * campaign.test_percent / 200)) if len(ids) > 1 else 0
    groups = {"a": ids[:half], "b": ids[half : 2 * half]}
    held = ids[2 * half :]
    for variant, members in groups.items():
        _set(members, variant=variant)
    _set(held, status="held")
    return {"a": len(groups["a"]), "b": len(groups["b"]), "held": len(held)}


def _set(ids: list[int], **values) -> None:
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            update(Recipient)
            .where(Recipient.id.in_(ids[start : start + CHUNK]))
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )


def figures(campaign: Campaign) -> dict[str, dict]:
    """Per subject (``a``, ``b``): sent, opened, clicked and their rates."""
    rows = db.session.execute(
        select(
            Recipient.variant,
            func.count(case((Recipient.status == "sent", 1))),
            func.count(Recipient.opened_at),
            func.count(Recipient.clicked_at),
        )
        .where(Recipient.campaign_id == campaign.id, Recipient.variant.is_not(None))
        .group_by(Recipient.variant)
    )
    found = {variant: (sent, opened, clicked) for variant, sent, opened, clicked in rows}
    out = {}
    for variant in ("a", "b"):
        sent, opened, clicked = found.get(variant, (0, 0, 0))
        out[variant] = {
            "sent": sent,
            "opened": opened,
            "clicked": clicked,
            "open_rate": round(opened / sent, 4) if sent else None,
            "click_rate": round(clicked / sent, 4) if sent else None,
        }
    return out


def decided_at(campaign: Campaign) -> datetime | None:
    """When the test may be decided: ``test_hours`` after sending started."""
    if campaign.started_at is None:
        return None
    return campaign.started_at + timedelta(hours=campaign.test_hours)


def _test_in_flight(campaign: Campaign) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Recipient.id)).where(
                Recipient.campaign_id == campaign.id,
                Recipient.variant.is_not(None),
                Recipient.status.in_(("queued", "sending")),
            )
        )
    )


def pick_winner(campaign: Campaign, now: datetime | None = None) -> str | None:
    """Decide ``campaign``'s test if its time has come and its test group is
    all sent: the winner (``a`` or ``b``), the held recipients queued for it;
    None while the test runs (or when there is none)."""
    if not campaign.ab_test or campaign.winner or campaign.status != "sending":
        return None
    due = decided_at(campaign)
    if due is None or (now or utcnow()) < due or _test_in_flight(campaign):
        return None
    rate = f"{campaign.winner_by}_rate"
    scores = figures(campaign)
    a, b = (scores[v][rate] or 0 for v in ("a", "b"))
    winner = "b" if b > a else "a"
    with transaction():
        campaign.winner, campaign.winner_at = winner, utcnow()
        db.session.execute(
            update(Recipient)
            .where(Recipient.campaign_id == campaign.id, Recipient.status == "held")
            .values(status="queued", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return winner


def pick_winners(now: datetime | None = None) -> list[int]:
    """Decide every sending campaign's test whose time has come; their ids."""
    testing = db.session.scalars(
        select(Campaign).where(
            Campaign.status == "sending",
            Campaign.test_percent > 0,
            Campaign.winner.is_(None),
            Campaign.deleted_at.is_(None),
        )
    ).all()
    return [c.id for c in testing if pick_winner(c, now)]
