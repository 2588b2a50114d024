"""Who a campaign goes to, decided once, when sending starts.

:func:`resolve` walks the segment's members *as the campaign's owner sees
them* (a rep's campaign reaches only the rep's customers) and keeps those
with an address — the customer's first e-mail, or else its primary
contact's — whose customer may be sent marketing e-mail (core.api
``may_contact(ids, "email", "marketing")``: nobody by default, only who
opted in, less those nobody may contact), whose address is not suppressed,
each address once. It writes one :class:`Recipient` row per address; the
(campaign, address) uniqueness keeps a second from ever existing.

:func:`still_allowed` asks the same again of a batch just before it is
sent: who unsubscribed, bounced or was deleted meanwhile is skipped, never
mailed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import insert, select

from core.api import Contact, Customer, User, db, may_contact, utcnow

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


def suppressed(addresses: Iterable[str]) -> set[str]:
    """Those of ``addresses`` no campaign may send to."""
    wanted = sorted(set(addresses))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            db.session.scalars(
                select(Suppression.email).where(
                    Suppression.email.in_(wanted[start : start + CHUNK])
                )
            )
        )
    return found


def suppress(address: str, reason: str, note: str | None = None) -> None:
    """Add ``address`` to the suppression list (in the caller's transaction);
    already there: kept with its first reason."""
    address = normal(address) or address.strip().lower()
    if db.session.scalar(select(Suppression.id).where(Suppression.email == address)) is None:
        db.session.add(Suppression(email=address, reason=reason, note=(note or "")[:500] or None))
        db.session.flush()


def _members(campaign: Campaign) -> Iterator[list[tuple[int, str, list]]]:
    """The segment's members its owner may see, CHUNK at a time: (id, name, e-mails)."""
    owner = db.session.get(User, campaign.owner_id) if campaign.owner_id else None
    query = members_query(campaign.segment, owner)
    query = query.with_only_columns(Customer.id, Customer.name, Customer.emails).order_by(
        Customer.id
    )
    last = 0
    while True:
        rows = db.session.execute(query.where(Customer.id > last).limit(CHUNK)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [tuple(row) for row in rows]


def _primary_contacts(customer_ids: list[int]) -> dict[int, tuple[int, str, list]]:
    """Each customer's primary contact (or its first, by name): (id, name, e-mails)."""
    rows = db.session.execute(
        select(Contact.customer_id, Contact.id, Contact.name, Contact.emails)
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
    seen: set[str] = set()
    written = 0
    now = utcnow()
    for chunk in _members(campaign):
        ids = [row[0] for row in chunk]
        allowed = may_contact(ids, "email", "marketing")
        contacts = _primary_contacts([i for i in ids if i in allowed])
        wanted: list[dict] = []
        for customer_id, _name, emails in chunk:
            if customer_id not in allowed:
                continue
            contact = contacts.get(customer_id)
            address = next(filter(None, map(normal, emails or [])), None)
            if address is None and contact:
                address = next(filter(None, map(normal, contact[2])), None)
            if address is None or address in seen:
                continue
            seen.add(address)
            wanted.append(
                {
                    "campaign_id": campaign.id,
                    "customer_id": customer_id,
                    "contact_id": contact[0] if contact else None,
                    "email": address,
                    "status": "queued",
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        blocked = suppressed(row["email"] for row in wanted)
        rows = [row for row in wanted if row["email"] not in blocked]
        if rows:
            db.session.execute(insert(Recipient), rows)
            written += len(rows)
    return written


def still_allowed(batch: list[Recipient]) -> tuple[list[Recipient], dict[int, str]]:
    """Of a batch about to be sent, those still allowed; the others by id,
    with why not."""
    ids = [r.customer_id for r in batch if r.customer_id]
    live = set(
        db.session.scalars(
            select(Customer.id).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
        )
    )
    allowed = may_contact(live, "email", "marketing")
    blocked = suppressed(r.email for r in batch)
    keep, refused = [], {}
    for recipient in batch:
        if recipient.email in blocked:
            refused[recipient.id] = "suppressed"
        elif recipient.customer_id not in live:
            refused[recipient.id] = "customer deleted"
        elif recipient.customer_id not in allowed:
            refused[recipient.id] = "no marketing e-mail consent"
        else:
            keep.append(recipient)
    return keep, refused
