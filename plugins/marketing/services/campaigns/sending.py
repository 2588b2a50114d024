"""Sending a campaign: a worker job, in batches over one connection (an
SMTP server's, or the SMS provider's: ``.transports``), at the campaign's
rate — and never the same address or number twice.

How "never twice" holds:

1. one recipient row per (campaign, address), unique in the database;
2. a row is sent only by the run that *claimed* it: a conditional UPDATE
   ``queued → sending … WHERE status = 'queued'`` committed before the
   message goes out; a second worker (or a restarted one) finds it taken;
3. once the server has taken the message the row is marked ``sent``.

The one message in flight when a worker dies is sent **at most once**: a
row left ``sending`` (claimed, never marked) may or may not have reached
the server, so it is not sent again — after :data:`INTERRUPTED_AFTER` it is
marked ``failed`` ("interrupted") for people to see. We chose at-most-once:
a duplicate marketing e-mail annoys a customer and cannot be taken back; a
lost one shows in the results. Failures that certainly sent nothing (no
server, a 4xx answer, the connection lost before the message's data; an
SMS provider's "too many requests") put the row back to ``queued`` and stop
the run: the campaign stays ``sending`` and the next run (the periodic job,
every minute) resumes where this one stopped. A refused address — an
e-mail's 550–554 bounce, a number the SMS provider rejects — makes the row
``bounced`` and suppresses the address or number for every later campaign;
another refusal fails that one message (``failed``) and the run goes on.
The protocol is the same for both channels: only the transport differs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from core.api import Contact, Customer, User, db, new_tracking_token, transaction, utcnow

from ...models import Campaign, Recipient
from ...models.campaign import CAMPAIGN
from . import abtest, links
from .merge import merge_values
from .recipients import resolve, still_allowed, suppress
from .surveys import survey_url
from .transports import EmailTransport, NotSent, SmsTransport, transport_for

#: recipients read, checked and sent per round (over the same connection)
BATCH = 50
#: a row claimed this long ago and never marked was interrupted: not resent
INTERRUPTED_AFTER = timedelta(minutes=10)


class Stopped(Exception):
    """The run stops: the server is away; the campaign resumes later."""


def start(campaign: Campaign) -> int:
    """Move ``campaign`` to ``sending`` and, the first time, decide its
    recipients — in one transaction; how many were added (a paused
    campaign resumes with the recipients it had)."""
    with transaction():
        campaign.status = CAMPAIGN.move(campaign.status, "send")
        first = campaign.started_at is None
        campaign.started_at = campaign.started_at or utcnow()
        count = resolve(campaign) if first else 0
        if first:
            abtest.split(campaign)
    return count


def start_due(now=None) -> list[int]:
    """Start every scheduled campaign whose time has come; their ids."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Campaign).where(
            Campaign.status == "scheduled", Campaign.send_at <= now, Campaign.deleted_at.is_(None)
        )
    ).all()
    for campaign in due:
        start(campaign)
    return [c.id for c in due]


def _settle_interrupted(campaign_id: int) -> int:
    """Rows a dead worker claimed and never marked: failed, not resent."""
    result = db.session.execute(
        update(Recipient)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.status == "sending",
            Recipient.claimed_at < utcnow() - INTERRUPTED_AFTER,
        )
        .values(
            status="failed",
            error="interrupted while sending; not sent again, so as never to send twice",
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return getattr(result, "rowcount", 0) or 0


def _update(recipient_id: int, was: str, **values) -> bool:
    """Move one row from ``was`` (a conditional UPDATE, not committed)."""
    result = db.session.execute(
        update(Recipient)
        .where(Recipient.id == recipient_id, Recipient.status == was)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def _mark(recipient_id: int, was: str, **values) -> bool:
    """Move one row from ``was`` and commit."""
    moved = _update(recipient_id, was, **values)
    db.session.commit()
    return moved


class Ledger:
    """The ``sent`` marks not committed yet. Each goes out with the next
    claim, in the same commit — a message costs one commit, not two — and
    the rest when the run ends. A worker killed between a message's hand-over
    and that commit leaves it ``sending``: in doubt, like the one in flight,
    so never sent again (at most one row of a run is ever in doubt)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, datetime]] = []

    def write(self) -> None:
        for recipient_id, message_id, at in self.sent:
            _update(recipient_id, "sending", status="sent", sent_at=at, message_id=message_id)
        self.sent.clear()

    def commit(self) -> None:
        self.write()
        db.session.commit()


def _claim(recipient: Due, token_hash: str, ledger: Ledger) -> bool:
    ledger.write()
    claimed = _update(
        recipient.id,
        "queued",
        status="sending",
        claimed_at=utcnow(),
        token_hash=token_hash,
        attempts=recipient.attempts + 1,
    )
    db.session.commit()
    return claimed


def _names(batch: list[Due]) -> tuple[dict, dict]:
    """(customer id → (name, owner's name), contact id → name) for a batch."""
    customers = {
        row[0]: (row[1], row[2])
        for row in db.session.execute(
            select(Customer.id, Customer.name, User.name)
            .outerjoin(User, User.id == Customer.owner_id)
            .where(Customer.id.in_([r.customer_id for r in batch if r.customer_id]))
        )
    }
    contacts = dict(
        db.session.execute(
            select(Contact.id, Contact.name).where(
                Contact.id.in_([r.contact_id for r in batch if r.contact_id])
            )
        ).all()
    )
    return customers, contacts


@dataclass(frozen=True)
class Due:
    """What sending needs of a queued recipient row, read once: a commit
    expires the ORM objects, and reloading each after every claim cost a
    query or two a message."""

    id: int
    customer_id: int | None
    contact_id: int | None
    email: str | None
    phone: str | None
    attempts: int
    #: the subject of an A/B test it gets (``a``, ``b``), or None
    variant: str | None

    @property
    def address(self) -> str:
        return self.phone or self.email or ""


@dataclass(frozen=True)
class Sending:
    """The campaign as a run sends it (read once, for the same reason)."""

    id: int
    owner_id: int | None
    channel: str
    language: str
    base_url: str
    survey_id: int | None


def _next_batch(campaign_id: int, size: int) -> list[Due]:
    rows = db.session.execute(
        select(
            Recipient.id,
            Recipient.customer_id,
            Recipient.contact_id,
            Recipient.email,
            Recipient.phone,
            Recipient.attempts,
            Recipient.variant,
        )
        .where(Recipient.campaign_id == campaign_id, Recipient.status == "queued")
        .order_by(Recipient.id)
        .limit(size)
    )
    return [Due(*row) for row in rows]


def _send_one(
    transport: EmailTransport | SmsTransport,
    campaign: Sending,
    recipient: Due,
    names: tuple[dict, dict],
    ledger: Ledger,
) -> bool:
    """Claim, write and send one recipient's message; whether it was sent."""
    token, token_hash = new_tracking_token()
    if not _claim(recipient, token_hash, ledger):
        return False  # another run has it
    customers, contacts = names
    customer, owner = customers.get(recipient.customer_id, ("", None))
    unsubscribe = links.unsubscribe_url(campaign.base_url, token)
    survey = survey_url(campaign, recipient, campaign.language)
    if survey:
        db.session.commit()  # the invitation exists before its link goes out
    values = merge_values(customer, contacts.get(recipient.contact_id), owner, unsubscribe, survey)
    try:
        message_id = transport.send(recipient, values, token)
    except NotSent as exc:
        error = str(exc)[:500]
        if exc.kind == "rejected":  # the address or number itself: never again
            _mark(recipient.id, "sending", status="bounced", error=error)
            with transaction():
                suppress(transport.channel, recipient.address, transport.rejected_reason, error)
            return False
        if exc.kind == "failed":  # refused for good, not for the address's sake
            _mark(recipient.id, "sending", status="failed", error=error)
            return False
        if exc.kind == "deferred":  # certainly not handed over: back in the queue
            _mark(recipient.id, "sending", status="queued", error=error, claimed_at=None)
        else:  # it may have reached the server: never again (at most once)
            _mark(recipient.id, "sending", status="failed", error=error)
        raise Stopped(error) from exc
    ledger.sent.append((recipient.id, message_id[:200], utcnow()))
    return True


def _finish_if_done(campaign: Campaign) -> bool:
    """``sent`` once no row waits, is in flight or is held for an A/B test's winner."""
    left = db.session.scalar(
        select(func.count(Recipient.id)).where(
            Recipient.campaign_id == campaign.id,
            Recipient.status.in_(("queued", "sending", "held")),
        )
    )
    if left:
        return False
    with transaction():
        campaign.status = CAMPAIGN.move(campaign.status, "finish")
        campaign.finished_at = utcnow()
    return True


def run(campaign_id: int, budget: int | None = None, pace: bool = True) -> str:
    """One sending run of a campaign (the job): up to ``budget`` messages
    (default: a minute's worth, ``rate``), paced to ``rate`` a minute."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "sending":
        return "not sending"
    _settle_interrupted(campaign.id)
    budget = budget or campaign.rate
    rate = campaign.rate
    plan = Sending(
        campaign.id,
        campaign.owner_id,
        campaign.channel,
        campaign.language,
        campaign.base_url or "",
        campaign.survey_id,
    )
    sent = tried = 0
    began = time.monotonic()
    ledger = Ledger()
    try:
        try:
            with transport_for(campaign) as transport:
                while tried < budget:
                    batch = _next_batch(campaign.id, min(BATCH, budget - tried))
                    if not batch:
                        break
                    keep, refused = still_allowed(batch, campaign.channel)
                    for recipient_id, why in refused.items():
                        _update(recipient_id, "queued", status="skipped", error=why)
                    names = _names(keep)
                    for recipient in keep:
                        sent += _send_one(transport, plan, recipient, names, ledger)
                    tried += len(batch)
                    ledger.commit()
                    if pace and tried < budget:
                        ahead = tried * 60 / rate - (time.monotonic() - began)
                        if ahead > 0:
                            time.sleep(ahead)
                    db.session.refresh(campaign)
                    if campaign.status != "sending":  # paused meanwhile
                        return f"{sent} sent, then paused"
        finally:
            ledger.commit()
    except (NotSent, Stopped) as exc:
        db.session.rollback()
        with transaction():
            campaign.last_error = str(exc)[:500]
        return f"{sent} sent, stopped: {exc}"
    if campaign.last_error:
        with transaction():
            campaign.last_error = None
    done = _finish_if_done(campaign)
    return f"{sent} sent" + (", campaign done" if done else "")


def run_sending() -> str:
    """The periodic job: start the campaigns that are due, decide the A/B
    tests whose time has come, then one run of each campaign that is sending."""
    started = start_due()
    abtest.pick_winners()
    sending = db.session.scalars(
        select(Campaign.id).where(Campaign.status == "sending", Campaign.deleted_at.is_(None))
    ).all()
    outcomes = [f"#{cid}: {run(cid)}" for cid in sending]
    return f"{len(started)} started; " + "; ".join(outcomes)
