"""Who a campaign goes to, decided once, when sending starts.

:func:`resolve` walks the segment's members *as the campaign's owner sees
them* (a rep's campaign reaches only the rep's customers) and keeps those
with an address — for e-mail the customer's first e-mail, or else its
primary contact's; for SMS the customer's first valid mobile number (core.api
``sms_number``, E.164), or else its primary contact's — whose customer may
be sent marketing by that channel (core.api ``may_contact(ids, channel,
"marketing")``: nobody by default, only who opted in, less those nobody may
contact), whose address is not suppressed, each address once. It writes one
:class:`Recipient` row per address; the (campaign, address) uniqueness keeps
a second from ever existing.

:func:`still_allowed` asks the same again of a batch just before it is
sent: who unsubscribed, bounced or was deleted meanwhile is skipped, never
mailed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import insert, select

from core.api import Contact, Customer, User, db, may_contact, sms_number, utcnow

from ...models import Campaign, Recipient, Suppression
from ..segments import members_query

#: members read from the database at once
CHUNK = 500


def normal(address: str | None) -> str | None:
    """An address as campaigns compare it (trimmed, lower case), None if unusable."""
    address = (address or "").strip().lower()
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        return None
    return address


#: what each channel's rows are addressed by: (the address column, what makes one usable)
ADDRESSING = {"email": ("email", normal), "sms": ("phone", sms_number)}


def suppressed(channel: str, addresses: Iterable[str]) -> set[str]:
    """Those of ``addresses`` (e-mails, or numbers for ``sms``) no campaign may send to."""
    column = getattr(Suppression, ADDRESSING[channel][0])
    wanted = sorted(set(addresses))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            db.session.scalars(select(column).where(column.in_(wanted[start : start + CHUNK])))
        )
    return found


def suppress(channel: str, address: str, reason: str, note: str | None = None) -> None:
    """Add ``address`` (an e-mail, or an E.164 number for ``sms``) to the
    suppression list (in the caller's transaction); already there: kept
    with its first reason."""
    key, usable = ADDRESSING[channel]
    address = usable(address) or address.strip().lower()
    column = getattr(Suppression, key)
    if db.session.scalar(select(Suppression.id).where(column == address)) is None:
        note = (note or "")[:500] or None
        db.session.add(Suppression(**{key: address}, reason=reason, note=note))
        db.session.flush()


def _members(campaign: Campaign) -> Iterator[list[tuple[int, str, list]]]:
    """The segment's members its owner may see, CHUNK at a time: (id, name,
    e-mails or phones, as the campaign's channel needs)."""
    owner = db.session.get(User, campaign.owner_id) if campaign.owner_id else None
    query = members_query(campaign.segment, owner)
    points = Customer.phones if campaign.channel == "sms" else Customer.emails
    query = query.with_only_columns(Customer.id, Customer.name, points).order_by(Customer.id)
    last = 0
    while True:
        rows = db.session.execute(query.where(Customer.id > last).limit(CHUNK)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [tuple(row) for row in rows]


def _primary_contacts(customer_ids: list[int], channel: str) -> dict[int, tuple[int, str, list]]:
    """Each customer's primary contact (or its first, by name): (id, name,
    e-mails or phones)."""
    points = Contact.phones if channel == "sms" else Contact.emails
    rows = db.session.execute(
        select(Contact.customer_id, Contact.id, Contact.name, points)
        .where(Contact.customer_id.in_(customer_ids), Contact.deleted_at.is_(None))
        .order_by(Contact.customer_id, Contact.is_primary.desc(), Contact.name, Contact.id)
    )
    found: dict[int, tuple[int, str, list]] = {}
    for customer_id, contact_id, name, emails in rows:
        found.setdefault(customer_id, (contact_id, name, emails or []))
    return found


def resolve(campaign: Campaign) -> int:
    """Write the campaign's recipient rows (in the caller's transaction);
    how many were written."""
    channel = campaign.channel
    key, usable = ADDRESSING[channel]
    seen: set[str] = set()
    written = 0
    now = utcnow()
    for chunk in _members(campaign):
        ids = [row[0] for row in chunk]
        allowed = may_contact(ids, channel, "marketing")
        contacts = _primary_contacts([i for i in ids if i in allowed], channel)
        wanted: list[dict] = []
        for customer_id, _name, points in chunk:
            if customer_id not in allowed:
                continue
            contact = contacts.get(customer_id)
            address = next(filter(None, map(usable, points or [])), None)
            if address is None and contact:
                address = next(filter(None, map(usable, contact[2])), None)
            if address is None or address in seen:
                continue
            seen.add(address)
            wanted.append(
                {
                    "campaign_id": campaign.id,
                    "customer_id": customer_id,
                    "contact_id": contact[0] if contact else None,
                    key: address,
                    "status": "queued",
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        blocked = suppressed(channel, (row[key] for row in wanted))
        rows = [row for row in wanted if row[key] not in blocked]
        if rows:
            db.session.execute(insert(Recipient), rows)
            written += len(rows)
    return written


def still_allowed(batch: list[Any], channel: str = "email") -> tuple[list[Any], dict[int, str]]:
    """Of a batch about to be sent by ``channel``, those still allowed; the
    others by id, with why not."""
    ids = [r.customer_id for r in batch if r.customer_id]
    live = set(
        db.session.scalars(
            select(Customer.id).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
        )
    )
    allowed = may_contact(live, channel, "marketing")
    blocked = suppressed(channel, (r.address for r in batch))
    keep, refused = [], {}
    for recipient in batch:
        if recipient.address in blocked:
            refused[recipient.id] = "suppressed"
        elif recipient.customer_id not in live:
            refused[recipient.id] = "customer deleted"
        elif recipient.customer_id not in allowed:
            refused[recipient.id] = (
                f"no marketing {'SMS' if channel == 'sms' else 'e-mail'} consent"
            )
        else:
            keep.append(recipient)
    return keep, refused
